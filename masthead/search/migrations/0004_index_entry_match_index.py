"""PostgreSQL: a GIN index on the expression Wagtail's database backend matches (`title || body` of its index
entries). Without it the planner has no statistics for that expression, guesses one matching row, and joins our
rows to the entries in a nested loop: 1.8 s for a two-word query over 1,500 generated articles, 86 ms with it
(bench/search.py). Wagtail's own indexes cover `title` and `body` apart, which that query cannot use."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS masthead_search_entry_match ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS masthead_search_entry_match")


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0003_comments_and_vocabulary"), ("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(create_index, drop_index)]
