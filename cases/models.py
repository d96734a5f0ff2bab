from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, Transition, transition

from cases import cpr
from cases.lifecycle import DECIDED_PHASES, Fase, phase_guard
from vum.accounts.models import Organisation, Role, Team, User
from vum.catalog.models import Ansoegningstype
from vum.versions import Versioned

JA_NEJ = [(True, "Ja"), (False, "Nej")]
# Shown wherever a protected citizen's address would have been.
ADRESSEBESKYTTET = "Navne- og adressebeskyttet"


def prints_address(recipient: Mapping[str, Any]) -> bool:
    """Whether a letter's recipient block prints an address: any of Borger.postal_address's
    lines (none for a protected citizen)."""
    return any(recipient.get(line) for line in ("adresse", "postnummer", "by"))


class Borger(Versioned):
    """The citizen a case is about. The CPR number is stored without the hyphen."""

    cpr = models.CharField("CPR-nummer", max_length=10, unique=True, validators=[cpr.validate_cpr])
    fornavn = models.CharField("fornavn", max_length=100)
    efternavn = models.CharField("efternavn", max_length=100)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    postnummer = models.CharField(
        "postnummer",
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", "Et postnummer består af 4 cifre.")],
    )
    by = models.CharField("by", max_length=100, blank=True)
    telefon = models.CharField("telefon", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    # Navne- og adressebeskyttelse in CPR: the name and address are never shown, printed or
    # exported, and letters go only by Digital Post (docs/serviceplatformen.md).
    adressebeskyttet = models.BooleanField("navne- og adressebeskyttelse", default=False)
    # When vum learned of the protection (a CPR lookup found it): a document frozen before then
    # may hold the address, where the document does not say whether it does
    # (`shows_protected_address`). Empty on a protected citizen: not known (protected before
    # this was kept), so any such document may hold it.
    adressebeskyttet_siden = models.DateTimeField(
        "navne- og adressebeskyttet siden", null=True, blank=True
    )
    # When the details were last read from CPR (SF1520); empty: typed in, not verified.
    cpr_opslag = models.DateTimeField("senest hentet fra CPR", null=True, blank=True)
    civilstand = models.CharField("civilstand", max_length=40, blank=True)
    doedsdato = models.DateField("dødsdato", null=True, blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    # Who registered the citizen: they see the details until an enquiry or a case brings the
    # citizen into a team (vum/access.py: borgere_visible_to).
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="oprettet af",
    )

    class Meta:
        ordering = ["efternavn", "fornavn"]
        verbose_name = "borger"
        verbose_name_plural = "borgere"

    def __str__(self) -> str:
        return self.navn

    @property
    def navn(self) -> str:
        return f"{self.fornavn} {self.efternavn}"

    @property
    def visible_address(self) -> str:
        """The address as any page, export or document may show it: one line, or the
        protection's name instead when CPR protects it. The one rule for the address: nothing
        else renders adresse, postnummer and by of a citizen."""
        if self.adressebeskyttet:
            return ADRESSEBESKYTTET
        town = f"{self.postnummer} {self.by}".strip()
        return ", ".join(part for part in (self.adresse, town) if part)

    def shows_protected_address(self, *, printed_address: bool | None, frozen: datetime) -> bool:
        """Whether a document addressed to the citizen shows an address CPR protects now: it
        printed the address vum held when it was frozen (`printed_address`, kept with the
        document from the very reading it rendered). A document from before that was kept says
        None, and may show it when frozen before vum learned of the protection. The record
        stays as it was frozen; it is handed out only on a confirmed request
        (vum.protected_documents)."""
        if not self.adressebeskyttet:
            return False
        if printed_address is not None:
            return printed_address
        return self.adressebeskyttet_siden is None or frozen < self.adressebeskyttet_siden

    @property
    def postal_address(self) -> dict[str, str]:
        """The address lines for a letter's recipient block: empty for a protected citizen,
        whose letters go by Digital Post only."""
        if self.adressebeskyttet:
            return {"adresse": "", "postnummer": "", "by": ""}
        return {"adresse": self.adresse, "postnummer": self.postnummer, "by": self.by}

    @property
    def cpr_masked(self) -> str:
        return cpr.mask(self.cpr)

    @property
    def cpr_formatted(self) -> str:
        return cpr.formatted(self.cpr)

    @property
    def foedselsdato(self) -> date:
        return cpr.birth_date(self.cpr)

    @property
    def alder(self) -> int:
        return cpr.age_on(self.cpr, timezone.localdate())

    @property
    def audit_borger_id(self) -> int | None:
        return self.pk


class RelationQuerySet(models.QuerySet["Relation"]):
    def current(self, on: date | None = None) -> "RelationQuerySet":
        """Relations in force on `on` (default today); an open end counts as in force."""
        day = on or timezone.localdate()
        return self.filter(
            models.Q(gyldig_fra__isnull=True) | models.Q(gyldig_fra__lte=day),
            models.Q(gyldig_til__isnull=True) | models.Q(gyldig_til__gte=day),
        )


class Relation(models.Model):
    """A person around the citizen: relative, guardian, representative, supporter."""

    class Type(models.TextChoices):
        PAAROERENDE = "paaroerende", "Pårørende"
        VAERGE = "vaerge", "Værge"
        PARTSREPRAESENTANT = "partsrepraesentant", "Partsrepræsentant"
        BISIDDER = "bisidder", "Bisidder"

    class Vaergemaalsform(models.TextChoices):
        PARAGRAF_5 = "par5", "Værgemål (Værgemålsloven § 5)"
        PARAGRAF_6 = "par6", "Værgemål med frataget retslig handleevne (§ 6)"
        PARAGRAF_7 = "par7", "Samværgemål (§ 7)"

    borger = models.ForeignKey(
        Borger, on_delete=models.CASCADE, related_name="relationer", verbose_name="borger"
    )
    type = models.CharField("type", max_length=20, choices=Type.choices)
    navn = models.CharField("navn", max_length=200)
    # The CPR number of a guardian or representative who holds the citizen's rights: Digital
    # Post reaches a person by it.
    cpr = models.CharField("CPR-nummer", max_length=10, blank=True, validators=[cpr.validate_cpr])
    relation = models.CharField(
        "relation til borgeren", max_length=100, blank=True, help_text="F.eks. mor, bror, ven."
    )
    telefon = models.CharField("telefon", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    vaergemaalsform = models.CharField(
        "værgemålets form", max_length=10, choices=Vaergemaalsform.choices, blank=True
    )
    fuldmagt = models.TextField(
        "fuldmagt", blank=True, help_text="Hvad fuldmagten omfatter, og hvornår den er givet."
    )
    varetager_partsrettigheder = models.BooleanField(
        "varetager borgerens partsrettigheder",
        default=False,
        help_text="Breve og afgørelser sendes til denne person med kopi til borgeren.",
    )
    gyldig_fra = models.DateField("gyldig fra", null=True, blank=True)
    gyldig_til = models.DateField("gyldig til", null=True, blank=True)
    # A guardian read from CPR (SF1520), kept in step with CPR by the lookup; typed ones are not.
    fra_cpr = models.BooleanField("hentet fra CPR", default=False, editable=False)

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["type", "navn"]
        verbose_name = "relation"
        verbose_name_plural = "relationer"

    def __str__(self) -> str:
        return f"{self.navn} ({self.get_type_display()})"

    def clean(self) -> None:
        if self.type == self.Type.VAERGE and not self.vaergemaalsform:
            raise ValidationError({"vaergemaalsform": "Angiv værgemålets form."})
        if self.type != self.Type.VAERGE and self.vaergemaalsform:
            raise ValidationError({"vaergemaalsform": "Kun en værge har et værgemål."})
        if self.gyldig_fra and self.gyldig_til and self.gyldig_til < self.gyldig_fra:
            raise ValidationError({"gyldig_til": "Slutdatoen ligger før startdatoen."})

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id

    def is_current(self, on: date | None = None) -> bool:
        """In-memory twin of `RelationQuerySet.current`."""
        day = on or timezone.localdate()
        return (self.gyldig_fra is None or self.gyldig_fra <= day) and (
            self.gyldig_til is None or self.gyldig_til >= day
        )


class Sag(FSMModelMixin, models.Model):
    """One VUM case about one citizen, moving through the phases as a state machine.

    The transitions carry only the lifecycle; the services in cases.services (and in the later
    phases' apps) lock the row, check, transition, save and audit in one transaction.
    """

    borger = models.ForeignKey(
        Borger, on_delete=models.PROTECT, related_name="sager", verbose_name="borger"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="sager", verbose_name="team"
    )
    sagsbehandler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sager",
        verbose_name="sagsbehandler",
    )
    aarsag = models.TextField("årsag til sagsåbning", help_text="Hvad drejer sagen sig om?")
    # What is applied for: decides the processing deadline from the municipality's catalog.
    kommunal_ydelse = models.ForeignKey(
        "catalog.KommunalYdelse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ansøgt ydelse",
    )
    ansoegningstype = models.CharField(
        "ansøgningstype", max_length=30, choices=Ansoegningstype.choices, blank=True
    )
    fase = FSMField("fase", default=Fase.SAGSAABNING, choices=Fase.choices, protected=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    fase_skiftet = models.DateTimeField("fase skiftet", default=timezone.now)

    # Read with the case by `selectors.sag_get`, for its page: the current purpose's text.
    gaeldende_formaal: str | None

    class Meta:
        ordering = ["-oprettet"]
        verbose_name = "sag"
        verbose_name_plural = "sager"
        indexes = [
            models.Index(fields=["team", "fase"]),
            models.Index(fields=["sagsbehandler", "fase"]),
            # A team's cases and citizens from the index alone (the access policy's scope, e.g.
            # "citizens of my teams' cases"), without visiting a team's thousands of rows.
            models.Index(fields=["team"], include=["id", "borger"], name="cases_sag_team_cover"),
            # Lists in the default order stop after a page instead of sorting the whole scope.
            models.Index(fields=["-oprettet"], name="cases_sag_oprettet_idx"),
        ]

    # Added by django-fsm's FSMField.
    get_available_fase_transitions: Callable[[], Iterator[Transition]]

    def __str__(self) -> str:
        return f"Sag {self.pk} ({self.get_fase_display()})"

    def caseworkers(self) -> list[User]:
        """Who hears of the case: its caseworker, else the team's caseworkers."""
        if self.sagsbehandler is not None and self.sagsbehandler.is_active:
            return [self.sagsbehandler]
        return list(self.team.members.filter(is_active=True, role=Role.SAGSBEHANDLER))

    @classmethod
    def transitions(cls) -> list[Transition]:
        fase_field = cls._meta.get_field("fase")
        assert isinstance(fase_field, FSMField)
        return list(fase_field.get_all_transitions(cls))

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id

    @property
    def is_open(self) -> bool:
        return self.fase != Fase.AFSLUTTET

    @property
    def ansoegning_decided(self) -> bool:
        """What the citizen applied for has been decided on: from bestilling on (a refusal ends
        the case) it is part of the decision and can no longer be changed."""
        return self.fase in DECIDED_PHASES

    # Forward through the phases.

    @transition(
        field=fase,
        source=Fase.SAGSAABNING,
        target=Fase.SAGSOPLYSNING,
        conditions=[phase_guard("start_sagsoplysning")],
        custom={"label": "Start sagsoplysning"},
    )
    def start_sagsoplysning(self) -> None:
        pass

    @transition(
        field=fase,
        source=[Fase.SAGSAABNING, Fase.SAGSOPLYSNING],
        target=Fase.SAGSVURDERING,
        conditions=[phase_guard("start_sagsvurdering")],
        custom={"label": "Start sagsvurdering"},
    )
    def start_sagsvurdering(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.SAGSVURDERING,
        target=Fase.AFGOERELSE,
        conditions=[phase_guard("start_afgoerelse")],
        custom={"label": "Gå til afgørelse"},
    )
    def start_afgoerelse(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.AFGOERELSE,
        target=Fase.BESTILLING,
        conditions=[phase_guard("start_bestilling")],
        custom={"label": "Gå til bestilling"},
    )
    def start_bestilling(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.BESTILLING,
        target=Fase.LEVERING,
        conditions=[phase_guard("start_levering")],
        custom={"label": "Start levering"},
    )
    def start_levering(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.LEVERING,
        target=Fase.OPFOELGNING,
        conditions=[phase_guard("start_opfoelgning")],
        custom={"label": "Start opfølgning"},
    )
    def start_opfoelgning(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.OPFOELGNING,
        target=Fase.LEVERING,
        conditions=[phase_guard("fortsaet_levering")],
        custom={"label": "Fortsæt indsatsen"},
    )
    def fortsaet_levering(self) -> None:
        pass

    # Backward moves the method allows; each needs a reason.

    @transition(
        field=fase,
        source=Fase.SAGSVURDERING,
        target=Fase.SAGSOPLYSNING,
        conditions=[phase_guard("tilbage_til_sagsoplysning")],
        custom={"label": "Tilbage til sagsoplysning", "reason_required": True},
    )
    def tilbage_til_sagsoplysning(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.AFGOERELSE,
        target=Fase.SAGSVURDERING,
        conditions=[phase_guard("tilbage_til_sagsvurdering")],
        custom={"label": "Tilbage til sagsvurdering", "reason_required": True},
    )
    def tilbage_til_sagsvurdering(self) -> None:
        pass

    @transition(
        field=fase,
        source=Fase.OPFOELGNING,
        target=Fase.SAGSOPLYSNING,
        conditions=[phase_guard("revisitation")],
        custom={"label": "Revisitation (ny sagsoplysning)", "reason_required": True},
    )
    def revisitation(self) -> None:
        pass

    @transition(
        field=fase,
        source=[
            Fase.SAGSAABNING,
            Fase.SAGSOPLYSNING,
            Fase.SAGSVURDERING,
            Fase.AFGOERELSE,
            Fase.OPFOELGNING,
        ],
        target=Fase.AFSLUTTET,
        conditions=[phase_guard("afslut")],
        custom={"label": "Afslut sagen", "reason_required": True},
    )
    def afslut(self) -> None:
        pass


class Overgang(models.Model):
    """The log of every phase change: from, to, who, when, why."""

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="overgange")
    navn = models.CharField("overgang", max_length=50)
    fra_fase = models.CharField("fra", max_length=20, choices=Fase.choices)
    til_fase = models.CharField("til", max_length=20, choices=Fase.choices)
    udfoert_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udført af",
    )
    tidspunkt = models.DateTimeField("tidspunkt", auto_now_add=True)
    begrundelse = models.TextField("begrundelse", blank=True)

    class Meta:
        ordering = ["tidspunkt", "id"]
        verbose_name = "faseskift"
        verbose_name_plural = "faseskift"

    def __str__(self) -> str:
        return f"{self.get_fra_fase_display()} → {self.get_til_fase_display()}"


class Henvendelse(models.Model):
    """An enquiry. Triage decides whether it is advice only, a referral, or opens a case."""

    class Kilde(models.TextChoices):
        BORGER = "borger", "Borger"
        PAAROERENDE = "paaroerende", "Pårørende"
        LAEGE = "laege", "Læge"
        HOSPITAL = "hospital", "Hospital"
        ANDEN_FORVALTNING = "anden_forvaltning", "Anden forvaltning"
        IGANGVAERENDE_INDSATS = "igangvaerende_indsats", "Igangværende indsats"
        ANDEN_KOMMUNE = "anden_kommune", "Anden kommune"
        ANDRE = "andre", "Andre"
        OPFOELGNING = "opfoelgning", "Opfølgning på igangværende sag"
        EGEN_DRIFT = "egen_drift", "Sagen er igangsat af egen drift"

    class Triage(models.TextChoices):
        RAADGIVNING = "raadgivning", "Rådgivning alene (ingen sag)"
        HENVIST = "henvist", "Henvist til anden myndighed"
        SAG = "sag", "Sag oprettet"
        KLAR_SAG = "klar_sag", "Klar sag oprettet"

    borger = models.ForeignKey(
        Borger, on_delete=models.PROTECT, related_name="henvendelser", verbose_name="borger"
    )
    modtaget = models.DateField("modtaget", default=timezone.localdate)
    kilde = models.CharField("henvendelse fra", max_length=30, choices=Kilde.choices)
    kilde_navn = models.CharField("henvenderens navn", max_length=200, blank=True)
    kilde_kontakt = models.CharField("henvenderens kontaktoplysninger", max_length=300, blank=True)
    aarsag = models.TextField("hvad drejer henvendelsen sig om?")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name="team")
    triage = models.CharField("udfald", max_length=20, choices=Triage.choices)
    triage_notat = models.TextField("notat om rådgivning eller henvisning", blank=True)
    henvist_til = models.CharField("henvist til", max_length=200, blank=True)
    sag = models.ForeignKey(
        Sag,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="henvendelser",
        verbose_name="sag",
    )
    registreret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registreret = models.DateTimeField("registreret", auto_now_add=True)

    class Meta:
        ordering = ["-modtaget", "-id"]
        verbose_name = "henvendelse"
        verbose_name_plural = "henvendelser"
        # The newest page of a scope's enquiries without sorting all of them.
        indexes = [models.Index(fields=["-modtaget", "-id"], name="cases_henv_modtaget_idx")]

    def __str__(self) -> str:
        return f"Henvendelse {self.modtaget:%d.%m.%Y} fra {self.get_kilde_display().lower()}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.borger_id

    @property
    def fra_anden_end_borgeren(self) -> bool:
        return self.kilde != self.Kilde.BORGER


class Sagsaabning(Versioned):
    """What the caseworker registers while opening the case (VUM 2.0 handbook ch. 3).

    Ja/Nej questions are nullable booleans: None means the question is not answered yet.
    """

    class Repraesentationsform(models.TextChoices):
        BISIDDER = "bisidder", "Bisidder"
        PARTSREPRAESENTANT = "partsrepraesentant", "Partsrepræsentant"

    sag = models.OneToOneField(Sag, on_delete=models.CASCADE, related_name="sagsaabning")
    borger_indforstaaet = models.BooleanField(
        "er borgeren indforstået med, at sagen påbegyndes?", null=True, blank=True, choices=JA_NEJ
    )
    borger_orienteret_dato = models.DateField("borgeren orienteret den", null=True, blank=True)
    oensker_for_fremtiden = models.TextField(
        "borgerens ønsker for fremtiden", blank=True, help_text="Med borgerens egne ord."
    )
    klar_sag = models.BooleanField("klar sag", default=False)
    klar_sag_ydelse = models.CharField("ydelse (klar sag)", max_length=200, blank=True)
    klar_sag_tilbudstype = models.CharField("tilbudstype (klar sag)", max_length=200, blank=True)
    vaergemaal = models.BooleanField("værgemål", null=True, blank=True, choices=JA_NEJ)
    vaergemaalsform = models.CharField(
        "værgemålets form", max_length=10, choices=Relation.Vaergemaalsform.choices, blank=True
    )
    vaerge_undersoeges = models.BooleanField(
        "skal behov for værge undersøges?", null=True, blank=True, choices=JA_NEJ
    )
    informeret_om_bisidder = models.BooleanField(
        "informeret om ret til bisidder og partsrepræsentation",
        null=True,
        blank=True,
        choices=JA_NEJ,
    )
    repraesenteret = models.BooleanField("repræsenteret", null=True, blank=True, choices=JA_NEJ)
    repraesentationsform = models.CharField(
        "repræsentationens form", max_length=20, choices=Repraesentationsform.choices, blank=True
    )
    fuldmagt = models.TextField("fuldmagt", blank=True)
    informeret_om_elektronisk_registrering = models.BooleanField(
        "informeret om elektronisk registrering", null=True, blank=True, choices=JA_NEJ
    )
    samtykke_relevant = models.BooleanField(
        "samtykke relevant", null=True, blank=True, choices=JA_NEJ
    )
    helhedssyn_vejledt = models.BooleanField(
        "vejledt om alle relevante muligheder (RSL § 5)", null=True, blank=True, choices=JA_NEJ
    )
    helhedssyn_hvilke = models.TextField("hvilke muligheder", blank=True)
    borgersamarbejde = models.TextField(
        "forhold vedrørende borgersamarbejde",
        blank=True,
        help_text="F.eks. tolk, mødested, særlige hensyn.",
    )
    handlekommune = models.CharField(
        "handlekommune", max_length=100, blank=True, help_text="Kun hvis ikke egen kommune."
    )
    betalingskommune = models.CharField(
        "betalingskommune", max_length=100, blank=True, help_text="Kun hvis ikke egen kommune."
    )
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        verbose_name = "sagsåbning"
        verbose_name_plural = "sagsåbninger"

    def __str__(self) -> str:
        return f"Sagsåbning for sag {self.sag_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.vaergemaal and not self.vaergemaalsform:
            errors["vaergemaalsform"] = "Angiv værgemålets form, når borgeren har værgemål."
        if self.repraesenteret and not self.repraesentationsform:
            errors["repraesentationsform"] = (
                "Angiv, om borgeren har bisidder eller partsrepræsentant."
            )
        if self.klar_sag and not self.klar_sag_ydelse:
            errors["klar_sag_ydelse"] = "Angiv den valgte ydelse, når sagen er klar."
        if self.helhedssyn_vejledt and not self.helhedssyn_hvilke:
            errors["helhedssyn_hvilke"] = "Angiv hvilke muligheder borgeren er vejledt om."
        if errors:
            raise ValidationError(errors)


class CaseRecord(models.Model):
    """Base for records that belong to one case: the audit trail files them under its citizen."""

    sag: Sag

    class Meta:
        abstract = True

    @property
    def audit_borger_id(self) -> int | None:
        return self.sag.borger_id


class SagsaabningRow(CaseRecord):
    """Base for the repeating rows registered during sagsåbning."""

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class TidligereHenvendelse(SagsaabningRow):
    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="tidligere_henvendelser")
    hvem = models.CharField("hvem", max_length=200)
    dato = models.DateField("dato")
    indhold = models.TextField("indhold")

    class Meta:
        ordering = ["dato"]
        verbose_name = "henvendelse forud for sagsåbningen"
        verbose_name_plural = "henvendelser forud for sagsåbningen"

    def __str__(self) -> str:
        return f"{self.dato}: {self.hvem}"


icd10_validator = RegexValidator(
    r"^[A-Z] ?\d{2}(\.\d{1,2})?$", "Angiv en ICD-10-kode som f.eks. F 95.2 eller F95.2."
)


class Diagnose(SagsaabningRow):
    """A diagnosis made by a doctor (only those are registered, handbook l. 949-950)."""

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="diagnoser")
    diagnose = models.CharField("diagnose", max_length=200)
    icd10 = models.CharField("ICD-10-kode", max_length=8, validators=[icd10_validator])
    stillet_af = models.CharField("stillet af", max_length=200)
    dato = models.DateField("dato", null=True, blank=True)
    dokumentreference = models.CharField("dokumentreference", max_length=200, blank=True)

    class Meta:
        ordering = ["dato", "id"]
        verbose_name = "lægefaglig diagnose"
        verbose_name_plural = "lægefaglige diagnoser"

    def __str__(self) -> str:
        return f"{self.diagnose} ({self.icd10})"


class EksisterendeOplysning(SagsaabningRow):
    class Type(models.TextChoices):
        INDSATS = "indsats", "Nuværende eller tidligere indsats"
        HJAELPEMIDDEL = "hjaelpemiddel", "Hjælpemiddel"
        DOKUMENT = "dokument", "Dokument"

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="eksisterende_oplysninger")
    type = models.CharField("type", max_length=20, choices=Type.choices)
    beskrivelse = models.CharField("beskrivelse", max_length=300)
    paragraf = models.CharField("paragraf", max_length=50, blank=True)
    udfoerer = models.CharField("udfører", max_length=200, blank=True)
    forfatter = models.CharField("forfatter", max_length=200, blank=True)
    dato = models.DateField("dato", null=True, blank=True)
    journalnummer = models.CharField("journalnummer", max_length=50, blank=True)

    class Meta:
        ordering = ["type", "id"]
        verbose_name = "eksisterende oplysning"
        verbose_name_plural = "eksisterende oplysninger"

    def __str__(self) -> str:
        return self.beskrivelse


class Formaal(SagsaabningRow):
    """The agreed purpose of the udredning. Never edited: a change is a new version (l. 1256)."""

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="formaal_versioner")
    formaal = models.TextField("formålet med udredningen")
    analysespoergsmaal = models.TextField("analysespørgsmål", blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        get_latest_by = ["oprettet", "id"]
        verbose_name = "formål"
        verbose_name_plural = "formål"

    def __str__(self) -> str:
        return self.formaal[:80]


class Aftale(SagsaabningRow):
    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="aftaler")
    tidspunkt = models.DateTimeField("tidspunkt")
    sted = models.CharField("sted", max_length=200)
    deltagere = models.CharField("deltagere", max_length=300)
    emne = models.CharField("emne", max_length=300, blank=True)
    frist = models.OneToOneField(
        "deadlines.Frist",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="aftale",
    )

    class Meta:
        ordering = ["tidspunkt"]
        verbose_name = "aftale om det videre forløb"
        verbose_name_plural = "aftaler om det videre forløb"

    def __str__(self) -> str:
        return f"{self.tidspunkt:%d.%m.%Y %H:%M} {self.sted}"


class SamtykkeQuerySet(models.QuerySet["Samtykke"]):
    def active(self, on: date | None = None) -> "SamtykkeQuerySet":
        day = on or timezone.localdate()
        return self.filter(givet__lte=day).filter(
            models.Q(tilbagekaldt__isnull=True) | models.Q(tilbagekaldt__gt=day)
        )


class Samtykke(SagsaabningRow):
    """Consent to obtain information from, or pass it to, one party (RSL §§ 11a-11c).

    Registered whatever its form (handbook l. 1531) and withdrawable at any time.
    """

    class Retning(models.TextChoices):
        INDHENTELSE = "indhentelse", "Indhentelse fra"
        VIDEREGIVELSE = "videregivelse", "Videregivelse til"

    class Part(models.TextChoices):
        EGEN_LAEGE = "egen_laege", "Egen læge"
        SPECIALLAEGE = "speciallaege", "Speciallæge"
        HOSPITAL = "hospital", "Hospital"
        A_KASSE = "a_kasse", "A-kasse"
        TILBUD = "tilbud", "Tilbud"
        ARBEJDSGIVER = "arbejdsgiver", "Arbejdsgiver"
        TIDLIGERE_OPHOLDSKOMMUNE = "tidligere_opholdskommune", "Tidligere opholdskommune"
        NY_HANDLEKOMMUNE = "ny_handlekommune", "Ny handlekommune"
        ANDRE_FORVALTNINGER = "andre_forvaltninger", "Andre forvaltninger"
        ANDRE = "andre", "Andre"

    class Form(models.TextChoices):
        MUNDTLIGT = "mundtligt", "Mundtligt"
        SKRIFTLIGT = "skriftligt", "Skriftligt"

    sag = models.ForeignKey(Sag, on_delete=models.CASCADE, related_name="samtykker")
    retning = models.CharField("retning", max_length=20, choices=Retning.choices)
    part = models.CharField("part", max_length=30, choices=Part.choices)
    specifikation = models.CharField(
        "specifikation",
        max_length=200,
        blank=True,
        help_text="F.eks. navnet på lægen eller tilbuddet.",
    )
    # The tilbud a consent to pass information names, as the provider itself (a typed name
    # would match providers with similar names). Empty, with no specifikation: any tilbud.
    tilbud = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="tilbud",
    )
    form = models.CharField("form", max_length=20, choices=Form.choices)
    givet = models.DateField("givet den")
    tilbagekaldt = models.DateField("tilbagekaldt den", null=True, blank=True)
    tilbagekaldt_begrundelse = models.TextField("bemærkning til tilbagekaldelsen", blank=True)
    registreret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registreret = models.DateTimeField("registreret", auto_now_add=True)

    objects = SamtykkeQuerySet.as_manager()

    class Meta:
        ordering = ["retning", "part", "-givet"]
        verbose_name = "samtykke"
        verbose_name_plural = "samtykker"

    def __str__(self) -> str:
        named = self.tilbud.navn if self.tilbud is not None else self.specifikation
        spec = f" ({named})" if named else ""
        return f"{self.get_retning_display()} {self.get_part_display().lower()}{spec}"

    def clean(self) -> None:
        if self.tilbud_id is not None and self.part != self.Part.TILBUD:
            raise ValidationError({"tilbud": "Vælg kun et tilbud, når samtykket gælder et tilbud."})

    def covers_tilbud(self, udfoerer: Organisation) -> bool:
        """Does this consent name this provider, or any tilbud? A name typed before consents
        named the provider itself counts only if it is the provider's name."""
        if self.tilbud_id is not None:
            return self.tilbud_id == udfoerer.pk
        named = " ".join(self.specifikation.split()).casefold()
        return not named or named == " ".join(udfoerer.navn.split()).casefold()

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.givet <= today and (self.tilbagekaldt is None or self.tilbagekaldt > today)


class Journalnotat(CaseRecord):
    """A journal note (notatpligt). Signed by its author and never changed: a correction is a new
    note pointing to the one it corrects."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="journalnotater")
    dato = models.DateField("dato for det noterede", default=timezone.localdate)
    emne = models.CharField("emne", max_length=200)
    tekst = models.TextField("notat")
    forfatter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="forfatter",
    )
    underskrift = models.CharField("underskrift", max_length=300, editable=False)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    retter = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rettet_af",
        verbose_name="retter notat",
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "journalnotat"
        verbose_name_plural = "journalnotater"

    def __str__(self) -> str:
        return f"{self.dato:%d.%m.%Y} {self.emne}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Et journalnotat kan ikke ændres; skriv et rettelsesnotat.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Et journalnotat kan ikke slettes; skriv et rettelsesnotat.")
