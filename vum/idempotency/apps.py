from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "vum.idempotency"
    label = "idempotency"
    verbose_name = "Gentagne anmodninger"
