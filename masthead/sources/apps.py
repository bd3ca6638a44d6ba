from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "masthead.sources"
    label = "sources"
    verbose_name = "Source feeds"
