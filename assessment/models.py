import uuid
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cases.models import CaseRecord, Sag, Samtykke
from vum import calendar
from vum.versions import Versioned


class Visitationsudvalg(models.Model):
    """The allocation committee. Members see the cases on the agendas of its meetings."""

    class Ugedag(models.IntegerChoices):
        MANDAG = 0, "mandag"
        TIRSDAG = 1, "tirsdag"
        ONSDAG = 2, "onsdag"
        TORSDAG = 3, "torsdag"
        FREDAG = 4, "fredag"

    class Uge(models.IntegerChoices):
        FOERSTE = 1, "første"
        ANDEN = 2, "anden"
        TREDJE = 3, "tredje"
        FJERDE = 4, "fjerde"
        SIDSTE = -1, "sidste"

    navn = models.CharField("navn", max_length=200, unique=True)
    medlemmer = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visitationsudvalg", verbose_name="medlemmer"
    )
    # The monthly meeting (seed 000 3.4.3): e.g. the second Tuesday of every month.
    moede_ugedag = models.PositiveSmallIntegerField(
        "mødedag", choices=Ugedag.choices, default=Ugedag.TIRSDAG
    )
    moede_uge = models.SmallIntegerField("uge i måneden", choices=Uge.choices, default=Uge.ANDEN)

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
    afsluttet = models.DateTimeField("afsluttet", null=True, blank=True)
    referat_pdf = models.BinaryField("referat (PDF)", null=True, blank=True)
    referat_sha256 = models.CharField("referatets SHA-256", max_length=64, blank=True)

    class Meta:
        ordering = ["-dato"]
        verbose_name = "udvalgsmøde"
        verbose_name_plural = "udvalgsmøder"
        constraints = [models.UniqueConstraint(fields=["udvalg", "dato"], name="one_meeting_a_day")]

    def __str__(self) -> str:
        return f"{self.udvalg} {self.dato:%d.%m.%Y}"

    @property
    def has_begun(self) -> bool:
        """Has the meeting's day come? Its outcomes are recorded at the meeting, not before."""
        return self.dato <= timezone.localdate()


class Dagsordenspunkt(models.Model):
    moede = models.ForeignKey(
        Udvalgsmoede, on_delete=models.CASCADE, related_name="punkter", verbose_name="møde"
    )
    sag = models.ForeignKey(
        Sag, on_delete=models.PROTECT, related_name="dagsordenspunkter", verbose_name="sag"
    )
    indstilling = models.ForeignKey(
        "Indstilling",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dagsordenspunkter",
        verbose_name="indstilling",
    )
    udfald = models.ForeignKey(
        "catalog.Visitationsudfald",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udfald",
    )
    aendringer = models.TextField("hvad udvalget ændrede", blank=True)
    begrundelse = models.TextField("udvalgets begrundelse", blank=True)
    behandlet = models.DateTimeField("behandlet", null=True, blank=True)
    behandlet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="registreret af",
    )

    class Meta:
        verbose_name = "punkt på dagsordenen"
        verbose_name_plural = "dagsorden"
        constraints = [
            models.UniqueConstraint(fields=["moede", "sag"], name="case_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.moede}: sag {self.sag_id}"


# Sagsoplysning (udredning)


class Udredning(CaseRecord):
    """The information of a case on the FFB structure. A case may be re-assessed: a new
    udredning can start from the previous one (with consent) and update only some themes."""

    sag = models.ForeignKey(
        Sag, on_delete=models.PROTECT, related_name="udredninger", verbose_name="sag"
    )
    forrige = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="efterfoelgende",
        verbose_name="bygger på",
    )
    # Reusing an earlier udredning needs the citizen's consent (handbook l. 1963-1964).
    genbrug_samtykke_givet = models.DateField(
        "borgeren samtykkede til genbrug den", null=True, blank=True
    )
    genbrug_samtykke_form = models.CharField(
        "samtykkets form", max_length=20, choices=Samtykke.Form.choices, blank=True
    )
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "udredning"
        verbose_name_plural = "udredninger"

    def __str__(self) -> str:
        return f"Udredning {self.pk} (sag {self.sag_id})"


class TemaOplysning(models.Model):
    """What is known about the citizen in one FFB theme. Only relevant themes are filled
    ("overoplys ikke sagen"): a theme has a row only when the caseworker informs it."""

    udredning = models.ForeignKey(Udredning, on_delete=models.CASCADE, related_name="temaer")
    tema = models.ForeignKey(
        "catalog.Tema", on_delete=models.PROTECT, related_name="+", verbose_name="tema"
    )
    fra_borgeren = models.TextField(
        "oplysninger fra borgeren",
        blank=True,
        help_text="Kun borgerens egne udsagn om ressourcer og udfordringer.",
    )
    fra_andre = models.TextField(
        "oplysninger fra andre", blank=True, help_text="Med kildehenvisning nedenfor."
    )
    bemaerkninger = models.TextField(
        "sagsbehandlers bemærkninger",
        blank=True,
        help_text="Observationer, analyse og begrundelse for scoringer; ingen vurdering af støtte.",
    )
    fremhaevede_undertemaer = models.ManyToManyField(
        "catalog.Undertema", blank=True, related_name="+", verbose_name="fremhævede undertemaer"
    )
    mestringsevne = models.TextField("mestringsevne", blank=True)
    netvaerkets_villighed = models.TextField(
        "netværkets tilkendegivelse af at ville hjælpe",
        blank=True,
        help_text="Indgår ikke i vurderingen af funktionsevnen.",
    )
    udeladt_oplysning = models.TextField(
        "oplysning borgeren ønskede med, som er udeladt", blank=True
    )
    udeladt_begrundelse = models.TextField("begrundelse for udeladelsen", blank=True)
    # Carried over from the previous udredning and not yet updated by the caseworker.
    overfoert = models.BooleanField("overført, ikke opdateret", default=False)
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        verbose_name = "oplysning om tema"
        verbose_name_plural = "oplysninger om temaer"
        constraints = [
            models.UniqueConstraint(fields=["udredning", "tema"], name="one_row_per_theme")
        ]

    def __str__(self) -> str:
        return f"{self.tema} ({self.udredning})"

    @property
    def audit_borger_id(self) -> int | None:
        return self.udredning.sag.borger_id

    @property
    def is_informed(self) -> bool:
        return any(text.strip() for text in (self.fra_borgeren, self.fra_andre, self.bemaerkninger))


class Kildehenvisning(models.Model):
    """Where a piece of "oplysninger fra andre" comes from (handbook: title, date, journal no.,
    who stated it), e.g. "Statusattest fra praktiserende læge, juni (journalnr. 20xx-6253)"."""

    tema_oplysning = models.ForeignKey(
        TemaOplysning, on_delete=models.CASCADE, related_name="kilder"
    )
    titel = models.CharField("titel", max_length=300)
    dato = models.DateField("dato", null=True, blank=True)
    journalnummer = models.CharField("journalnummer", max_length=50, blank=True)
    udsagn_af = models.CharField("hvem har udtalt det", max_length=200, blank=True)

    class Meta:
        ordering = ["dato", "id"]
        verbose_name = "kildehenvisning"
        verbose_name_plural = "kildehenvisninger"

    def __str__(self) -> str:
        return self.titel


class Delanalyse(models.Model):
    udredning = models.ForeignKey(Udredning, on_delete=models.CASCADE, related_name="delanalyser")
    kategori = models.ForeignKey(
        "catalog.Kategori", on_delete=models.PROTECT, related_name="+", verbose_name="kategori"
    )
    tekst = models.TextField("delanalyse")
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        verbose_name = "delanalyse"
        verbose_name_plural = "delanalyser"
        constraints = [
            models.UniqueConstraint(
                fields=["udredning", "kategori"], name="one_analysis_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"Delanalyse: {self.kategori}"


class Funktionsevnevurdering(models.Model):
    """One dated score (0-4) of one Aktivitet og deltagelse sub-theme. Never changed: a new
    score is a new row, so the history shows how the citizen's functioning moved."""

    udredning = models.ForeignKey(Udredning, on_delete=models.CASCADE, related_name="scoringer")
    undertema = models.ForeignKey(
        "catalog.Undertema", on_delete=models.PROTECT, related_name="+", verbose_name="undertema"
    )
    niveau = models.ForeignKey(
        "catalog.Funktionsevneniveau",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="funktionsevneniveau",
    )
    vurderingsdato = models.DateField("vurderet den")
    vurderet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    oprettet = models.DateTimeField("registreret", auto_now_add=True)

    class Meta:
        ordering = ["-vurderingsdato", "-id"]
        verbose_name = "vurdering af funktionsevne"
        verbose_name_plural = "vurderinger af funktionsevne"
        indexes = [models.Index(fields=["udredning", "undertema", "-vurderingsdato"])]

    def __str__(self) -> str:
        return f"{self.undertema}: {self.niveau}"


class Indhentning(CaseRecord):
    """A request for information from an external party. Only with a matching consent that has
    not been withdrawn (RSL §§ 11a-11c); the consent it relied on is kept."""

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="indhentninger")
    samtykke = models.ForeignKey(Samtykke, on_delete=models.PROTECT, related_name="indhentninger")
    part = models.CharField("part", max_length=30, choices=Samtykke.Part.choices)
    specifikation = models.CharField("hos hvem", max_length=200, blank=True)
    hvad = models.TextField("hvilke oplysninger")
    anmodet = models.DateField("anmodet den")
    anmodet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modtaget = models.DateField("modtaget den", null=True, blank=True)

    class Meta:
        ordering = ["-anmodet", "-id"]
        verbose_name = "indhentning af oplysninger"
        verbose_name_plural = "indhentninger af oplysninger"

    def __str__(self) -> str:
        return f"Indhentning fra {self.specifikation or self.part}"


class Partshoering(CaseRecord):
    """A hearing of the party (FVL §§ 19-20) on information the citizen does not know, of
    substantial importance and to their disadvantage. While it is open and its deadline has not
    passed, no decision can be made in the case."""

    class Modtager(models.TextChoices):
        BORGER = "borger", "Borgeren"
        VAERGE = "vaerge", "Værge"
        PARTSREPRAESENTANT = "partsrepraesentant", "Partsrepræsentant"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="partshoeringer")
    hvad_hoeres = models.TextField(
        "hvad borgeren høres om",
        help_text="De oplysninger, borgeren får mulighed for at udtale sig om.",
    )
    modtager = models.CharField("modtager", max_length=20, choices=Modtager.choices)
    modtager_relation = models.ForeignKey(
        "cases.Relation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="værge eller partsrepræsentant",
    )
    modtager_navn = models.CharField("sendt til", max_length=200)
    sendt = models.DateTimeField("sendt")
    svarfrist = models.DateField("svarfrist")
    sendt_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    brev_pdf = models.BinaryField("partshøringsbrev (PDF)")
    brev_sha256 = models.CharField("brevets SHA-256", max_length=64)
    # Whether the letter printed the citizen's address (see Borger.shows_protected_address);
    # empty on letters from before this was kept.
    viser_adresse = models.BooleanField("viser borgerens adresse", null=True, blank=True)
    svar = models.TextField("borgerens svar", blank=True)
    svar_modtaget = models.DateField("svar modtaget", null=True, blank=True)
    frist = models.OneToOneField(
        "deadlines.Frist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partshoering",
    )

    class Meta:
        ordering = ["-sendt", "-id"]
        verbose_name = "partshøring"
        verbose_name_plural = "partshøringer"

    def __str__(self) -> str:
        return f"Partshøring {self.sendt:%d.%m.%Y} (sag {self.sag_id})"

    @property
    def printed_address(self) -> bool | None:
        """Whether the letter printed the citizen's address (None: not known, from before that
        was kept). One to a guardian or representative printed theirs."""
        return self.viser_adresse if self.modtager == self.Modtager.BORGER else False

    @property
    def shows_protected_address(self) -> bool:
        """Whether the letter shows an address CPR protects now (vum.protected_documents)."""
        return self.sag.borger.shows_protected_address(
            printed_address=self.printed_address, frozen=self.sendt
        )

    def earliest_answer_day(self) -> date:
        """The citizen's time to answer can be extended, never shortened: the deadline the letter
        gave (`svarfrist`), and never less than the statutory minimum counted from the day it was
        sent (VUM_PARTSHOERING_MIN_DAYS days, on a working day). `frist_move` refuses to move the
        hearing's `Frist` before this day."""
        sent = timezone.localtime(self.sendt).date()
        minimum = calendar.add(sent, settings.VUM_PARTSHOERING_MIN_DAYS, calendar.Unit.DAYS)
        return max(self.svarfrist, minimum)

    def answer_deadline_day(self) -> date:
        """The last day to answer: the hearing's one deadline as it stands if it was moved later
        (the citizen was given more time), never earlier than the letter's `svarfrist` (a
        deadline moved earlier, say in the admin, does not shorten the citizen's time), and a
        deadline that ends on a closed day runs to the next working day. A hearing from before
        its deadline was a `Frist` reads the letter's date."""
        day = self.svarfrist
        if self.frist is not None:
            day = max(day, timezone.localtime(self.frist.frist).date())
        return calendar.next_working_day(day)

    def blocks_decision(self, now: datetime) -> bool:
        """Unanswered, and its deadline (to the end of its day) has not passed."""
        return self.svar_modtaget is None and now <= calendar.end_of_day(self.answer_deadline_day())


# Sagsvurdering


class Opfoelgningsinterval(models.TextChoices):
    KONKRET_DATO = "konkret_dato", "Konkret dato"
    EN_MAANED = "1_maaned", "1 måned"
    TRE_MAANEDER = "3_maaneder", "3 måneder"
    SEKS_MAANEDER = "6_maaneder", "6 måneder"
    ET_AAR = "1_aar", "1 år"


class Sagsvurdering(Versioned, CaseRecord):
    """The caseworker's assessment (handbook ch. 5): situation, purpose, goals, support need and
    the services that meet it. Worked in the method's order: goals before the support need."""

    class Handleplanstatus(models.TextChoices):
        UDARBEJDET = "udarbejdet", "Udarbejdet"
        UNDER_UDARBEJDELSE = "under_udarbejdelse", "Under udarbejdelse"
        IKKE_UDARBEJDET = "ikke_udarbejdet", "Ikke udarbejdet"

    sag = models.ForeignKey(
        Sag, on_delete=models.PROTECT, related_name="sagsvurderinger", verbose_name="sag"
    )
    udredning = models.ForeignKey(
        Udredning, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vurdering_af_situation = models.TextField(
        "vurdering af borgerens situation",
        blank=True,
        help_text="Bygger kun på oplysninger fra sagsoplysningen.",
    )
    indsatsformaal = models.TextField("indsatsformål", blank=True)
    samme_opfoelgning_for_alle_maal = models.BooleanField(
        "samme opfølgningsdato for alle mål", default=True
    )
    faelles_opfoelgning = models.CharField(
        "fælles opfølgning", max_length=20, choices=Opfoelgningsinterval.choices, blank=True
    )
    faelles_opfoelgningsdato = models.DateField("fælles opfølgningsdato", null=True, blank=True)
    vurdering_af_stoettebehov = models.TextField("vurdering af støttebehov og indsats", blank=True)
    berettiget = models.BooleanField("berettiget", null=True, blank=True)
    berettigelse_begrundelse = models.TextField("begrundelse", blank=True)
    borgerens_behov_vurderet = models.TextField(
        "hvordan borgerens eget oplevede behov er vurderet",
        blank=True,
        help_text="Påkrævet ved afslag: det behov, borgeren selv oplever, skal være vurderet.",
    )
    stoettebehov = models.ForeignKey(
        "catalog.Stoettebehov",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aktuelt støttebehov",
    )
    civilsamfund = models.BooleanField("indsatser i civilsamfundet", null=True, blank=True)
    civilsamfund_hvilke = models.TextField("hvilke indsatser i civilsamfundet", blank=True)
    borgerens_perspektiv = models.TextField("borgerens perspektiv på indsatsen", blank=True)
    borgerens_ressourcer = models.TextField(
        "borgerens ressourcer i forhold til indsatsen", blank=True
    )
    handleplan_tilbudt = models.BooleanField("handleplan tilbudt", null=True, blank=True)
    handleplan_ikke_tilbudt_begrundelse = models.TextField(
        "hvorfor handleplan ikke er tilbudt", blank=True
    )
    handleplan_oensket = models.BooleanField("borgeren ønsker handleplan", null=True, blank=True)
    handleplan_status = models.CharField(
        "handleplanens status", max_length=20, choices=Handleplanstatus.choices, blank=True
    )
    helhedsplan_tilbudt = models.BooleanField(
        "helhedsorienteret plan tilbudt (§ 141 stk. 7)", null=True, blank=True
    )
    helhedsplan_oensket = models.BooleanField(
        "borgeren ønsker helhedsorienteret plan", null=True, blank=True
    )
    helhedsplan_status = models.CharField(
        "den helhedsorienterede plans status",
        max_length=20,
        choices=Handleplanstatus.choices,
        blank=True,
    )
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opdateret = models.DateTimeField("opdateret", auto_now=True)

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "sagsvurdering"
        verbose_name_plural = "sagsvurderinger"

    def __str__(self) -> str:
        return f"Sagsvurdering {self.pk} (sag {self.sag_id})"


class Indsatsmaal(models.Model):
    """A goal set with the citizen, on exactly one primary Aktivitet og deltagelse sub-theme."""

    vurdering = models.ForeignKey(Sagsvurdering, on_delete=models.CASCADE, related_name="maal")
    raekkefoelge = models.PositiveSmallIntegerField("nr.", default=1)
    maalformulering = models.TextField(
        "borgerens målformulering", help_text="Hvad gør borgeren, når indsatsen er gennemført?"
    )
    maaltype = models.ForeignKey(
        "catalog.Maaltype", on_delete=models.PROTECT, related_name="+", verbose_name="måltype"
    )
    primaert_undertema = models.ForeignKey(
        "catalog.Undertema",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="primært udredningstema",
    )
    # The score the goal starts from, carried from the udredning when the goal is set.
    aktuel_vurdering = models.ForeignKey(
        Funktionsevnevurdering,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aktuelt funktionsevneniveau",
    )
    forventet_niveau = models.PositiveSmallIntegerField(
        "forventet funktionsevneniveau",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    relaterede_undertemaer = models.ManyToManyField(
        "catalog.Undertema", blank=True, related_name="+", verbose_name="andre relaterede temaer"
    )
    opfoelgning = models.CharField(
        "opfølgning", max_length=20, choices=Opfoelgningsinterval.choices, blank=True
    )
    opfoelgningsdato = models.DateField("opfølgningsdato", null=True, blank=True)
    ansvarlig_for_opfoelgning = models.CharField(
        "ansvarlig for opfølgning", max_length=200, blank=True
    )
    udfoerer = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udfører",
    )
    timer_pr_uge = models.DecimalField(
        "timer pr. uge", max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["raekkefoelge", "id"]
        verbose_name = "indsatsmål"
        verbose_name_plural = "indsatsmål"

    def __str__(self) -> str:
        return f"Mål {self.raekkefoelge}: {self.maalformulering[:60]}"


class Indsats(models.Model):
    """A service package: ydelser from the catalog at a tilbud by a provider, priced by lines.
    Only §§ 82a, 82b and 82d may have a fixed end (handbook l. 4030)."""

    vurdering = models.ForeignKey(Sagsvurdering, on_delete=models.CASCADE, related_name="indsatser")
    ydelser = models.ManyToManyField("catalog.Ydelse", related_name="+", verbose_name="ydelser")
    kommunal_ydelse = models.ForeignKey(
        "catalog.KommunalYdelse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="kommunens ydelse",
    )
    tilbudstype = models.ForeignKey(
        "catalog.Tilbudstype",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="tilbud",
    )
    udfoerer = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="udfører",
    )
    konto = models.CharField("konto", max_length=50, blank=True)
    forventet_start = models.DateField("forventet start", null=True, blank=True)
    forventet_slut = models.DateField("forventet slut", null=True, blank=True)
    alternativ = models.BooleanField(
        "alternativ", default=False, help_text="Et alternativ, der indstilles ved siden af."
    )

    class Meta:
        ordering = ["alternativ", "id"]
        verbose_name = "indsats"
        verbose_name_plural = "indsatser"

    def __str__(self) -> str:
        return f"Indsats {self.pk}"

    @property
    def pris(self) -> Decimal:
        return sum((line.beloeb for line in self.prislinjer.all()), Decimal(0))


class Prislinje(models.Model):
    """basisindsatspris = antal i hver periode * antal gentagelser * enhedspris (handbook 5.20)."""

    class Enhed(models.TextChoices):
        STYK = "styk", "Styk"
        TIME = "time", "Time"
        DAG = "dag", "Dag"
        MAANED = "maaned", "Måned"
        AAR = "aar", "År"

    class Frekvens(models.TextChoices):
        DAG = "dag", "Dag"
        UGE = "uge", "Uge"
        MAANED = "maaned", "Måned"
        AAR = "aar", "År"

    indsats = models.ForeignKey(Indsats, on_delete=models.CASCADE, related_name="prislinjer")
    ydelse = models.ForeignKey(
        "catalog.Ydelse", on_delete=models.PROTECT, related_name="+", verbose_name="ydelse"
    )
    enhed = models.CharField("enhed", max_length=10, choices=Enhed.choices)
    antal_pr_periode = models.DecimalField(
        "antal i hver periode", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    frekvens = models.CharField("ydelsesfrekvens", max_length=10, choices=Frekvens.choices)
    gentagelser = models.PositiveIntegerField("antal gentagelser")
    enhedspris = models.DecimalField(
        "enhedspris (kr.)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "prislinje"
        verbose_name_plural = "prislinjer"

    def __str__(self) -> str:
        return f"{self.ydelse}: {self.beloeb} kr."

    @property
    def beloeb(self) -> Decimal:
        return self.antal_pr_periode * self.gentagelser * self.enhedspris


class VurderingMaalgruppe(models.Model):
    """A target group of the assessment: exactly one primary, others optional. A draft until the
    decision confirms it."""

    vurdering = models.ForeignKey(
        Sagsvurdering, on_delete=models.CASCADE, related_name="maalgrupper"
    )
    maalgruppe = models.ForeignKey(
        "catalog.Maalgruppe", on_delete=models.PROTECT, related_name="+", verbose_name="målgruppe"
    )
    primaer = models.BooleanField("primær", default=False)

    class Meta:
        verbose_name = "målgruppe"
        verbose_name_plural = "målgrupper"
        constraints = [
            models.UniqueConstraint(fields=["vurdering", "maalgruppe"], name="target_group_once"),
            models.UniqueConstraint(
                fields=["vurdering"], condition=models.Q(primaer=True), name="one_primary_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.maalgruppe}{' (primær)' if self.primaer else ''}"


# Indstilling and the committee


class Kompetenceregel(models.Model):
    """When a decision goes to the visitationsudvalg instead of the caseworker alone: always for
    a service, or when the yearly cost passes an amount. Configured by the municipality."""

    kommune = models.ForeignKey(
        "catalog.Kommune", on_delete=models.PROTECT, related_name="+", verbose_name="kommune"
    )
    kommunal_ydelse = models.ForeignKey(
        "catalog.KommunalYdelse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ydelse",
        help_text="Tom: gælder alle ydelser.",
    )
    altid_visitationsudvalg = models.BooleanField(
        "afgøres altid af visitationsudvalget", default=False
    )
    beloebsgraense_pr_aar = models.DecimalField(
        "beløbsgrænse pr. år (kr.)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Indsatser, der koster mere om året, afgøres af visitationsudvalget.",
    )

    class Meta:
        verbose_name = "kompetenceregel"
        verbose_name_plural = "kompetenceregler"

    def __str__(self) -> str:
        scope = str(self.kommunal_ydelse) if self.kommunal_ydelse else "alle ydelser"
        return f"{self.kommune}: {scope}"


class Indstilling(CaseRecord):
    """The caseworker's recommendation to the decision-maker, generated from the case (handbook
    5.11; seed 000 3.4.2) and frozen as a PDF when it is put on an agenda."""

    class Status(models.TextChoices):
        KLADDE = "kladde", "Kladde"
        PAA_DAGSORDEN = "paa_dagsorden", "På dagsordenen"
        GODKENDT = "godkendt", "Godkendt"
        RETURNERET = "returneret", "Returneret"
        AFVIST = "afvist", "Afvist"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="indstillinger")
    vurdering = models.ForeignKey(
        Sagsvurdering, on_delete=models.PROTECT, related_name="indstillinger"
    )
    indstilling = models.TextField(
        "indstilling",
        help_text="Hvad sagsbehandleren indstiller: indsats eller afslag, og hvorfor.",
    )
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.KLADDE
    )
    pdf = models.BinaryField("indstilling (PDF)", null=True, blank=True)
    pdf_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "indstilling"
        verbose_name_plural = "indstillinger"

    def __str__(self) -> str:
        return f"Indstilling {self.pk} (sag {self.sag_id})"


class IndhentetTilbud(models.Model):
    """One of the relevant tilbud asked about admission, citizen profile and price before an
    indstilling for a botilbud (seed 000 3.4.2: three are required)."""

    indstilling = models.ForeignKey(
        Indstilling, on_delete=models.CASCADE, related_name="indhentede_tilbud"
    )
    tilbud = models.CharField("tilbud", max_length=200)
    pris_pr_aar = models.DecimalField(
        "pris pr. år (kr.)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    dialog = models.TextField("dialog om optagelse og borgerprofil", blank=True)

    class Meta:
        ordering = ["pris_pr_aar", "id"]
        verbose_name = "indhentet tilbud"
        verbose_name_plural = "indhentede tilbud"

    def __str__(self) -> str:
        return f"{self.tilbud}: {self.pris_pr_aar} kr./år"


# Afgørelse, letters and complaints


class Afgoerelse(CaseRecord):
    """A decision on one or more indsatser (handbook ch. 6). Written decisions are sent as a
    frozen letter; without full medhold the reasons and the complaint guidance are required."""

    class TruffetAf(models.TextChoices):
        SAGSBEHANDLER = "sagsbehandler", "Sagsbehandler"
        LEDER = "leder", "Leder"
        VISITATIONSUDVALG = "visitationsudvalg", "Visitationsudvalget"

    class Form(models.TextChoices):
        SKRIFTLIG = "skriftlig", "Skriftlig"
        MUNDTLIG = "mundtlig", "Mundtlig"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="afgoerelser")
    vurdering = models.ForeignKey(
        Sagsvurdering, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    erstatter = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="erstattet_af",
        verbose_name="erstatter afgørelse",
    )
    truffet_af = models.CharField("truffet af", max_length=20, choices=TruffetAf.choices)
    form = models.CharField("form", max_length=20, choices=Form.choices)
    truffet = models.DateField("truffet den")
    meddelt = models.DateField("meddelt borgeren den", null=True, blank=True)
    fuldt_medhold = models.BooleanField(
        "fuldt medhold", help_text="Præcis det, der er søgt om, i indhold og omfang."
    )
    begrundelse_vurdering = models.TextField("den konkrete vurdering", blank=True)
    begrundelse_oplysninger = models.TextField(
        "oplysninger der er lagt vægt på", blank=True, help_text="Også borgerens egne synspunkter."
    )
    begrundelse_regler = models.TextField("de juridiske krav", blank=True)
    saerligt_om_synspunkter = models.TextField(
        "særligt om dine synspunkter", blank=True, help_text="Hvor borgeren har været uenig."
    )
    ukendte_oplysninger_til_ugunst = models.BooleanField(
        "bygger på oplysninger til ugunst, som borgeren ikke kender",
        default=False,
        help_text="Forvaltningslovens § 19: borgeren skal da partshøres, før afgørelsen træffes.",
    )
    egenbetaling = models.BooleanField("egenbetaling", default=False)
    egenbetaling_tekst = models.CharField("egenbetaling (beløb)", max_length=300, blank=True)
    maalgruppe = models.ForeignKey(
        "catalog.Maalgruppe",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bekræftet primær målgruppe",
    )
    klagefrist = models.DateTimeField("klagefrist", null=True, blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "afgørelse"
        verbose_name_plural = "afgørelser"

    def __str__(self) -> str:
        return f"Afgørelse {self.pk} (sag {self.sag_id})"


class AfgoerelsesResultat(models.Model):
    """The result for one indsats: on an application, granted or partly or wholly refused; on
    help the citizen has, ended or reduced (with the notice the law asks, `assessment.varsel`);
    or repayment."""

    class Resultat(models.TextChoices):
        BEVILGET = "bevilget", "Bevilget"
        DELVIST_AFSLAG = "delvist_afslag", "Delvist afslag"
        AFSLAG = "afslag", "Afslag"
        OPHOER = "ophoer", "Ophør"
        NEDSAETTELSE = "nedsaettelse", "Nedsættelse"
        TILBAGEBETALING = "tilbagebetaling", "Tilbagebetaling"

    afgoerelse = models.ForeignKey(Afgoerelse, on_delete=models.CASCADE, related_name="resultater")
    indsats = models.ForeignKey(
        Indsats, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kommunal_ydelse = models.ForeignKey(
        "catalog.KommunalYdelse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ydelse",
    )
    beskrivelse = models.CharField("hvad der er søgt om", max_length=300)
    resultat = models.CharField("resultat", max_length=20, choices=Resultat.choices)
    omfang = models.CharField(
        "omfang", max_length=200, blank=True, help_text="Fx '6 timer om ugen'."
    )
    virkningsdato = models.DateField("virkningsdato")
    nedsaettelse = models.BooleanField(
        "nedsættelse eller frakendelse",
        default=False,
        help_text="Efter §§ 95, 96, 98 tidligst 14 uger efter, borgeren er orienteret.",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "resultat"
        verbose_name_plural = "resultater"

    def __str__(self) -> str:
        return f"{self.beskrivelse}: {self.get_resultat_display()}"


# The results after which the citizen has the help: granted, partly refused, or reduced (the
# reduced help goes on). The orders, the follow-up and the letters read grants by it.
GRANTING_RESULTS = (
    AfgoerelsesResultat.Resultat.BEVILGET,
    AfgoerelsesResultat.Resultat.DELVIST_AFSLAG,
    AfgoerelsesResultat.Resultat.NEDSAETTELSE,
)


class Brev(CaseRecord):
    """A letter as sent: the PDF and its SHA-256, never regenerated or changed (the table is
    append-only in the database). A correction is a new letter pointing to this one."""

    class Art(models.TextChoices):
        AFGOERELSE = "afgoerelse", "Afgørelsesbrev"
        PARTSHOERING = "partshoering", "Partshøringsbrev"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="breve")
    art = models.CharField("art", max_length=20, choices=Art.choices)
    afgoerelse = models.ForeignKey(
        Afgoerelse, null=True, blank=True, on_delete=models.PROTECT, related_name="breve"
    )
    retter = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rettelser"
    )
    modtager_navn = models.CharField("modtager", max_length=200)
    # Who the letter is for is frozen with it: a guardian registered or ended after the letter
    # was frozen must not change where it goes (Digital Post reaches a person by CPR number).
    modtager_cpr = models.CharField("modtagerens CPR-nummer", max_length=10, blank=True)
    modtager_email = models.EmailField("modtagerens e-mail", blank=True)
    kopi_til = models.CharField("kopi til", max_length=200, blank=True)
    indhold = models.JSONField("brevets tekster", default=dict)
    pdf = models.BinaryField("PDF")
    # Whether the PDF printed the citizen's address (see Borger.shows_protected_address); empty
    # on letters from before this was kept.
    viser_adresse = models.BooleanField("viser borgerens adresse", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    # The letter's id in Digital Post (MeMo messageUUID): given when the letter is frozen, so
    # that every attempt to send it carries the same id and Digital Post delivers it once.
    meddelelse_uuid = models.UUIDField("meddelelses-UUID", default=uuid.uuid4, unique=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-oprettet", "-id"]
        verbose_name = "brev"
        verbose_name_plural = "breve"
        constraints = [
            # A decision has one letter; any other is a correction of it (or of a correction).
            models.UniqueConstraint(
                fields=["afgoerelse"],
                condition=models.Q(afgoerelse__isnull=False, retter__isnull=True),
                name="one_letter_per_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_art_display()} til {self.modtager_navn}"

    @property
    def printed_address(self) -> bool | None:
        """Whether the letter printed the citizen's address (None: not known, from before that
        was kept). One with a copy went to the guardian or representative, at their address."""
        return False if self.kopi_til else self.viser_adresse

    @property
    def shows_protected_address(self) -> bool:
        """Whether the letter shows an address CPR protects now (vum.protected_documents)."""
        return self.sag.borger.shows_protected_address(
            printed_address=self.printed_address, frozen=self.oprettet
        )

    def latest_dispatches(self) -> list["Forsendelse"]:
        """Where the letter stands for each recipient: the latest dispatch to each (from the
        prefetched rows where there are)."""
        latest: dict[str, Forsendelse] = {}
        for row in sorted(self.forsendelser.all(), key=lambda row: row.pk):
            latest[row.modtager] = row
        return sorted(latest.values(), key=lambda row: row.modtager)


class Forsendelse(models.Model):
    """That a letter was handed to the dispatcher (Digital Post, e-mail, file) for one of its
    recipients: when, its reference and, from Digital Post, when it was delivered. A letter to
    the guardian or representative who holds the citizen's rights goes to them and, as a copy,
    to the citizen: two dispatches, each once. The complaint deadline runs from the delivery to
    the addressee (else the dispatch). Append-only like the letter: a dispatch that failed is
    followed by the caseworker's "send again" and then by the next attempt, each its own row;
    a recipient's latest row says where the letter stands. Digital Post's later receipt for a
    dispatch (delivered, failed, or physical post on its way) is a row of its own after it, with
    the same reference and the receipt's status and time: not a dispatch."""

    class Modtager(models.TextChoices):
        ADRESSAT = "adressat", "Adressat"
        KOPI_TIL_BORGER = "kopi_til_borger", "Kopi til borgeren"

    class Status(models.TextChoices):
        SENDT = "sendt", "Sendt"
        LEVERET = "leveret", "Leveret i Digital Post"
        FYSISK_POST = "fysisk_post", "Sendt som fysisk post"
        FEJLET = "fejlet", "Ikke leveret"
        # The caseworker has seen to a failed dispatch and asked for the letter to go again.
        SENDES_IGEN = "sendes_igen", "Sendes igen"

    brev = models.ForeignKey(Brev, on_delete=models.PROTECT, related_name="forsendelser")
    modtager = models.CharField(
        "modtager", max_length=20, choices=Modtager.choices, default=Modtager.ADRESSAT
    )
    modtager_navn = models.CharField("sendt til", max_length=200, blank=True)
    # The CPR number the dispatch went to (Digital Post); on a "send again" request, the number
    # the caseworker has since given for the addressee the letter was frozen for.
    modtager_cpr = models.CharField("CPR-nummer", max_length=10, blank=True)
    kanal = models.CharField("kanal", max_length=50)
    # Digital Post's messageUUID (its receipts are found by it), a file or an e-mail's id.
    reference = models.CharField("reference", max_length=300, db_index=True)
    sendt = models.DateTimeField("sendt")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.SENDT)
    # When the letter reached the recipient (Digital Post's receipt); the complaint deadline
    # runs from it. Empty where the channel gives no receipt (file, e-mail, physical post).
    leveret = models.DateTimeField("leveret", null=True, blank=True)
    fejl = models.CharField("hvorfor brevet ikke blev leveret", max_length=500, blank=True)
    # The message's number among the letter's messages to this recipient (`Letter.attempt`):
    # one more after Digital Post took one and then reported it failed.
    forsoeg = models.PositiveSmallIntegerField("forsøg", default=0)
    # Digital Post's latest receipt for the dispatch (PKO_PostStatus through Beskedfordeleren):
    # its status as Digital Post words it, and when.
    kvittering = models.CharField("kvittering fra Digital Post", max_length=100, blank=True)
    kvitteret = models.DateTimeField("kvitteret", null=True, blank=True)

    class Meta:
        ordering = ["sendt", "id"]
        verbose_name = "forsendelse"
        verbose_name_plural = "forsendelser"
        constraints = [
            # Each message of a letter to a recipient is sent once: the first, and a new one
            # only after Digital Post's receipt said the earlier failed (receipts are rows,
            # not dispatches).
            models.UniqueConstraint(
                fields=["brev", "modtager", "forsoeg"],
                condition=~models.Q(status__in=["fejlet", "sendes_igen"]) & models.Q(kvittering=""),
                name="a_letter_is_sent_once_to_each_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.brev} ({self.get_modtager_display()}) via {self.kanal} {self.sendt:%d.%m.%Y}"


class ParkeretKvittering(models.Model):
    """A receipt from Digital Post (PKO_PostStatus) that no dispatch of vum's claims yet: it may
    have come before the dispatch's transaction committed (or a worker died between Digital
    Post's acceptance and its commit, and the sweep records the dispatch later). Each fetch of
    receipts applies those whose dispatch is now recorded, then deletes them; one unclaimed for
    `VUM_BESKEDFORDELER_PARK_DAYS` is another system's and is deleted. Holds no citizen data:
    the message's id, Digital Post's status and time, and its reason with any CPR number
    masked."""

    besked_id = models.CharField("BeskedId", max_length=64, unique=True)
    reference = models.CharField("messageUUID", max_length=300, db_index=True)
    status = models.CharField("status", max_length=100)
    tidspunkt = models.DateTimeField("tidspunkt")
    kanal = models.CharField("kanal", max_length=50, blank=True)
    fejl = models.CharField("fejl", max_length=500, blank=True)
    modtaget = models.DateTimeField("modtaget", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "parkeret kvittering"
        verbose_name_plural = "parkerede kvitteringer"

    def __str__(self) -> str:
        return f"{self.status} for {self.reference}"


class KvitteringsFejl(models.Model):
    """How many times vum has failed on a receipt fetched from Beskedfordeleren (its key: the
    BeskedId). A message vum fails on goes back to the queue and comes again; after the second
    failure it goes to the dead letters (forsendelse_receipt_handle). Kept in the database, not
    read from the broker's redelivered flag, which a worker's death or a database outage also
    sets. Deleted with the parked receipts' age. Holds no citizen data."""

    noegle = models.CharField("nøgle", max_length=300, unique=True)
    fejl = models.PositiveSmallIntegerField("antal fejl", default=0)
    sidst = models.DateTimeField("senest fejlet", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "kvitteringsfejl"
        verbose_name_plural = "kvitteringsfejl"

    def __str__(self) -> str:
        return f"{self.noegle}: {self.fejl} fejl"


class Klage(CaseRecord):
    """A complaint about a decision (4 weeks from receipt; reassessment within 4 weeks; then
    Ankestyrelsen). A late complaint is flagged, never refused."""

    class Kanal(models.TextChoices):
        SKRIFTLIG = "skriftlig", "Skriftlig"
        MUNDTLIG = "mundtlig", "Mundtlig"
        DIGITAL = "digital", "Digital"

    class Genvurdering(models.TextChoices):
        MEDHOLD = "medhold", "Fuldt medhold"
        DELVIST_MEDHOLD = "delvist_medhold", "Delvist medhold"
        FASTHOLDT = "fastholdt", "Afgørelsen fastholdes"

    class Ankestyrelsen(models.TextChoices):
        STADFAESTET = "stadfaestet", "Stadfæstet"
        AENDRET = "aendret", "Ændret"
        HJEMVIST = "hjemvist", "Hjemvist"
        OPHAEVET = "ophaevet", "Ophævet"

    sag = models.ForeignKey(Sag, on_delete=models.PROTECT, related_name="klager")
    afgoerelse = models.ForeignKey(Afgoerelse, on_delete=models.PROTECT, related_name="klager")
    modtaget = models.DateTimeField("modtaget")
    kanal = models.CharField("kanal", max_length=20, choices=Kanal.choices)
    tekst = models.TextField("klagen")
    for_sent = models.BooleanField("modtaget efter klagefristen", default=False)
    genvurdering = models.CharField(
        "genvurdering", max_length=20, choices=Genvurdering.choices, blank=True
    )
    genvurderet = models.DateField("genvurderet den", null=True, blank=True)
    ny_afgoerelse = models.ForeignKey(
        Afgoerelse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sendt_til_ankestyrelsen = models.DateField("sendt til Ankestyrelsen", null=True, blank=True)
    ankestyrelsens_afgoerelse = models.CharField(
        "Ankestyrelsens afgørelse", max_length=20, choices=Ankestyrelsen.choices, blank=True
    )
    ankestyrelsens_dato = models.DateField("Ankestyrelsens afgørelse den", null=True, blank=True)
    registreret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-modtaget", "-id"]
        verbose_name = "klage"
        verbose_name_plural = "klager"

    def __str__(self) -> str:
        received = timezone.localtime(self.modtaget)
        return f"Klage {received:%d.%m.%Y} over afgørelse {self.afgoerelse_id}"
