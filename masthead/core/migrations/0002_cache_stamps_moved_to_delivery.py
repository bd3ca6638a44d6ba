"""The cache stamps belong to the page layer (masthead.delivery) now."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_cache_stamps")]

    operations = [migrations.DeleteModel(name="CacheStamps")]
