from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Handleplan og bestilling"

    def ready(self) -> None:
        from orders import guards  # noqa: F401  (registers this phase's lifecycle guards)
