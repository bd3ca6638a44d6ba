"""Typo tolerance: Wagtail's Fuzzy query on PostgreSQL needs the pg_trgm extension (trusted: a database owner
may create it). Where it cannot be created the migration still succeeds, and search simply has no near
matches (results.fuzzy_search_available)."""

from django.db import DatabaseError, migrations, transaction


def create_pg_trgm(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        pass


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0001_article_text")]

    operations = [migrations.RunPython(create_pg_trgm, migrations.RunPython.noop)]
