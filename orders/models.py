from datetime import date

from django.db import models
from django.utils import timezone

from cases.models import CaseRecord, Sag
from vum.accounts.models import Organisation


class BestillingQuerySet(models.QuerySet["Bestilling"]):
    def active(self, on: date | None = None) -> "BestillingQuerySet":
        """Orders the provider works on now: not refused or ended, and within their period."""
        day = on or timezone.localdate()
        return self.filter(status__in=Bestilling.ACTIVE_STATES, startdato__lte=day).filter(
            models.Q(slutdato__isnull=True) | models.Q(slutdato__gte=day)
        )


class Bestilling(CaseRecord):
    """An order to one provider (udfører). The full content arrives with the bestilling issue;
    what is here is what the access policy needs: who, for which case, in which period."""

    class Status(models.TextChoices):
        SENDT = "sendt", "Sendt"
        MODTAGET = "modtaget", "Modtaget"
        ACCEPTERET = "accepteret", "Accepteret"
        AFVIST = "afvist", "Afvist"
        OPHOERT = "ophoert", "Ophørt"

    ACTIVE_STATES = (Status.SENDT, Status.MODTAGET, Status.ACCEPTERET)

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="bestillinger")
    udfoerer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bestillinger", verbose_name="udfører"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.SENDT)
    startdato = models.DateField("startdato")
    slutdato = models.DateField("slutdato", null=True, blank=True)

    objects = BestillingQuerySet.as_manager()

    class Meta:
        verbose_name = "bestilling"
        verbose_name_plural = "bestillinger"

    def __str__(self) -> str:
        return f"Bestilling til {self.udfoerer} (sag {self.sag_id})"
