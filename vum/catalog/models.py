"""Reference data: KL's FFB catalog and the municipal service catalogs (kvalitetsstandarder).

Versioning. Every catalog row belongs to a catalog (`katalog`: "ffb" or a municipality's slug) and
a version of it, and carries a validity period [`gyldig_fra`, `gyldig_til`] (both days inclusive;
an open end means "still valid"). A row is identified by (katalog, slug, version): loading a new
version of a catalog adds new rows and ends the validity of the previous version's rows on the day
before the new one starts. Rows are never updated in content or deleted by the loader, so a case
that points at a row (ForeignKey, on_delete=PROTECT) keeps the exact wording it was assessed with.

Where KL publishes an official FFB code (code system urn:oid:1.2.208.176.2.22) a row carries it in
`ffb_kode` with the code-system version, so the data can be exchanged with other municipal systems.
"""

from datetime import date
from typing import Any, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from vum.calendar import Unit

FFB_KODESYSTEM = "urn:oid:1.2.208.176.2.22"
FFB_KATALOG = "ffb"

# FFB codes "Ikke vurderet" for both scales. They are deliberately not rows of the scales: an
# unassessed sub-theme or support need is stored as no value (NULL) and exported as these codes.
IKKE_VURDERET_FUNKTIONSEVNE = "1c327095-107f-4b96-88d0-ec562cb980be"
IKKE_VURDERET_STOETTEBEHOV = "2254dac8-8aa3-4334-8502-9720194f49ad"


class Katalogversion(models.Model):
    """One loaded version of one catalog file: the register the loader keeps."""

    katalog = models.CharField("katalog", max_length=40)
    version = models.CharField("version", max_length=40)
    gyldig_fra = models.DateField("gyldig fra")
    titel = models.CharField("titel", max_length=300, blank=True)
    kilde = models.TextField("kilde", blank=True)
    fil = models.CharField("fil", max_length=300, blank=True)
    sha256 = models.CharField("SHA-256 af filen", max_length=64, blank=True)
    indlaest = models.DateTimeField("indlæst", auto_now_add=True)

    class Meta:
        ordering = ["katalog", "gyldig_fra"]
        verbose_name = "katalogversion"
        verbose_name_plural = "katalogversioner"
        constraints = [
            models.UniqueConstraint(fields=["katalog", "version"], name="catalog_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.katalog} {self.version}"


class VersionedQuerySet(models.QuerySet[Any]):
    def current(self, on: date | None = None) -> Self:
        """Rows valid on `on` (default: today)."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=day), gyldig_fra__lte=day)

    def version(self, version: str) -> Self:
        return self.filter(version=version)


class VersionedRow(models.Model):
    """A row of a versioned reference table."""

    slug = models.SlugField("slug", max_length=120, help_text="Stabil nøgle på tværs af versioner.")
    navn = models.CharField("navn", max_length=300)
    raekkefoelge = models.PositiveIntegerField("rækkefølge", default=0)
    katalog = models.CharField("katalog", max_length=40, editable=False)
    version = models.CharField("version", max_length=40)
    gyldig_fra = models.DateField("gyldig fra")
    gyldig_til = models.DateField(
        "gyldig til", null=True, blank=True, help_text="Sidste gyldige dag; tom = gælder stadig."
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["raekkefoelge", "navn"]

    def __str__(self) -> str:
        return self.navn

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rows added in the admin belong to the catalog of their kind (FFB or the municipality).
        if not self.katalog:
            self.katalog = self.default_katalog()
        super().save(*args, **kwargs)

    def default_katalog(self) -> str:
        return FFB_KATALOG

    def clean(self) -> None:
        super().clean()
        if self.gyldig_til is not None and self.gyldig_fra and self.gyldig_til < self.gyldig_fra:
            raise ValidationError({"gyldig_til": "Gyldig til må ikke ligge før gyldig fra."})

    @classmethod
    def version_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        return [
            models.UniqueConstraint(
                fields=["katalog", "slug", "version"], name=f"{prefix}_slug_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=models.F("gyldig_fra")),
                name=f"{prefix}_validity_ordered",
            ),
        ]


class FfbCoded(models.Model):
    """The official FFB code of a row, where KL publishes one."""

    ffb_kode = models.UUIDField(
        "FFB-kode",
        null=True,
        blank=True,
        help_text="KL's officielle FFB-kode; tom hvis KL ingen har.",
    )
    kodesystem_version = models.CharField("kodesystemversion", max_length=20, blank=True)
    definition = models.TextField(
        "definition", blank=True, help_text="FFB's definition; vises som hjælpetekst."
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.ffb_kode and not self.kodesystem_version:
            raise ValidationError(
                {"kodesystem_version": "Angiv kodesystemets version, når der er en FFB-kode."}
            )


class TreeMixin(models.Model):
    """Parent links stay within one version; a parent may not be the row itself or a descendant."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="overordnet",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        parent = self.parent
        if parent is None:
            return
        # Every tree is also a VersionedRow; the mixin itself does not know the field.
        if getattr(parent, "version", None) != getattr(self, "version", None):
            raise ValidationError({"parent": "Overordnet række skal høre til samme version."})
        seen: set[int] = set()
        node: TreeMixin | None = parent
        while node is not None:
            if (node.pk is not None and node.pk == self.pk) or node.pk in seen:
                raise ValidationError({"parent": "Træet må ikke indeholde en cyklus."})
            seen.add(node.pk)
            node = node.parent


# The FFB catalog


class Kategori(FfbCoded, VersionedRow):
    """Funktioner og forhold, Omgivelsesfaktorer, Aktivitet og deltagelse."""

    scores = models.BooleanField(
        "scores 0-4", default=False, help_text="Kun Aktivitet og deltagelse scores 0-4."
    )

    class Meta(VersionedRow.Meta):
        verbose_name = "FFB-kategori"
        verbose_name_plural = "FFB-kategorier"
        constraints = VersionedRow.version_constraints("kategori")


class Tema(FfbCoded, VersionedRow):
    kategori = models.ForeignKey(
        Kategori, on_delete=models.PROTECT, related_name="temaer", verbose_name="kategori"
    )

    class Meta(VersionedRow.Meta):
        verbose_name = "FFB-tema"
        verbose_name_plural = "FFB-temaer"
        constraints = VersionedRow.version_constraints("tema")


class Undertema(FfbCoded, VersionedRow):
    tema = models.ForeignKey(
        Tema, on_delete=models.PROTECT, related_name="undertemaer", verbose_name="tema"
    )
    scores = models.BooleanField(
        "scores 0-4",
        default=False,
        help_text="Funktionsevneniveau 0-4 (kun Aktivitet og deltagelse); ellers kun tekst.",
    )

    class Meta(VersionedRow.Meta):
        verbose_name = "FFB-undertema"
        verbose_name_plural = "FFB-undertemaer"
        constraints = VersionedRow.version_constraints("undertema")

    def clean(self) -> None:
        super().clean()
        if self.tema_id is not None:
            kategori_scores = self.tema.kategori.scores
            if self.scores and not kategori_scores:
                raise ValidationError(
                    {"scores": "Kun undertemaer under Aktivitet og deltagelse kan scores 0-4."}
                )
            if kategori_scores and not self.scores:
                raise ValidationError(
                    {"scores": "Undertemaer under Aktivitet og deltagelse scores altid 0-4."}
                )


class ScaleLevel(FfbCoded, VersionedRow):
    """A level 0-4 of an FFB scale. FFB has no numbers; the 0-4 mapping follows the labels."""

    vaerdi = models.PositiveSmallIntegerField(
        "værdi", validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    synonymer = models.CharField("synonymer", max_length=200, blank=True)
    kriterium = models.TextField("kriterium", blank=True)

    class Meta(VersionedRow.Meta):
        abstract = True
        ordering = ["vaerdi"]


class Funktionsevneniveau(ScaleLevel):
    """0 Ingen ... 4 Fuldstændig nedsat funktionsevne. "Ikke vurderet" is no value, not a level."""

    class Meta(ScaleLevel.Meta):
        verbose_name = "funktionsevneniveau"
        verbose_name_plural = "funktionsevneniveauer"
        constraints = [
            *VersionedRow.version_constraints("funktionsevneniveau"),
            models.UniqueConstraint(
                fields=["katalog", "version", "vaerdi"], name="funktionsevneniveau_value_unique"
            ),
            models.CheckConstraint(condition=Q(vaerdi__lte=4), name="funktionsevneniveau_0_4"),
        ]


class Stoettebehov(ScaleLevel):
    """The five støttebehov levels, Intet ... Fuldstændigt."""

    class Meta(ScaleLevel.Meta):
        verbose_name = "støttebehov"
        verbose_name_plural = "støttebehov"
        constraints = [
            *VersionedRow.version_constraints("stoettebehov"),
            models.UniqueConstraint(
                fields=["katalog", "version", "vaerdi"], name="stoettebehov_value_unique"
            ),
            models.CheckConstraint(condition=Q(vaerdi__lte=4), name="stoettebehov_0_4"),
        ]


class Maaltype(FfbCoded, VersionedRow):
    class Meta(VersionedRow.Meta):
        verbose_name = "måltype"
        verbose_name_plural = "måltyper"
        constraints = VersionedRow.version_constraints("maaltype")


class Fremadrettet(FfbCoded, VersionedRow):
    """How a goal goes on after a follow-up (Mål uændret / revideres / afsluttes). No FFB code."""

    class Meta(VersionedRow.Meta):
        verbose_name = "fremadrettet (mål)"
        verbose_name_plural = "fremadrettet (mål)"
        constraints = VersionedRow.version_constraints("fremadrettet")


class StatusPaaIndsats(FfbCoded, VersionedRow):
    class Meta(VersionedRow.Meta):
        verbose_name = "status på indsats"
        verbose_name_plural = "status på indsats"
        constraints = VersionedRow.version_constraints("statuspaaindsats")


class Visitationsudfald(FfbCoded, VersionedRow):
    """Outcomes of a visitationsudvalg meeting. No FFB code."""

    class Meta(VersionedRow.Meta):
        verbose_name = "visitationsudfald"
        verbose_name_plural = "visitationsudfald"
        constraints = VersionedRow.version_constraints("visitationsudfald")


class Maalgruppe(TreeMixin, FfbCoded, VersionedRow):
    kan_vaelges = models.BooleanField(
        "kan vælges", default=True, help_text="Grupperingsniveauer kan ikke vælges på en sag."
    )

    class Meta(VersionedRow.Meta):
        verbose_name = "målgruppe"
        verbose_name_plural = "målgrupper"
        constraints = VersionedRow.version_constraints("maalgruppe")


class Ydelse(TreeMixin, FfbCoded, VersionedRow):
    lovgrundlag = models.CharField(
        "lovgrundlag", max_length=300, blank=True, help_text="Fx 'SEL § 85'."
    )

    class Meta(VersionedRow.Meta):
        verbose_name = "FFB-ydelse"
        verbose_name_plural = "FFB-ydelser"
        constraints = VersionedRow.version_constraints("ydelse")


class Tilbudstype(TreeMixin, FfbCoded, VersionedRow):
    lovgrundlag = models.CharField("lovgrundlag", max_length=300, blank=True)

    class Meta(VersionedRow.Meta):
        verbose_name = "tilbudstype"
        verbose_name_plural = "tilbudstyper"
        constraints = VersionedRow.version_constraints("tilbudstype")


# Municipal catalogs


class Kommune(models.Model):
    """A municipality whose service catalog is loaded. A deployment picks one (VUM_MUNICIPALITY)."""

    slug = models.SlugField("slug", unique=True)
    navn = models.CharField("navn", max_length=100)
    klagefrist_uger = models.PositiveSmallIntegerField(
        "klagefrist (uger)", null=True, blank=True, help_text="Tom hvis kommunen ikke oplyser den."
    )
    skriftlig_afgoerelse_efter_udvalg = models.PositiveSmallIntegerField(
        "skriftlig afgørelse efter visitationsudvalget (arbejdsdage)",
        null=True,
        blank=True,
        help_text="Tom hvis kommunen ikke oplyser en frist.",
    )
    fristmaal_procent = models.PositiveSmallIntegerField(
        "mål for overholdte sagsbehandlingsfrister (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    bemaerkninger = models.TextField("bemærkninger", blank=True)

    class Meta:
        ordering = ["navn"]
        verbose_name = "kommune"
        verbose_name_plural = "kommuner"

    def __str__(self) -> str:
        return self.navn


class MunicipalRow(VersionedRow):
    """A row of a municipality's catalog: its catalog is the municipality's slug."""

    kommune_id: int | None

    class Meta(VersionedRow.Meta):
        abstract = True

    def default_katalog(self) -> str:
        kommune = getattr(self, "kommune", None)
        return kommune.slug if kommune is not None else ""


class Lovhenvisning(MunicipalRow):
    """A legal reference as a municipality's documents cite it, with an editable law extract."""

    kommune = models.ForeignKey(
        Kommune, on_delete=models.PROTECT, related_name="lovhenvisninger", verbose_name="kommune"
    )
    lov = models.CharField("lov", max_length=200, help_text="Fx 'Lov om social service'.")
    forkortelse = models.CharField("forkortelse", max_length=20, blank=True)
    nummer = models.CharField(
        "nummer", max_length=100, blank=True, help_text="Fx 'lovbekendtgørelse nr. 798'."
    )
    dato = models.DateField("dato", null=True, blank=True)
    paragraf = models.CharField("§", max_length=20, blank=True)
    stk = models.CharField("stk.", max_length=20, blank=True)
    lovtekst = models.TextField(
        "lovtekst (uddrag)",
        blank=True,
        help_text="Uddrag til breve. Udfyldes af administrator, hvor kilden ikke citerer loven.",
    )
    kilde = models.CharField("kilde", max_length=300, blank=True)

    class Meta(VersionedRow.Meta):
        ordering = ["kommune", "raekkefoelge"]
        verbose_name = "lovhenvisning"
        verbose_name_plural = "lovhenvisninger"
        constraints = VersionedRow.version_constraints("lovhenvisning")

    def __str__(self) -> str:
        return self.henvisning

    @property
    def henvisning(self) -> str:
        """The reference as written in a letter: 'servicelovens § 85, stk. 1'."""
        name = self.forkortelse or self.lov
        text = f"{name} § {self.paragraf}" if self.paragraf else name
        return f"{text}, stk. {self.stk}" if self.stk else text


class Pligt(models.TextChoices):
    SKAL = "skal", "Skal-bestemmelse"
    KAN = "kan", "Kan-bestemmelse"


class Hjemmel(MunicipalRow):
    """A legal basis of a municipal service: the reference plus how the municipality applies it."""

    kommune = models.ForeignKey(
        Kommune, on_delete=models.PROTECT, related_name="hjemler", verbose_name="kommune"
    )
    lovhenvisning = models.ForeignKey(
        Lovhenvisning,
        on_delete=models.PROTECT,
        related_name="hjemler",
        verbose_name="lovhenvisning",
    )
    pligt = models.CharField(
        "skal/kan", max_length=4, choices=Pligt.choices, blank=True, help_text="Tom: ikke oplyst."
    )
    klageadgang = models.BooleanField(
        "kan påklages", null=True, blank=True, help_text="Tom: ikke oplyst i kilden."
    )
    varsel_uger = models.PositiveSmallIntegerField(
        "varsel ved nedsættelse/frakendelse (uger)", null=True, blank=True
    )
    bemaerkning = models.TextField("bemærkning", blank=True)

    class Meta(VersionedRow.Meta):
        ordering = ["kommune", "raekkefoelge"]
        verbose_name = "hjemmel"
        verbose_name_plural = "hjemler"
        constraints = VersionedRow.version_constraints("hjemmel")

    def clean(self) -> None:
        super().clean()
        if self.lovhenvisning_id is not None and self.kommune_id != self.lovhenvisning.kommune_id:
            raise ValidationError({"lovhenvisning": "Lovhenvisningen hører til en anden kommune."})


class Afgoerelseskompetence(models.TextChoices):
    SAGSBEHANDLER = "sagsbehandler", "Sagsbehandler"
    VISITATIONSUDVALG = "visitationsudvalg", "Visitationsudvalg"
    LEDER_AF_TILBUDDET = "leder_af_tilbuddet", "Lederen af tilbuddet"
    INGEN_VISITATION = "ingen_visitation", "Ingen visitation"


class Omfangsenhed(models.TextChoices):
    TIMER = "timer", "timer"
    DOEGN = "doegn", "døgn"
    MOEDEGANGE = "moedegange", "mødegange"


class Omfangsperiode(models.TextChoices):
    UGE = "uge", "pr. uge"
    MAANED = "maaned", "pr. måned"
    AAR = "aar", "pr. år"
    I_ALT = "i_alt", "i alt"


class KommunalYdelse(MunicipalRow):
    """A service in a municipality's catalog (one kvalitetsstandard, or one part of it)."""

    kommune = models.ForeignKey(
        Kommune, on_delete=models.PROTECT, related_name="ydelser", verbose_name="kommune"
    )
    kode = models.CharField("kode", max_length=20, help_text="Fx 'R-85' eller 'V-85'.")
    alternativt_navn = models.CharField("andet navn", max_length=300, blank=True)
    hjemler = models.ManyToManyField(
        Hjemmel, blank=True, related_name="ydelser", verbose_name="hjemler"
    )
    ffb_ydelser = models.ManyToManyField(
        Ydelse, blank=True, related_name="kommunale_ydelser", verbose_name="FFB-ydelser"
    )
    standard_foreligger = models.BooleanField(
        "kvalitetsstandard foreligger",
        default=True,
        help_text="Nej: kommunen nævner standarden, men dens regler er ikke leveret endnu.",
    )
    maalgruppe = models.TextField("målgruppe", blank=True)
    formaal = models.TextField("formål", blank=True)
    indhold = models.TextField("indhold", blank=True)
    undtagelser = models.TextField("indgår ikke", blank=True)
    omfang = models.TextField("omfang", blank=True)
    omfang_antal = models.DecimalField(
        "omfang (antal)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    omfang_enhed = models.CharField(
        "omfang (enhed)", max_length=12, choices=Omfangsenhed.choices, blank=True
    )
    omfang_periode = models.CharField(
        "omfang (periode)", max_length=8, choices=Omfangsperiode.choices, blank=True
    )
    maks_varighed = models.PositiveIntegerField("maksimal varighed", null=True, blank=True)
    maks_varighed_enhed = models.CharField(
        "maksimal varighed (enhed)", max_length=12, choices=Unit.choices, blank=True
    )
    maks_varighed_ufravigelig = models.BooleanField(
        "varigheden kan ikke fraviges", null=True, blank=True
    )
    maks_gange_pr_behov = models.PositiveSmallIntegerField(
        "højst antal gange pr. støttebehov", null=True, blank=True
    )
    leverandoer = models.TextField("hvem leverer", blank=True)
    leveringssted = models.TextField("hvor leveres", blank=True)
    egenbetaling = models.TextField("egenbetaling", blank=True)
    opfoelgning = models.TextField("opfølgning", blank=True)
    foerste_opfoelgning = models.PositiveSmallIntegerField(
        "første opfølgning senest efter", null=True, blank=True
    )
    opfoelgning_interval_min = models.PositiveSmallIntegerField(
        "opfølgningsinterval fra", null=True, blank=True
    )
    opfoelgning_interval_maks = models.PositiveSmallIntegerField(
        "opfølgningsinterval til", null=True, blank=True
    )
    opfoelgning_enhed = models.CharField(
        "opfølgning (enhed)", max_length=12, choices=Unit.choices, blank=True
    )
    opfoelgning_efter_behov = models.BooleanField("opfølgning efter behov", null=True, blank=True)
    afgoerelseskompetence = models.CharField(
        "afgørelseskompetence", max_length=20, choices=Afgoerelseskompetence.choices, blank=True
    )
    kraever_visitation = models.BooleanField("kræver visitation", null=True, blank=True)
    frit_valg = models.BooleanField("frit valg af leverandør", null=True, blank=True)
    partshoering_foer_ophoer = models.BooleanField(
        "partshøring før planlagt ophør", null=True, blank=True
    )
    saerlige_bemaerkninger = models.TextField("særlige bemærkninger", blank=True)
    kilde = models.CharField("kilde", max_length=300, blank=True)

    class Meta(VersionedRow.Meta):
        ordering = ["kommune", "raekkefoelge"]
        verbose_name = "kommunal ydelse"
        verbose_name_plural = "kommunale ydelser"
        constraints = [
            *VersionedRow.version_constraints("kommunalydelse"),
            models.UniqueConstraint(
                fields=["kommune", "kode", "version"], name="kommunalydelse_code_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kode} {self.navn}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if (self.maks_varighed is None) != (not self.maks_varighed_enhed):
            errors["maks_varighed_enhed"] = "Angiv både varighed og enhed, eller ingen af dem."
        if self.omfang_antal is not None and not self.omfang_enhed:
            errors["omfang_enhed"] = "Angiv enheden for omfanget."
        interval = (self.opfoelgning_interval_min, self.opfoelgning_interval_maks)
        if None not in interval and interval[0] > interval[1]:  # type: ignore[operator]
            errors["opfoelgning_interval_maks"] = "Intervallets slutning ligger før begyndelsen."
        uses_unit = (self.foerste_opfoelgning, *interval) != (None, None, None)
        if uses_unit and not self.opfoelgning_enhed:
            errors["opfoelgning_enhed"] = "Angiv enheden for opfølgningen."
        if errors:
            raise ValidationError(errors)


class Niveau(models.Model):
    """A support level of a service (Randers § 85: 1-5; Viborg § 85: 1-4 and X)."""

    kommunal_ydelse = models.ForeignKey(
        KommunalYdelse, on_delete=models.CASCADE, related_name="niveauer", verbose_name="ydelse"
    )
    kode = models.CharField("kode", max_length=4)
    navn = models.CharField("navn", max_length=200)
    beskrivelse = models.TextField("beskrivelse", blank=True)
    kontaktfrekvens = models.CharField("kontaktfrekvens", max_length=200, blank=True)
    raekkefoelge = models.PositiveSmallIntegerField("rækkefølge", default=0)

    class Meta:
        ordering = ["kommunal_ydelse", "raekkefoelge"]
        verbose_name = "niveau"
        verbose_name_plural = "niveauer"
        constraints = [
            models.UniqueConstraint(fields=["kommunal_ydelse", "kode"], name="niveau_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kode} {self.navn}"


class Ansoegningstype(models.TextChoices):
    NY = "ny", "Ny ansøgning"
    AENDRING = "aendring", "Ændring"
    AENDRING_NYE_OPLYSNINGER = "aendring_nye_oplysninger", "Ændring, der kræver nye oplysninger"


class Sagsbehandlingsfrist(models.Model):
    """A processing deadline a municipality has set for a service (retssikkerhedslovens § 3)."""

    kommunal_ydelse = models.ForeignKey(
        KommunalYdelse,
        on_delete=models.CASCADE,
        related_name="sagsbehandlingsfrister",
        verbose_name="ydelse",
    )
    ansoegningstype = models.CharField(
        "ansøgningstype",
        max_length=30,
        choices=Ansoegningstype.choices,
        blank=True,
        help_text="Tom: gælder alle ansøgningstyper, som kilden ikke skelner imellem.",
    )
    vaerdi = models.PositiveIntegerField("værdi", validators=[MinValueValidator(1)])
    enhed = models.CharField("enhed", max_length=12, choices=Unit.choices)
    startbegivenhed = models.CharField(
        "fristen regnes fra", max_length=200, default="modtagelse af ansøgningen"
    )
    kilde = models.CharField("kilde", max_length=300, blank=True)

    class Meta:
        ordering = ["kommunal_ydelse", "ansoegningstype"]
        verbose_name = "sagsbehandlingsfrist"
        verbose_name_plural = "sagsbehandlingsfrister"
        constraints = [
            models.UniqueConstraint(
                fields=["kommunal_ydelse", "ansoegningstype"], name="frist_per_type_unique"
            ),
            models.CheckConstraint(condition=Q(vaerdi__gt=0), name="frist_positive"),
        ]

    def __str__(self) -> str:
        kind = self.get_ansoegningstype_display() or "Alle ansøgninger"
        return f"{kind}: {self.vaerdi} {self.get_enhed_display()}"


class Takst(models.Model):
    """A rate or band a municipality publishes for a service, for the year it was set."""

    kommunal_ydelse = models.ForeignKey(
        KommunalYdelse, on_delete=models.CASCADE, related_name="takster", verbose_name="ydelse"
    )
    aar = models.PositiveSmallIntegerField("prisniveau (år)")
    beskrivelse = models.CharField("beskrivelse", max_length=300)
    fra_kr = models.DecimalField(
        "fra (kr.)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    til_kr = models.DecimalField(
        "til (kr.)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    beloeb_kr = models.DecimalField(
        "beløb (kr.)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Tom: de faktiske udgifter.",
    )
    enhed = models.CharField("enhed", max_length=40, blank=True, help_text="Fx 'pr. døgn'.")
    raekkefoelge = models.PositiveSmallIntegerField("rækkefølge", default=0)

    class Meta:
        ordering = ["kommunal_ydelse", "aar", "raekkefoelge"]
        verbose_name = "takst"
        verbose_name_plural = "takster"

    def __str__(self) -> str:
        return f"{self.aar}: {self.beskrivelse}"

    def clean(self) -> None:
        super().clean()
        if self.fra_kr is not None and self.til_kr is not None and self.til_kr < self.fra_kr:
            raise ValidationError({"til_kr": "Intervallets slutning ligger før begyndelsen."})
