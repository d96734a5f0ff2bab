from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Handleplan og bestilling"

    def ready(self) -> None:
        # Registers this phase's lifecycle guards and its panel on the citizen's page.
        from orders import borger_panels, guards  # noqa: F401
