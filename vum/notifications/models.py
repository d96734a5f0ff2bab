from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

# A claim this old without its "sent" mark was interrupted: the sender stopped while sending (a
# live sender marks its e-mail within seconds).
IN_DOUBT_AFTER = timedelta(minutes=5)


class Notifikation(models.Model):
    """An in-app message to one user (the bell). Its text names the citizen by first name and
    initials only ("Mads M.", as a provider knows the citizen; never the full name, the CPR
    number or what happened), so that the list can be shown without reading citizen data; the
    link leads to the audited page."""

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


class UdgaaendeEmailQuerySet(models.QuerySet["UdgaaendeEmail"]):
    def in_doubt(self, now: datetime) -> Self:
        """Claimed and never marked sent: the mail server may or may not have taken them."""
        return self.filter(afsendt__isnull=True, afsendelse_paabegyndt__lt=now - IN_DOUBT_AFTER)


class UdgaaendeEmail(models.Model):
    """The e-mail outbox. A row is claimed (and the claim committed) before the message is sent,
    then marked sent; a crash between the two leaves it claimed but unsent, which is reported as
    in doubt and never sent again by itself, so no e-mail goes out twice unasked: an
    administrator who has checked may send it again (`email_resend`)."""

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

    objects = UdgaaendeEmailQuerySet.as_manager()

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

    def is_in_doubt(self, now: datetime) -> bool:
        return (
            self.afsendt is None
            and self.afsendelse_paabegyndt is not None
            and self.afsendelse_paabegyndt < now - IN_DOUBT_AFTER
        )
