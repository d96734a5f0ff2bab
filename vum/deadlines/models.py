from django.conf import settings
from django.db import models


class Frist(models.Model):
    """A dated obligation on a case. The deadline engine (rules, warnings, working days) builds on
    this; for now agreed meetings from sagsåbning produce them."""

    class Art(models.TextChoices):
        AFTALE = "aftale", "Aftalt møde"

    class Status(models.TextChoices):
        AABEN = "aaben", "Åben"
        OVERHOLDT = "overholdt", "Overholdt"
        OVERSKREDET = "overskredet", "Overskredet"
        ANNULLERET = "annulleret", "Annulleret"

    sag = models.ForeignKey("cases.Sag", on_delete=models.CASCADE, related_name="frister")
    art = models.CharField("art", max_length=30, choices=Art.choices)
    beskrivelse = models.CharField("beskrivelse", max_length=300)
    frist = models.DateTimeField("frist", db_index=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.AABEN)
    ansvarlig = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ansvarlig",
    )
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)

    class Meta:
        ordering = ["frist"]
        verbose_name = "frist"
        verbose_name_plural = "frister"
        indexes = [models.Index(fields=["sag", "status", "frist"])]

    def __str__(self) -> str:
        return f"{self.get_art_display()} {self.frist:%d.%m.%Y}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.sag.borger_id
