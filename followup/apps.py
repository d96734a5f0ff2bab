from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = "Opfølgning"

    def ready(self) -> None:
        from followup import guards  # noqa: F401  (registers this phase's lifecycle guards)
