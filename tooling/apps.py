from django.apps import AppConfig


class ToolingConfig(AppConfig):
    """The demo seed, synthetic data at scale and the benchmarks: tools around vum, not part of
    the method. At the top of the import order: it may use every app, and none uses it."""

    name = "tooling"
    verbose_name = "Værktøj"
