"""The search app's configuration."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "masthead.search"
    label = "masthead_search"
    verbose_name = "Search"

    def ready(self):
        from masthead.search import receivers

        receivers.connect(self)
