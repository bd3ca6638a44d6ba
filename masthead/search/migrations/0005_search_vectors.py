"""PostgreSQL: each row's terms as a stored tsvector (a generated column, so every writer, bulk or not, keeps it
in step) with a GIN index, which results.py and comments.py match and rank directly (issue 15). The title weighs
A, the text B. `english` is the configuration Wagtail's backend used on these rows: it only drops English stop
words from analysis.py's terms (re-stemming a stem gives the same stem on both sides). Other databases keep using
Wagtail's backend; the column is not on the models, only read through `models.search_vector`."""

from django.db import migrations

VECTORS = {
    "masthead_search_articletext": "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, text), 'B')",
    "masthead_search_commenttext": "to_tsvector('english'::regconfig, text)",
}


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}_vector ON {table} USING gin (search_vector)")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0004_index_entry_match_index")]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
