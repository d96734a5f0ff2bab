from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vum.accounts"
    label = "accounts"
    verbose_name = "Brugere og organisation"

    def ready(self) -> None:
        # The login receivers that start the session clocks and mark who needs a second factor.
        from vum.accounts import (  # noqa: F401
            middleware,
            receivers,
            two_factor,
        )
        from vum.accounts.federation import receivers as federation_receivers  # noqa: F401
