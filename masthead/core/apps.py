from django.apps import AppConfig
from django.urls import register_converter

from masthead.core.bounds import DatabaseIdConverter, TokenConverter, YearConverter


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    verbose_name = "masthead core"

    def ready(self):
        # Every app's URL patterns write ids as <id:...> and years as <year:...>, e-mailed secrets as
        # <token:...> (see core/bounds.py).
        register_converter(DatabaseIdConverter, "id")
        register_converter(YearConverter, "year")
        register_converter(TokenConverter, "token")
