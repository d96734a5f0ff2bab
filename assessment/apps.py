from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Udredning, vurdering og afgørelse"

    def ready(self) -> None:
        # Registers this phase's lifecycle guards, what entering its phases begins and where
        # their work is done, its panel on the case page and its panels on the citizen's page.
        from assessment import borger_panels, guards, panels, phases  # noqa: F401
