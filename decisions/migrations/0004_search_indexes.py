"""GIN indexes for the global search (activity/search.py): one per searched table, on the exact
weighted tsvector expression the search queries, so PostgreSQL answers `@@` from the index.

Created with raw SQL on PostgreSQL only (SQLite, used by `make run`, searches with icontains); the
expressions are invisible to the autodetector, so the models stay as they are. Keep them equal to
activity.search.SOURCES: a different expression is a different index, and the search scans.
"""

from django.db import migrations


def weighted(table: str, *fields: tuple[str, str]) -> str:
    """The SQL of `SearchVector(f1, weight=w1, config="english") + SearchVector(f2, ...) + ...` on `table`."""
    parts = [
        f"setweight(to_tsvector('english'::regconfig, COALESCE(\"{table}\".\"{name}\", '')), '{weight}')"
        for name, weight in fields
    ]
    sql = parts[0]
    for part in parts[1:]:
        sql = f"({sql} || {part})"
    return sql


INDEXES = {
    "decisions_requirement_search": ("decisions_requirement", (("title", "A"), ("description", "B"))),
    "decisions_decision_search": (
        "decisions_decisionrecord",
        (("title", "A"), ("context", "B"), ("outcome", "B"), ("consequences", "C")),
    ),
    "decisions_prd_search": ("decisions_prd", (("title", "A"),)),
    "decisions_prdsection_search": ("decisions_prdsection", (("title", "A"), ("body", "B"))),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, fields) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (({weighted(table, *fields)}))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_deletion_rules")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
