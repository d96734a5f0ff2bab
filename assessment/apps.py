from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Udredning, vurdering og afgørelse"

    def ready(self) -> None:
        from assessment import guards  # noqa: F401  (registers this phase's lifecycle guards)
