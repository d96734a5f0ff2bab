from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Team(models.Model):
    """A caseworking team (Handicap, Psykiatri, ...). A case belongs to one team."""

    navn = models.CharField("navn", max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    ean_nummer = models.CharField(
        "EAN-nummer",
        max_length=13,
        blank=True,
        help_text="Hvortil udføreren sender regningen for teamets bestillinger.",
    )

    class Meta:
        ordering = ["navn"]
        verbose_name = "team"
        verbose_name_plural = "teams"

    def __str__(self) -> str:
        return self.navn


class Organisation(models.Model):
    """A provider organisation (udfører / tilbud) that receives bestillinger."""

    navn = models.CharField("navn", max_length=200, unique=True)
    cvr = models.CharField("CVR-nummer", max_length=8, blank=True)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    p_nummer = models.CharField("P-nummer", max_length=10, blank=True)
    telefon = models.CharField("telefon", max_length=20, blank=True)

    class Meta:
        ordering = ["navn"]
        verbose_name = "udførerorganisation"
        verbose_name_plural = "udførerorganisationer"

    def __str__(self) -> str:
        return self.navn


class Role(models.TextChoices):
    SAGSBEHANDLER = "sagsbehandler", "Sagsbehandler"
    UDFOERER = "udfoerer", "Udfører"
    VISITATIONSUDVALG = "visitationsudvalg", "Medlem af visitationsudvalg"
    LEDER = "leder", "Leder"
    ADMINISTRATOR = "administrator", "Administrator"
    OEKONOMI = "oekonomi", "Økonomifunktion"


class User(AbstractUser):
    """A person who logs in. What they may see and do follows from `role` (see vum.access)."""

    role = models.CharField("rolle", max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="members",
        verbose_name="teams",
        help_text="Sagsbehandlerens teams; for en leder: lederens område.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="udførerorganisation",
    )
    titel = models.CharField("stillingsbetegnelse", max_length=100, blank=True)
    telefon = models.CharField("telefon", max_length=20, blank=True)

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.UDFOERER and self.organisation_id is None:
            raise ValidationError(
                {"organisation": "En udfører skal høre til en udførerorganisation."}
            )
        if self.role != Role.UDFOERER and self.organisation_id is not None:
            raise ValidationError(
                {"organisation": "Kun udførere hører til en udførerorganisation."}
            )

    @property
    def is_sagsbehandler(self) -> bool:
        return self.role == Role.SAGSBEHANDLER
