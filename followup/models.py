"""Opfølgning: the scheduled follow-up with its timeline, the provider's statusnotat, the
caseworker's follow-up form with the personrettet tilsyn, and the case file handed to a new
municipality when the citizen moves."""

import json
import zlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import Borger, CaseRecord, Sag
from orders.models import AppendOnly
from vum import calendar


class Opfoelgning(FSMModelMixin, CaseRecord):
    """One follow-up of a case: when, why that date, the meeting the provider calls, and the
    deadlines of its timeline (statusnotat, the caseworker's check, the meeting, the form)."""

    class Status(models.TextChoices):
        PLANLAGT = "planlagt", "Planlagt"
        INDKALDT = "indkaldt", "Møde indkaldt"
        AFSLUTTET = "afsluttet", "Afsluttet"
        AFLYST = "aflyst", "Aflyst"

    class Form(models.TextChoices):
        MOEDE = "moede", "Møde"
        TELEFON = "telefon", "Telefon"
        VIDEO = "video", "Video"
        ANDET = "andet", "Andet"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="opfoelgninger")
    dato = models.DateField("opfølgning senest")
    grundlag = models.TextField("hvorfor denne dato")
    udfoerer = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udfører, der indkalder",
    )
    status = FSMField("status", choices=Status.choices, default=Status.PLANLAGT, protected=True)
    moede_tidspunkt = models.DateTimeField("mødetidspunkt", null=True, blank=True)
    moede_form = models.CharField("form", max_length=10, choices=Form.choices, blank=True)
    moede_sted = models.CharField("sted", max_length=300, blank=True)
    deltagere = models.TextField(
        "deltagere", blank=True, help_text="Borgeren, pårørende, værge og andre, der deltager."
    )
    aflyst_begrundelse = models.TextField("hvorfor mødet er aflyst", blank=True)
    frister = models.ManyToManyField("deadlines.Frist", related_name="+", blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)

    class Meta:
        ordering = ["-dato", "-id"]
        verbose_name = "opfølgning"
        verbose_name_plural = "opfølgninger"

    def __str__(self) -> str:
        return f"Opfølgning {self.dato:%d.%m.%Y} (sag {self.sag_id})"

    def held_at(self) -> datetime:
        """When the follow-up took place: its meeting, else when its form was completed, else
        the end of its day."""
        skema = getattr(self, "skema", None)
        if self.moede_tidspunkt is not None:
            return self.moede_tidspunkt
        if skema is not None and skema.afsluttet is not None:
            return skema.afsluttet
        return calendar.end_of_day(self.dato)

    @transition(field=status, source=[Status.PLANLAGT, Status.INDKALDT], target=Status.INDKALDT)
    def call(self) -> None:
        pass

    @transition(field=status, source=[Status.PLANLAGT, Status.INDKALDT], target=Status.AFLYST)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=[Status.PLANLAGT, Status.INDKALDT], target=Status.AFSLUTTET)
    def complete(self) -> None:
        pass


class Statusnotat(CaseRecord):
    """The provider's account before the meeting (seed 000 3.8)."""

    opfoelgning = models.OneToOneField(
        Opfoelgning, on_delete=models.PROTECT, related_name="statusnotat"
    )
    udfoerer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    vaesentlige_aendringer = models.TextField(
        "væsentlige ændringer i borgerens situation", blank=True
    )
    bemaerkninger = models.TextField("bemærkninger", blank=True, help_text="Fx behov for nye mål.")
    indsendt = models.DateTimeField("indsendt", null=True, blank=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        verbose_name = "statusnotat"
        verbose_name_plural = "statusnotater"

    def __str__(self) -> str:
        return f"Statusnotat til {self.opfoelgning}"

    @property
    def sag(self) -> Sag:  # type: ignore[override]
        return self.opfoelgning.sag


class StatusnotatMaal(models.Model):
    statusnotat = models.ForeignKey(Statusnotat, on_delete=models.CASCADE, related_name="maal")
    indsatsmaal = models.ForeignKey(
        "assessment.Indsatsmaal", on_delete=models.PROTECT, related_name="+"
    )
    vurdering_af_arbejdet = models.TextField("udførers vurdering af arbejdet med målet")
    maalopfyldelse = models.TextField("målopfyldelse", blank=True)
    niveauaendring = models.TextField("ændring i funktionsevneniveau", blank=True)

    class Meta:
        ordering = ["indsatsmaal__raekkefoelge"]
        constraints = [
            models.UniqueConstraint(fields=["statusnotat", "indsatsmaal"], name="statusnote_goal")
        ]

    def __str__(self) -> str:
        return f"{self.indsatsmaal} i {self.statusnotat}"


class Opfoelgningsskema(CaseRecord):
    """The caseworker's follow-up form (handbook ch. 9) with the personrettet tilsyn."""

    class Udfald(models.TextChoices):
        FORTSAET = "fortsaet", "Indsatsen fortsætter"
        REVIDER = "revider", "Målene revideres"
        REVISITATION = "revisitation", "Nyt tilbud eller ny ydelse (revisitation)"
        OPHOER = "ophoer", "Indsatsen ophører"
        FRAFLYTNING = "fraflytning", "Borgeren flytter til en anden kommune"

    class Form(models.TextChoices):
        TELEFON = "telefon", "Telefon"
        MOEDE = "moede", "Møde"
        ANDET = "andet", "Andet"

    opfoelgning = models.OneToOneField(Opfoelgning, on_delete=models.PROTECT, related_name="skema")
    form = models.CharField("form", max_length=10, choices=Form.choices, blank=True)
    deltagere = models.TextField("deltagere", blank=True)
    naeste_dato = models.DateField("næste opfølgning", null=True, blank=True)
    vaesentlige_aendringer = models.TextField("væsentlige ændringer", blank=True)
    samlet_konklusion = models.TextField("samlet konklusion", blank=True)
    paaroerendes_kommentarer = models.TextField("pårørendes kommentarer", blank=True)
    status_paa_indsats = models.ForeignKey(
        "catalog.StatusPaaIndsats",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="status på indsats",
    )
    stoettebehov_foer = models.ForeignKey(
        "catalog.Stoettebehov",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="støttebehov før",
    )
    stoettebehov_efter = models.ForeignKey(
        "catalog.Stoettebehov",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="støttebehov efter",
    )
    # Personrettet tilsyn (RSL § 16; SEL § 148 stk. 2)
    tilsyn_gennemfoert = models.BooleanField("tilsyn gennemført", null=True, blank=True)
    trives = models.BooleanField("trives borgeren", null=True, blank=True)
    trivsel_bemaerkninger = models.TextField("bemærkninger om trivsel", blank=True)
    magtanvendelser_i_perioden = models.BooleanField(
        "magtanvendelser i perioden", null=True, blank=True
    )
    magtanvendelse_opfoelgning = models.TextField("opfølgning på magtanvendelse", blank=True)
    tilsyn_konklusion = models.TextField("konklusion på tilsynet", blank=True)
    moedt_borgeren = models.BooleanField("sagsbehandleren har mødt borgeren", null=True, blank=True)
    ikke_moedt_begrundelse = models.TextField("hvorfor borgeren ikke er mødt", blank=True)
    nyt_moede = models.DateField("nyt møde med borgeren", null=True, blank=True)
    borger_enig = models.BooleanField("borgeren er enig i fortsættelsen", null=True, blank=True)
    udfald = models.CharField("udfald", max_length=20, choices=Udfald.choices, blank=True)
    afsluttet = models.DateTimeField("afsluttet", null=True, blank=True)
    afsluttet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        verbose_name = "opfølgningsskema"
        verbose_name_plural = "opfølgningsskemaer"

    def __str__(self) -> str:
        return f"Opfølgningsskema til {self.opfoelgning}"

    @property
    def sag(self) -> Sag:  # type: ignore[override]
        return self.opfoelgning.sag


class SkemaMaal(models.Model):
    """One goal at the follow-up: the transferred levels, three views, the new dated baseline
    and how the goal goes on."""

    skema = models.ForeignKey(Opfoelgningsskema, on_delete=models.CASCADE, related_name="maal")
    indsatsmaal = models.ForeignKey(
        "assessment.Indsatsmaal", on_delete=models.PROTECT, related_name="opfoelgninger"
    )
    # Empty when the goal's sub-theme was never scored or no level was expected.
    overfoert_niveau = models.PositiveSmallIntegerField(
        "aktuelt niveau (overført)", null=True, blank=True
    )
    overfoert_forventet = models.PositiveSmallIntegerField(
        "forventet niveau (overført)", null=True, blank=True
    )
    borgerens_vurdering = models.TextField("borgerens vurdering", blank=True)
    udfoerers_vurdering = models.TextField("udførers vurdering", blank=True)
    sagsbehandlers_vurdering = models.TextField("sagsbehandlers vurdering", blank=True)
    nyt_niveau = models.PositiveSmallIntegerField(
        "nyt aktuelt niveau",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    vurderet = models.DateField("vurderet den", null=True, blank=True)
    fremadrettet = models.ForeignKey(
        "catalog.Fremadrettet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="fremadrettet",
    )

    class Meta:
        ordering = ["indsatsmaal__raekkefoelge"]
        constraints = [
            models.UniqueConstraint(fields=["skema", "indsatsmaal"], name="follow_up_goal")
        ]

    def __str__(self) -> str:
        return f"{self.indsatsmaal} ved {self.skema}"


# The case file's structured part, and the key in it naming the documents that show the
# citizen's address from before CPR protected it (followup.services.udfald).
CASE_FILE = "sag.json"
PROTECTED_DOCUMENTS = "dokumenter_med_beskyttet_adresse"


class Sagsudlevering(CaseRecord):
    """The case file sent to the new acting municipality when the citizen moves (with
    consent): the letters and documents as PDF and the case as structured JSON, in one zip."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="udleveringer")
    modtager = models.CharField("ny handlekommune", max_length=200)
    samtykke = models.ForeignKey("cases.Samtykke", on_delete=models.PROTECT, related_name="+")
    indhold = models.BinaryField("sagsakter (zip)")
    sha256 = models.CharField("SHA-256", max_length=64)
    # Whether the file holds the citizen's address: in sag.json (read when it was made), or in
    # documents that printed it; empty on files from before this was kept.
    viser_adresse = models.BooleanField("viser borgerens adresse", null=True, blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "sagsudlevering"
        verbose_name_plural = "sagsudleveringer"

    def __str__(self) -> str:
        return f"Sag {self.sag_id} udleveret til {self.modtager}"

    def shows_protected_address(self, borger: Borger) -> bool:
        """Whether the file shows an address CPR protects now (vum.protected_documents): it held
        the citizen's address, or documents showing it (`viser_adresse`); a file from before
        that was kept may."""
        return borger.adressebeskyttet and self.viser_adresse is not False

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("En sagsudlevering kan ikke ændres.")
        super().save(*args, **kwargs)


class Noegletal(models.Model):
    """One pre-aggregated group of the leader's dashboard: a count of what happened in one team
    (or, for most panels, in the whole area as well: team empty), for one service, in one month
    (or, for a snapshot, what stands today), by the panel's keys.

    The dashboard reads these instead of the case tables (a leader's groups, not their cases);
    they are the facts (`NoegletalBidrag`) folded into groups, kept current as cases change
    (`followup.dashboard.refresh.noegletal_update`, every `VUM_NOEGLETAL_SECONDS`) and rebuilt
    from scratch each night as a check (`noegletal_refresh`). What `noegle`, `noegle2`, `noegle3`
    and the sums mean depends on the panel (`emne`) and is written beside each collector in
    `followup/dashboard/collectors.py`. The
    group's distinct citizens are kept (`borger_ids`) so that an export can tell exactly which
    figures rest on fewer than five citizens; they are never shown.
    """

    emne = models.CharField("emne", max_length=20)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="team",
        help_text="Tom for hele området (alle teams).",
    )
    kommunal_ydelse = models.ForeignKey(
        "catalog.KommunalYdelse",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="ydelse",
    )
    maaned = models.DateField("måned", null=True, help_text="Tom for et øjebliksbillede.")
    noegle = models.CharField("nøgle", max_length=40, blank=True)
    noegle2 = models.CharField("nøgle 2", max_length=40, blank=True)
    noegle3 = models.CharField("nøgle 3", max_length=40, blank=True)
    # Set where a panel shows citizens per group across the other keys (the cost panel): one
    # row per citizen, so the database counts them exactly.
    borger_id = models.BigIntegerField("borger", null=True, blank=True)
    antal = models.PositiveIntegerField("antal", default=0)
    borgere = models.PositiveIntegerField("borgere", default=0)
    sum1 = models.DecimalField("sum 1", max_digits=16, decimal_places=2, default=0)
    sum2 = models.DecimalField("sum 2", max_digits=16, decimal_places=2, default=0)
    sum3 = models.DecimalField("sum 3", max_digits=16, decimal_places=2, default=0)
    vaerdier = models.JSONField("værdier", default=list, blank=True)
    borger_ids = models.JSONField("borgere (id)", default=list, blank=True)
    # For panels whose sums count rows (e.g. deadlines met, missed): the citizens behind each
    # sum, {"1": [ids], ...}, so an export suppresses a small part of a large row too.
    delmaengder = models.JSONField("delmængder (id)", default=dict, blank=True)

    class Meta:
        verbose_name = "nøgletal"
        verbose_name_plural = "nøgletal"
        indexes = [models.Index(fields=["emne", "team", "maaned"], name="noegletal_emne_team")]

    def __str__(self) -> str:
        team = self.team_id or "hele området"
        return f"{self.emne} {team} {self.maaned or 'i dag'}: {self.antal}"


class NoegletalOpgoerelse(models.Model):
    """How current the dashboard's figures are. One row, locked while the figures are written
    (a rebuild, or an update), so two runs never interleave."""

    opgjort = models.DateTimeField(
        "opgjort", null=True, blank=True, help_text="Seneste fulde genopbygning."
    )
    varighed = models.DurationField("varighed", null=True, blank=True)
    grupper = models.PositiveIntegerField("grupper", default=0)
    afvigelser = models.PositiveIntegerField(
        "afvigelser",
        null=True,
        blank=True,
        help_text="Grupper, som den seneste fulde genopbygning fandt anderledes end de løbende "
        "opdaterede (bør være 0).",
    )
    ajour = models.DateTimeField(
        "ajour",
        null=True,
        blank=True,
        help_text="Tallene er opdateret med alt til dette tidspunkt.",
    )

    class Meta:
        verbose_name = "opgørelse af nøgletal"
        verbose_name_plural = "opgørelser af nøgletal"

    def __str__(self) -> str:
        return f"Nøgletal opgjort {self.opgjort}"


class NoegletalBidrag(models.Model):
    """One case's fact for one panel of the dashboard (`followup.dashboard.collectors.Fact`):
    the figures are these folded into groups. Kept so that a change to a case replaces its facts
    and updates only the groups they fall in. Derived numbers, no foreign keys: a deleted case
    is a change like any other."""

    emne = models.CharField("emne", max_length=20)
    sag_id = models.BigIntegerField("sag", db_index=True)
    borger_id = models.BigIntegerField("borger", db_index=True)
    team_id = models.BigIntegerField("team", null=True)
    kommunal_ydelse_id = models.BigIntegerField("ydelse", null=True)
    maaned = models.DateField("måned", null=True)
    noegle = models.CharField("nøgle", max_length=40, blank=True)
    noegle2 = models.CharField("nøgle 2", max_length=40, blank=True)
    noegle3 = models.CharField("nøgle 3", max_length=40, blank=True)
    per_borger = models.BooleanField("pr. borger", default=False)
    sum1 = models.DecimalField("sum 1", max_digits=16, decimal_places=2, default=0)
    sum2 = models.DecimalField("sum 2", max_digits=16, decimal_places=2, default=0)
    sum3 = models.DecimalField("sum 3", max_digits=16, decimal_places=2, default=0)
    vaerdi = models.IntegerField("værdi", null=True)
    taeller = models.BooleanField("tæller", default=False)

    class Meta:
        verbose_name = "bidrag til nøgletal"
        verbose_name_plural = "bidrag til nøgletal"

    def __str__(self) -> str:
        return f"{self.emne} sag {self.sag_id}"


class NoegletalAendring(models.Model):
    """A case whose dashboard facts may have changed: written by database triggers on the case
    tables the collectors read (see the migration `0007_live_dashboard`), in the writer's own
    transaction, so that no write, whichever service or bulk statement made it, is missed.
    `noegletal_update` claims these rows and brings the case's facts and groups up to date."""

    id = models.BigAutoField(primary_key=True)
    sag_id = models.BigIntegerField("sag")

    class Meta:
        verbose_name = "ændring til nøgletal"
        verbose_name_plural = "ændringer til nøgletal"

    def __str__(self) -> str:
        return f"Sag {self.sag_id}"


class FfbLevering(models.Model):
    """One run of KL's FFB data set for one day (`followup.services.ffb_levering`): how many
    citizens were looked at, delivered, unchanged since their last delivery, and refused by the
    validation. The citizens delivered are `FfbBorgerlevering`, the refused `FfbAfvisning`."""

    dag = models.DateField("dag", help_text="Dagen, leveringen dækker.")
    fuld = models.BooleanField(
        "fuld levering",
        default=False,
        help_text="Alle borgere med FFB-oplysninger, ikke kun dagens ændrede.",
    )
    transport = models.CharField("sendt via", max_length=40)
    startet = models.DateTimeField("startet", default=timezone.now)
    afsluttet = models.DateTimeField("afsluttet", null=True, blank=True)
    startet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="startet af",
    )
    kandidater = models.PositiveIntegerField("borgere set på", default=0)
    leveret = models.PositiveIntegerField("borgere leveret", default=0)
    uaendret = models.PositiveIntegerField("borgere uændret", default=0)
    afvist = models.PositiveIntegerField("borgere afvist", default=0)

    class Meta:
        ordering = ["-startet", "-id"]
        verbose_name = "FFB-levering"
        verbose_name_plural = "FFB-leveringer"

    def __str__(self) -> str:
        return f"FFB-levering {self.dag:%d.%m.%Y}: {self.leveret} borgere"


class FfbBorgerlevering(AppendOnly):
    """One citizen's DeliveryReport as it left, never changed: the bundle, where the transport
    put it, and the digest of its content, which the next run compares with. At most one per
    citizen and day: running a day again never delivers a citizen twice."""

    levering = models.ForeignKey(
        FfbLevering, on_delete=models.PROTECT, related_name="borgere", verbose_name="levering"
    )
    dag = models.DateField("dag")
    borger = models.ForeignKey(
        "cases.Borger", on_delete=models.PROTECT, related_name="+", verbose_name="borger"
    )
    sha256 = models.CharField("indholdets SHA-256", max_length=64)
    # The bundle as it left, compact JSON compressed with zlib (read it as `bundt`): a tenth of
    # the size, and a tenth of the write-ahead log a day's or a full load's rows cost as jsonb.
    bundt_zlib = models.BinaryField("bundt (FHIR, komprimeret JSON)")
    placering = models.CharField("placering", max_length=500, blank=True)
    leveret = models.DateTimeField("leveret", default=timezone.now)

    class Meta:
        verbose_name = "FFB-levering for en borger"
        verbose_name_plural = "FFB-leveringer for borgere"
        constraints = [
            models.UniqueConstraint(fields=["dag", "borger"], name="ffb_once_per_citizen_and_day")
        ]
        indexes = [models.Index(fields=["borger", "-id"], name="ffb_borger_latest")]

    def __str__(self) -> str:
        return f"FFB {self.dag:%d.%m.%Y} borger {self.borger_id}"

    @staticmethod
    def packed(compact_json: str) -> bytes:
        """The bundle's compact JSON (followup.ffb_dataset.bundle.compact_json) as kept."""
        return zlib.compress(compact_json.encode())

    @property
    def bundt(self) -> dict[str, Any]:
        """The bundle as delivered."""
        bundle: dict[str, Any] = json.loads(zlib.decompress(bytes(self.bundt_zlib)))
        return bundle

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id


class FfbAfvisning(AppendOnly):
    """A citizen whose bundle broke the IG's rules in a run and was not delivered: the rules'
    ids and the reasons in Danish, for the caseworker and the manager."""

    levering = models.ForeignKey(
        FfbLevering, on_delete=models.PROTECT, related_name="afvisninger", verbose_name="levering"
    )
    borger = models.ForeignKey(
        "cases.Borger", on_delete=models.PROTECT, related_name="+", verbose_name="borger"
    )
    sager = models.JSONField("sager (id)", default=list)
    fejl = models.JSONField("fejl", default=list, help_text="[{regel, tekst, ressource}]")

    # Set by the pages' selectors: the refused cases the reader may see, the problems of those
    # cases and of the citizen, and how many problems belong to the citizen's other cases.
    synlige_sager: list[int]
    synlige_fejl: list[dict[str, Any]]
    andre_sagers_fejl: int

    class Meta:
        ordering = ["id"]
        verbose_name = "FFB-afvisning"
        verbose_name_plural = "FFB-afvisninger"

    def __str__(self) -> str:
        return f"FFB afvist: borger {self.borger_id}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id
