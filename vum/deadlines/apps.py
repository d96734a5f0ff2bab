from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "vum.deadlines"
    label = "deadlines"
    verbose_name = "Frister"
