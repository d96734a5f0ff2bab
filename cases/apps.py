from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Borgere og sager"

    def ready(self) -> None:
        from cases import guards  # noqa: F401  (registers the sagsåbning guards)
