"""Handleplan (SEL § 141), bestilling and the provider's delivery records (levering).

The handleplan is the caseworker's plan with the citizen; the bestilling is the caseworker's order
to one provider and carries only what that provider needs. What a provider's staff see of a
citizen is what their current bestilling carries (its frozen `indhold`) and what they write
themselves.
"""

from datetime import date
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import ADRESSEBESKYTTET, Borger, CaseRecord, Sag
from orders.content import shown
from vum.accounts.models import Organisation
from vum.versions import Versioned


class AppendOnly(models.Model):
    """Rows that are documentation once written: a correction is a new row."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name} kan ikke ændres.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(f"{self._meta.verbose_name} kan ikke slettes.")


# Handleplan


class Handleplan(Versioned):
    """One combined plan per citizen (handbook l. 6840): the caseworker's texts, with the goals
    and services taken from the citizen's decisions when a version is finalised.

    `version` (from Versioned) is the edit version of the texts, counted up by each save that
    changes them, for no lost updates; the finalised versions are HandleplanVersion.nummer."""

    borger = models.OneToOneField(Borger, on_delete=models.PROTECT, related_name="handleplan")
    tilbudt = models.BooleanField("handleplan tilbudt", null=True, blank=True)
    ikke_tilbudt_begrundelse = models.TextField("hvorfor handleplan ikke er tilbudt", blank=True)
    oensket = models.BooleanField("borgeren ønsker handleplan", null=True, blank=True)
    formaal = models.TextField("formål med indsatsen", blank=True)
    bolig = models.TextField("bolig", blank=True)
    beskaeftigelse = models.TextField("beskæftigelse og uddannelse", blank=True)
    personlig_hjaelp = models.TextField("personlig hjælp og pleje", blank=True)
    behandling = models.TextField("behandling", blank=True)
    hjaelpemidler = models.TextField("hjælpemidler", blank=True)
    aftaler = models.TextField("aftaler", blank=True)
    andre_indsatser = models.TextField("andre indsatser og ydelser", blank=True)
    samarbejdspartnere = models.TextField("samarbejdspartnere", blank=True)
    koordinering = models.CharField("ansvarlig for koordinering", max_length=200, blank=True)
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    TEXT_FIELDS = (
        "formaal",
        "bolig",
        "beskaeftigelse",
        "personlig_hjaelp",
        "behandling",
        "hjaelpemidler",
        "aftaler",
        "andre_indsatser",
        "samarbejdspartnere",
        "koordinering",
    )

    class Meta:
        verbose_name = "handleplan"
        verbose_name_plural = "handleplaner"

    def __str__(self) -> str:
        return f"Handleplan for borger {self.borger_id}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id


class HandleplanVersion(AppendOnly):
    """A finalised version: what the plan said that day, frozen with its PDF for the citizen."""

    handleplan = models.ForeignKey(Handleplan, on_delete=models.PROTECT, related_name="versioner")
    nummer = models.PositiveIntegerField("version")
    indhold = models.JSONField("indhold")
    pdf = models.BinaryField("handleplan (PDF)")
    sha256 = models.CharField("SHA-256", max_length=64)
    endelig = models.DateTimeField("færdiggjort", default=timezone.now)
    endelig_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The case and the signature the PDF was rendered with, so that it renders the same again
    # without an address CPR has protected since (orders.letters); empty on versions from before
    # they were kept (then the finaliser signs).
    sag = models.ForeignKey(Sag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    underskrevet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="underskrevet af",
    )
    # Whether the PDF printed the citizen's address (see Borger.shows_protected_address); empty
    # on versions from before this was kept.
    viser_adresse = models.BooleanField("viser borgerens adresse", null=True, blank=True)

    class Meta:
        ordering = ["-nummer"]
        verbose_name = "handleplanversion"
        verbose_name_plural = "handleplanversioner"
        constraints = [
            models.UniqueConstraint(fields=["handleplan", "nummer"], name="handleplan_version_once")
        ]

    def __str__(self) -> str:
        return f"Handleplan version {self.nummer}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.handleplan.borger_id

    @property
    def shows_protected_address(self) -> bool:
        """Whether the version shows an address CPR protects now (vum.protected_documents)."""
        return self.handleplan.borger.shows_protected_address(
            printed_address=self.viser_adresse, frozen=self.endelig
        )


# Bestilling


class BestillingQuerySet(models.QuerySet["Bestilling"]):
    def active(self, on: date | None = None) -> "BestillingQuerySet":
        """Orders in force: sent and not refused, replaced or ended. An order is in force from
        when it is sent, so the provider can answer it and prepare before delivery starts
        (`startdato`), until its end."""
        day = on or timezone.localdate()
        return self.filter(status__in=Bestilling.ACTIVE_STATES).filter(
            models.Q(slutdato__isnull=True) | models.Q(slutdato__gte=day)
        )

    def current(self) -> "BestillingQuerySet":
        """The latest version of each provider's order: not replaced by a newer one."""
        return self.exclude(status=Bestilling.Status.ERSTATTET)


class Bestilling(FSMModelMixin, CaseRecord):
    """An order to one provider (udfører), generated from a decision with that provider's goals
    and indsatser only (handbook l. 6895-6900). Its content is frozen when sent; a change of goals
    is a new version that replaces it and lists what changed."""

    class Status(models.TextChoices):
        SENDT = "sendt", "Sendt"
        MODTAGET = "modtaget", "Modtaget"
        ACCEPTERET = "accepteret", "Accepteret"
        AFVIST = "afvist", "Afvist"
        ERSTATTET = "erstattet", "Erstattet af ny version"
        OPHOERT = "ophoert", "Ophørt"

    class Vedlaeg(models.TextChoices):
        INGEN = "ingen", "Ingen handleplan"
        HELE = "hele", "Handleplanen (borgerens samtykke)"
        RELEVANTE_DELE = "relevante_dele", "Relevante dele af handleplanen (§§ 101, 107-110)"

    ACTIVE_STATES = (Status.SENDT, Status.MODTAGET, Status.ACCEPTERET)

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="bestillinger")
    udfoerer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bestillinger", verbose_name="udfører"
    )
    afgoerelse = models.ForeignKey(
        "assessment.Afgoerelse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bestillinger",
        verbose_name="afgørelse",
    )
    version = models.PositiveSmallIntegerField("version", default=1)
    erstatter = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="erstattet_af",
        verbose_name="erstatter version",
    )
    status = FSMField("status", choices=Status.choices, default=Status.SENDT, protected=True)
    startdato = models.DateField("startdato")
    slutdato = models.DateField("slutdato", null=True, blank=True)
    maal = models.ManyToManyField(
        "assessment.Indsatsmaal", blank=True, related_name="bestillinger", verbose_name="mål"
    )
    indsatser = models.ManyToManyField(
        "assessment.Indsats", blank=True, related_name="bestillinger", verbose_name="indsatser"
    )
    indhold = models.JSONField("indhold", default=dict)
    aendringer = models.JSONField("ændringer siden forrige version", default=list)
    vedlagt_handleplan = models.CharField(
        "handleplan vedlagt", max_length=20, choices=Vedlaeg.choices, default=Vedlaeg.INGEN
    )
    handleplan_version = models.ForeignKey(
        HandleplanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bilag_pdf = models.BinaryField("vedlagt handleplan (PDF)", null=True, blank=True)
    pdf = models.BinaryField("bestilling (PDF)", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    # The order as served once CPR protected the citizen's address after it was sent: rendered
    # once from its content as shown (no address), then kept, so that every later download is
    # the same document. `pdf` stays the record of what was sent.
    pdf_uden_adresse = models.BinaryField("bestilling uden adresse (PDF)", null=True, blank=True)
    sha256_uden_adresse = models.CharField("SHA-256 uden adresse", max_length=64, blank=True)
    # The same for the whole handleplan attached (`bilag_pdf`, the citizen's version, addressed
    # to them) when it was sent before the protection.
    bilag_uden_adresse = models.BinaryField(
        "vedlagt handleplan uden adresse (PDF)", null=True, blank=True
    )
    # Whether the attached plan printed the citizen's address (see
    # Borger.shows_protected_address); empty on orders from before this was kept.
    bilag_viser_adresse = models.BooleanField(
        "vedlagt handleplan viser borgerens adresse", null=True, blank=True
    )
    sendt = models.DateTimeField("sendt", default=timezone.now)
    sendt_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who signed the PDF as sent, so that it is signed the same when rendered again.
    underskrevet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="underskrevet af",
    )
    modtaget = models.DateTimeField("modtaget", null=True, blank=True)
    besvaret = models.DateTimeField("besvaret", null=True, blank=True)
    besvaret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    afvist_begrundelse = models.TextField("begrundelse for afvisning", blank=True)

    objects = BestillingQuerySet.as_manager()

    class Meta:
        ordering = ["-sendt", "-id"]
        verbose_name = "bestilling"
        verbose_name_plural = "bestillinger"
        indexes = [models.Index(fields=["udfoerer", "status"])]

    def __str__(self) -> str:
        return f"Bestilling {self.pk} til {self.udfoerer} (version {self.version})"

    @property
    def is_active(self) -> bool:
        """In-memory twin of `BestillingQuerySet.active`."""
        today = timezone.localdate()
        return self.status in self.ACTIVE_STATES and (
            self.slutdato is None or self.slutdato >= today
        )

    @property
    def awaits_answer(self) -> bool:
        return self.status in (self.Status.SENDT, self.Status.MODTAGET)

    @property
    def shown_indhold(self) -> dict[str, Any]:
        """The frozen content as a page or the API may show it today (orders.content.shown)."""
        return shown(self.indhold, self.sag.borger)

    @property
    def pdf_printed_address(self) -> bool:
        """Whether the order's PDF printed the citizen's address (its frozen content holds one,
        not the protection's name)."""
        adresse = (self.indhold.get("baggrund") or {}).get("adresse")
        return bool(adresse) and adresse != ADRESSEBESKYTTET

    @property
    def pdf_shows_protected_address(self) -> bool:
        """Whether the order's PDF shows an address CPR protects now: its frozen content holds
        one that is not shown today."""
        return self.shown_indhold.get("baggrund") != self.indhold.get("baggrund")

    @property
    def bilag_shows_protected_address(self) -> bool:
        """Whether the plan attached shows an address CPR protects now: the whole plan (the
        citizen's version, addressed to them) as it was attached."""
        if self.vedlagt_handleplan != self.Vedlaeg.HELE or self.handleplan_version_id is None:
            return False
        return self.sag.borger.shows_protected_address(
            printed_address=self.bilag_viser_adresse, frozen=self.sendt
        )

    @property
    def taken_on(self) -> bool:
        """Has the provider taken the order on: accepted this version, or an earlier one (the
        service goes on while a new version awaits its answer)? Until then the provider
        answers the order; it does not yet document on it. A replaced version that was
        answered was accepted: a refusal ends an order, it is never replaced."""
        version: Bestilling | None = self
        while version is not None:
            if version.status == self.Status.ACCEPTERET or (
                version.status == self.Status.ERSTATTET and version.besvaret is not None
            ):
                return True
            version = version.erstatter
        return False

    @transition(field=status, source=Status.SENDT, target=Status.MODTAGET)
    def receive(self) -> None:
        pass

    @transition(field=status, source=[Status.SENDT, Status.MODTAGET], target=Status.ACCEPTERET)
    def accept(self) -> None:
        pass

    @transition(field=status, source=[Status.SENDT, Status.MODTAGET], target=Status.AFVIST)
    def reject(self) -> None:
        pass

    @transition(field=status, source=ACTIVE_STATES, target=Status.ERSTATTET)
    def replace(self) -> None:
        pass

    @transition(field=status, source=ACTIVE_STATES, target=Status.OPHOERT)
    def end(self) -> None:
        pass


# Levering: what the provider writes


class ProviderRecord(CaseRecord):
    """Something a provider's staff wrote about a citizen on one case."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="+")
    udfoerer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="udfører"
    )
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Delmaal(ProviderRecord):
    """A SMART sub-goal written with the citizen, towards one or more of the ordered goals."""

    class Status(models.TextChoices):
        AKTIVT = "aktivt", "Aktivt"
        NAAET = "naaet", "Nået"
        OPGIVET = "opgivet", "Opgivet"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="delmaal")
    formulering = models.TextField(
        "delmål", help_text="Specifikt, målbart, realistisk og tidsbestemt, med borgerens ord."
    )
    indsatsmaal = models.ManyToManyField(
        "assessment.Indsatsmaal", related_name="delmaal", verbose_name="indsatsmål"
    )
    tidsfrist = models.DateField("nås senest", null=True, blank=True)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.AKTIVT
    )

    class Meta:
        ordering = ["status", "oprettet", "id"]
        verbose_name = "delmål"
        verbose_name_plural = "delmål"

    def __str__(self) -> str:
        return self.formulering[:80]


class Handling(models.Model):
    """A method or approach the provider uses towards a sub-goal."""

    delmaal = models.ForeignKey(Delmaal, on_delete=models.CASCADE, related_name="handlinger")
    beskrivelse = models.TextField("handling")
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["oprettet", "id"]
        verbose_name = "handling"
        verbose_name_plural = "handlinger"

    def __str__(self) -> str:
        return self.beskrivelse[:80]

    @property
    def audit_borger_id(self) -> int | None:
        return self.delmaal.sag.borger_id


class Delmaalsnotat(AppendOnly):
    """A dated observation against a sub-goal: the continuous documentation of delivery."""

    delmaal = models.ForeignKey(Delmaal, on_delete=models.PROTECT, related_name="notater")
    dato = models.DateField("dato", default=timezone.localdate)
    tekst = models.TextField("observation")
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-dato", "-oprettet", "-id"]
        verbose_name = "delmålsnotat"
        verbose_name_plural = "delmålsnotater"

    def __str__(self) -> str:
        return f"{self.dato:%d.%m.%Y}: {self.tekst[:60]}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.delmaal.sag.borger_id


class Leveringsnotat(AppendOnly, ProviderRecord):
    """A pædagogisk or other note that is not about a sub-goal, tagged with FFB sub-themes.
    What is documented against a sub-goal is not repeated here (seed 000 3.6.4)."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="leveringsnotater")
    dato = models.DateField("dato", default=timezone.localdate)
    tekst = models.TextField("notat")
    undertemaer = models.ManyToManyField(
        "catalog.Undertema", blank=True, related_name="+", verbose_name="undertemaer"
    )

    class Meta:
        ordering = ["-dato", "-oprettet", "-id"]
        verbose_name = "notat"
        verbose_name_plural = "notater"

    def __str__(self) -> str:
        return f"{self.dato:%d.%m.%Y}: {self.tekst[:60]}"


class Magtanvendelse(AppendOnly, ProviderRecord):
    """A use of force reported by the provider. The caseworker is told at once and reviews it
    at the next follow-up (personrettet tilsyn)."""

    class Type(models.TextChoices):
        FASTHOLDELSE = "fastholdelse", "Fastholdelse"
        FOERING = "foering", "Føren til et andet rum"
        TILBAGEHOLDELSE = "tilbageholdelse", "Tilbageholdelse i boligen"
        ALARM = "alarm", "Alarm- eller pejlesystem"
        DOERAABNER = "doeraabner", "Særlige døråbnere"
        STOFSELE = "stofsele", "Stofseler"
        HYGIEJNE = "hygiejne", "Personlig hygiejne med fysisk magt"
        ANDET = "andet", "Anden magtanvendelse"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="magtanvendelser")
    tidspunkt = models.DateTimeField("tidspunkt")
    type = models.CharField("type", max_length=20, choices=Type.choices)
    beskrivelse = models.TextField("beskrivelse")

    class Meta:
        ordering = ["-tidspunkt", "-id"]
        verbose_name = "magtanvendelse"
        verbose_name_plural = "magtanvendelser"

    def __str__(self) -> str:
        return f"{self.get_type_display()} {timezone.localtime(self.tidspunkt):%d.%m.%Y %H:%M}"


class Anmodning(ProviderRecord):
    """The provider's request for revisitation or new goals; the provider never changes the
    goals itself (handbook l. 4011-4012). It is a task with a deadline for the caseworker."""

    class Art(models.TextChoices):
        REVISITATION = "revisitation", "Revisitation"
        AENDREDE_MAAL = "aendrede_maal", "Ændrede mål"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="anmodninger")
    art = models.CharField("anmodning om", max_length=20, choices=Art.choices)
    begrundelse = models.TextField("begrundelse", help_text="Hvad har ændret sig hos borgeren?")
    frist = models.OneToOneField(
        "deadlines.Frist", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    besvaret = models.DateTimeField("besvaret", null=True, blank=True)
    besvaret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    svar = models.TextField("sagsbehandlerens svar", blank=True)

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "anmodning"
        verbose_name_plural = "anmodninger"

    def __str__(self) -> str:
        return f"Anmodning om {self.get_art_display().lower()} fra {self.udfoerer}"


class Ledsagetimer(CaseRecord):
    """The hours of ledsagelse (serviceloven § 97) used in one month under a grant: one row per
    grant and month, recorded and corrected by the caseworker. The rules of the month's hours
    and the savings are in `orders.ledsagelse`."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="ledsagetimer")
    bevilling = models.ForeignKey(
        "assessment.AfgoerelsesResultat",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bevilling",
    )
    maaned = models.DateField("måned", help_text="Den første i måneden.")
    timer = models.DecimalField(
        "timer brugt", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    registreret = models.DateTimeField("registreret", auto_now=True)
    registreret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["maaned"]
        verbose_name = "timer til ledsagelse"
        verbose_name_plural = "timer til ledsagelse"
        constraints = [
            models.UniqueConstraint(fields=["bevilling", "maaned"], name="one_row_per_month"),
            models.CheckConstraint(condition=models.Q(timer__gte=0), name="hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Ledsagelse {self.maaned:%m.%Y}: {self.timer} timer"
