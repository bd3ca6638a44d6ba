from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "masthead.delivery"
    label = "delivery"
    verbose_name = "page delivery"

    def ready(self):
        from masthead.delivery.receivers import connect_receivers

        connect_receivers()
