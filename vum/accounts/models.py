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
    svaradresse = models.EmailField(
        "svaradresse",
        blank=True,
        help_text="Hvortil borgeren kan svare på teamets breve; står som afsender i Digital Post.",
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
    # Who the municipality's identity provider says this is (a SAML NameID, an OIDC `sub`), for a
    # user created at login through it (vum.accounts.federation). Empty for local users.
    idp_udsteder = models.CharField("identitetsudbyder", max_length=300, blank=True)
    idp_subjekt = models.CharField("subjekt hos identitetsudbyderen", max_length=300, blank=True)

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"
        constraints = [
            models.UniqueConstraint(
                fields=["idp_udsteder", "idp_subjekt"],
                condition=~models.Q(idp_subjekt=""),
                name="user_unique_idp_subject",
            )
        ]

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


class Sikringsniveau(models.TextChoices):
    """NSIS assurance levels, as OIOSAML 3 names them (`https://data.gov.dk/concept/core/nsis/loa`).
    Ordered: a level is enough when it is at least the required one."""

    LOW = "Low", "Lav"
    SUBSTANTIAL = "Substantial", "Betydelig"
    HIGH = "High", "Høj"

    @classmethod
    def rank(cls, value: str) -> int:
        """0, 1, 2 for Low, Substantial, High; -1 for anything else (which is never enough)."""
        order = [cls.LOW, cls.SUBSTANTIAL, cls.HIGH]
        return order.index(cls(value)) if value in cls.values else -1


class Rolletilknytning(models.Model):
    """One rule of the role mapping: a job-function role the identity provider asserts (a
    brugersystemrolle in KOMBIT's adgangsstyring, or a role claim in OIDC), optionally only with
    a given value of its data constraint (an organisation unit's UUID, a P-number), gives a vum
    role with its teams, or a provider organisation. Kept by the administrator in the admin; read
    at every login through the identity provider (vum.accounts.federation.roles)."""

    brugersystemrolle = models.CharField(
        "brugersystemrolle",
        max_length=300,
        help_text="Rollens id hos identitetsudbyderen, fx "
        "http://vum.kommune.dk/roller/sagsbehandler, eller værdien i OIDC-rollekravet.",
    )
    afgraensning = models.CharField(
        "dataafgrænsning",
        max_length=300,
        blank=True,
        help_text="Gælder kun, når rollen er afgrænset til denne værdi (fx organisationsenhedens "
        "UUID). Tom: gælder uanset afgrænsning.",
    )
    rolle = models.CharField("vum-rolle", max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="+",
        verbose_name="teams",
        help_text="Sagsbehandlerens teams; for en leder: teamene under lederens enhed.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udførerorganisation",
        help_text="Kun for udførere. Tom: organisationen med rollens P-nummer eller CVR-nummer.",
    )

    class Meta:
        ordering = ["brugersystemrolle", "afgraensning"]
        verbose_name = "rolletilknytning"
        verbose_name_plural = "rolletilknytninger"
        constraints = [
            models.UniqueConstraint(
                fields=["brugersystemrolle", "afgraensning"],
                name="rolletilknytning_unique_role_constraint",
            )
        ]

    def __str__(self) -> str:
        scope = f" ({self.afgraensning})" if self.afgraensning else ""
        return f"{self.brugersystemrolle}{scope} → {self.get_rolle_display()}"

    def clean(self) -> None:
        super().clean()
        if self.rolle != Role.UDFOERER and self.organisation_id is not None:
            raise ValidationError(
                {"organisation": "Kun udførere hører til en udførerorganisation."}
            )


class Loginbevis(models.Model):
    """The id of a SAML assertion or an OIDC logout token that has been used, kept until the
    proof expires: the same proof presented again is a replay and is refused."""

    udsteder = models.CharField("udsteder", max_length=300)
    bevis_id = models.CharField("bevisets id", max_length=300)
    udloeber = models.DateTimeField("udløber", db_index=True)

    class Meta:
        verbose_name = "brugt loginbevis"
        verbose_name_plural = "brugte loginbeviser"
        constraints = [
            models.UniqueConstraint(
                fields=["udsteder", "bevis_id"], name="loginbevis_unique_issuer_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.udsteder}: {self.bevis_id}"


class FoederetSession(models.Model):
    """A vum session opened by a login at an identity provider, so that a logout there can
    end it here (OIDC back-channel logout names the provider's session id, `sid`, or the
    user)."""

    session_key = models.CharField("sessionsnøgle", max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    udsteder = models.CharField("identitetsudbyder", max_length=300)
    subjekt = models.CharField("subjekt", max_length=300)
    sid = models.CharField("udbyderens sessions-id", max_length=300, blank=True)
    sikringsniveau = models.CharField(
        "sikringsniveau", max_length=20, choices=Sikringsniveau.choices
    )
    oprettet = models.DateTimeField("oprettet")

    class Meta:
        verbose_name = "session fra identitetsudbyder"
        verbose_name_plural = "sessioner fra identitetsudbyder"
        indexes = [models.Index(fields=["udsteder", "subjekt"])]

    def __str__(self) -> str:
        return f"{self.user} fra {self.udsteder}"
