from django.conf import settings
from django.db import models

from cases.models import Sag


class Visitationsudvalg(models.Model):
    """The allocation committee. Members see the cases on the agendas of its meetings."""

    navn = models.CharField("navn", max_length=200, unique=True)
    medlemmer = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visitationsudvalg", verbose_name="medlemmer"
    )

    class Meta:
        ordering = ["navn"]
        verbose_name = "visitationsudvalg"
        verbose_name_plural = "visitationsudvalg"

    def __str__(self) -> str:
        return self.navn


class Udvalgsmoede(models.Model):
    udvalg = models.ForeignKey(
        Visitationsudvalg, on_delete=models.PROTECT, related_name="moeder", verbose_name="udvalg"
    )
    dato = models.DateField("mødedato")

    class Meta:
        ordering = ["-dato"]
        verbose_name = "udvalgsmøde"
        verbose_name_plural = "udvalgsmøder"
        constraints = [models.UniqueConstraint(fields=["udvalg", "dato"], name="one_meeting_a_day")]

    def __str__(self) -> str:
        return f"{self.udvalg} {self.dato:%d.%m.%Y}"


class Dagsordenspunkt(models.Model):
    moede = models.ForeignKey(
        Udvalgsmoede, on_delete=models.CASCADE, related_name="punkter", verbose_name="møde"
    )
    sag = models.ForeignKey(
        Sag, on_delete=models.PROTECT, related_name="dagsordenspunkter", verbose_name="sag"
    )

    class Meta:
        verbose_name = "punkt på dagsordenen"
        verbose_name_plural = "dagsorden"
        constraints = [
            models.UniqueConstraint(fields=["moede", "sag"], name="case_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.moede}: sag {self.sag_id}"
