from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    verbose_name = "masthead core"

    def ready(self):
        from masthead.core.stamps import connect_receivers

        connect_receivers()
