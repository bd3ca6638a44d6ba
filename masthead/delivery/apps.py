from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "masthead.delivery"
    label = "delivery"
    verbose_name = "page delivery"

    def ready(self):
        from masthead.delivery import edge_purge, gated_images, receivers

        receivers.connect_receivers()
        edge_purge.connect_receivers()
        gated_images.connect_receivers()
