from django.apps import AppConfig
from django.urls import register_converter

from masthead.core.bounds import DatabaseIdConverter, YearConverter


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    verbose_name = "masthead core"

    def ready(self):
        # Every app's URL patterns write ids as <id:...> and years as <year:...> (see core/bounds.py).
        register_converter(DatabaseIdConverter, "id")
        register_converter(YearConverter, "year")
