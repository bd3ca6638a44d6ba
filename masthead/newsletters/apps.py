"""The newsletters app: newsletters, their subscribers, and the sends that mail each new article."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from masthead.newsletters import receivers

        receivers.connect()
