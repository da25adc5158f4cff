"""The GIN index for the global search of roadmap items (activity/search.py), on the exact weighted
tsvector expression the search queries, as backlog's and decisions' "search indexes" migrations do for
their tables. PostgreSQL only: SQLite (`make run`) searches with icontains.
"""

from django.db import migrations

NAME = "roadmap_item_search"
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"roadmap_roadmapitem\".\"title\", '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(\"roadmap_roadmapitem\".\"description\", '')), 'B'))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "roadmap_roadmapitem" USING gin (({VECTOR}))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
