"""The table of the "shared" cache (settings.CACHES) when it is kept in the database: made with the schema, so
that every way of setting up a site (make run, a deploy's migrate, the benchmarks, the tests) has it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_cache_stamps_moved_to_delivery")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
