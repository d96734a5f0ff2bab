from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vum.audit"
    label = "audit"
    verbose_name = "Revisionsspor"
