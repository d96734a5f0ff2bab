from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vum.accounts"
    label = "accounts"
    verbose_name = "Brugere og organisation"
