from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Udredning, vurdering og afgørelse"

    def ready(self) -> None:
        # Registers this phase's lifecycle guards and its panel on the case page.
        from assessment import guards, panels  # noqa: F401
