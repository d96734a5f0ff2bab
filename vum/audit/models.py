from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Revisionssporet kan ikke ændres.")

    def delete(self) -> NoReturn:
        raise PermissionError("Revisionssporet kan ikke slettes.")

    def for_borger(self, borger_id: int) -> "AuditEventQuerySet":
        return self.filter(borger_id=borger_id)


class AuditAction(models.TextChoices):
    VIEW = "view", "Læst"
    LIST = "list", "Vist i liste"
    SEARCH = "search", "Søgt"
    CREATE = "create", "Oprettet"
    UPDATE = "update", "Ændret"
    TRANSITION = "transition", "Fase skiftet"
    PRINT = "print", "Udskrevet"
    EXPORT = "export", "Eksporteret"
    LOGIN = "login", "Logget ind"
    LOGIN_REFUSED = "login_afvist", "Login afvist"
    LOGOUT = "logout", "Logget ud"


class AuditEvent(models.Model):
    """One append-only row per read or write of a citizen's data, transition, print or export.

    `borger_id` is a plain number rather than a foreign key: the log must outlive and never block
    the data it describes. The database itself refuses UPDATE and DELETE on this table (see the
    migration); the model and queryset refuse them too, so the application cannot alter history.
    """

    occurred_at = models.DateTimeField("tidspunkt", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bruger",
    )
    actor_label = models.CharField("bruger (som vist)", max_length=200)
    action = models.CharField("handling", max_length=20, choices=AuditAction.choices)
    borger_id = models.BigIntegerField("borger-id", null=True, db_index=True)
    object_type = models.CharField("objekttype", max_length=100)
    object_id = models.CharField("objekt-id", max_length=64, blank=True)
    summary = models.CharField("beskrivelse", max_length=500, blank=True)
    changes = models.JSONField("ændringer", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP-adresse", null=True)
    user_agent = models.CharField("klient", max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "revisionshændelse"
        verbose_name_plural = "revisionsspor"
        indexes = [models.Index(fields=["borger_id", "-occurred_at"])]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Revisionssporet kan ikke ændres.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Revisionssporet kan ikke slettes.")
