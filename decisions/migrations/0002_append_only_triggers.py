"""PostgreSQL refuses UPDATE on PRD versions and sign-off events: they are the record leadership trusts.

DELETE stays possible so that removing a whole PRD or workspace still cascades.
SQLite (the embedded `make run` mode) relies on the model-level guard alone.
"""

from django.db import migrations

TABLES = ("decisions_prdversion", "decisions_signoffevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION decisions_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only; write a new row instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION decisions_refuse_update();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS decisions_refuse_update();")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
