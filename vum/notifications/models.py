from django.conf import settings
from django.db import models
from django.db.models import Q


class Notifikation(models.Model):
    """An in-app message to one user (the bell). Its text names the case, never the citizen, so
    that the list can be shown without reading citizen data; the link leads to the audited page."""

    modtager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifikationer",
        verbose_name="modtager",
    )
    titel = models.CharField("titel", max_length=200)
    tekst = models.TextField("tekst", blank=True)
    link = models.CharField("link", max_length=300, blank=True)
    # What produced it, so that a producer can deliver at most one notification per cause.
    kilde = models.CharField("kilde", max_length=100)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    laest = models.DateTimeField("læst", null=True, blank=True)

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "notifikation"
        verbose_name_plural = "notifikationer"
        constraints = [
            models.UniqueConstraint(fields=["kilde", "modtager"], name="one_notification_per_cause")
        ]
        indexes = [
            models.Index(
                fields=["modtager", "-oprettet"], condition=Q(laest__isnull=True), name="unread"
            )
        ]

    def __str__(self) -> str:
        return self.titel


class UdgaaendeEmail(models.Model):
    """The e-mail outbox. A row is claimed (and the claim committed) before the message is sent,
    then marked sent; a crash between the two leaves it claimed but unsent, which is reported as
    in doubt and never sent again: no e-mail goes out twice."""

    notifikation = models.OneToOneField(
        Notifikation, on_delete=models.CASCADE, related_name="email", verbose_name="notifikation"
    )
    til = models.EmailField("til")
    emne = models.CharField("emne", max_length=200)
    tekst = models.TextField("tekst")
    message_id = models.CharField("Message-ID", max_length=200, unique=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    afsendelse_paabegyndt = models.DateTimeField("afsendelse påbegyndt", null=True, blank=True)
    afsendt = models.DateTimeField("afsendt", null=True, blank=True)
    fejl = models.TextField("fejl", blank=True)

    class Meta:
        ordering = ["oprettet", "id"]
        verbose_name = "udgående e-mail"
        verbose_name_plural = "udgående e-mails"
        indexes = [
            models.Index(
                fields=["oprettet"],
                condition=Q(afsendelse_paabegyndt__isnull=True),
                name="email_to_send",
            )
        ]

    def __str__(self) -> str:
        return f"{self.emne} → {self.til}"
