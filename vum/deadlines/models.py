from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vum.accounts.models import User


class FristQuerySet(models.QuerySet["Frist"]):
    def open(self) -> "FristQuerySet":
        return self.filter(status=Frist.Status.AABEN)

    def overdue(self, now: datetime) -> "FristQuerySet":
        """Open and past their time."""
        return self.open().filter(frist__lt=now)

    def for_user(self, user: object) -> "FristQuerySet":
        """Deadlines the user answers for: their own; their team's with no named person; those
        of their cases with neither; and those of their team's cases that nobody has taken.
        The warning sweep notifies by the same rule."""
        unnamed = Q(ansvarlig__isnull=True)
        no_team = Q(ansvarligt_team__isnull=True)
        teams = User.teams.through.objects.filter(user_id=getattr(user, "pk", 0)).values("team_id")
        branches = [
            Q(ansvarlig=user),
            unnamed & Q(ansvarligt_team__in=teams),
            unnamed & no_team & Q(sag__sagsbehandler=user),
            unnamed & no_team & Q(sag__sagsbehandler__isnull=True, sag__team__in=teams),
        ]
        # A UNION of the four, each of which an index answers, rather than one OR across joins:
        # with the OR, PostgreSQL walks every open deadline in due order to fill a page of a
        # user's few (seconds at 200,000 citizens), and a join through the members would
        # repeat a deadline per membership.
        parts = [self.filter(branch).order_by().values("pk") for branch in branches]
        return self.filter(pk__in=parts[0].union(*parts[1:]))


class Frist(models.Model):
    """A dated obligation on a case, produced by a rule (stated in `regel`).

    Open until it is met or cancelled. Met after its due time it is closed as missed
    (overskredet), so that "deadlines met" can be counted; an open deadline past its due time is
    shown as overdue.
    """

    class Art(models.TextChoices):
        SAGSBEHANDLINGSFRIST = "sagsbehandlingsfrist", "Sagsbehandlingsfrist"
        PARTSHOERING = "partshoering", "Partshøring"
        SKRIFTLIG_AFGOERELSE = "skriftlig_afgoerelse", "Skriftlig afgørelse"
        KLAGE = "klage", "Klagebehandling"
        VARSLINGSPERIODE = "varslingsperiode", "Varslingsperiode"
        STATUSNOTAT = "statusnotat", "Statusnotat"
        OPFOELGNING = "opfoelgning", "Opfølgning"
        OPFOELGNINGSSKEMA = "opfoelgningsskema", "Opfølgningsskema"
        AFTALE = "aftale", "Aftalt møde"
        ANMODNING = "anmodning", "Anmodning fra udfører"
        STATUSNOTAT_GENNEMGANG = "statusnotat_gennemgang", "Gennemgang af statusnotat"
        HANDLEPLAN = "handleplan", "Ny handleplan"
        BREV_IKKE_LEVERET = "brev_ikke_leveret", "Brev ikke leveret"

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
    ansvarligt_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ansvarligt team",
    )
    # A deadline the provider answers for (the statusnotat): its staff are warned, on their page.
    ansvarlig_udfoerer = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ansvarlig udfører",
    )
    regel = models.CharField("regel", max_length=300, blank=True)
    # What raised a task that something other than its case closes (e.g. the letter and
    # recipient of a "Brev ikke leveret"), so that it is found by key, not by its wording.
    kilde = models.CharField("kilde", max_length=100, blank=True)
    oprettet = models.DateTimeField("oprettet", auto_now_add=True)
    afsluttet = models.DateTimeField("afsluttet", null=True, blank=True)
    # Raised on every move, so that the warnings for the new due time are new warnings.
    generation = models.PositiveIntegerField("generation", default=1)

    objects = FristQuerySet.as_manager()

    class Meta:
        ordering = ["frist"]
        verbose_name = "frist"
        verbose_name_plural = "frister"
        indexes = [
            models.Index(fields=["sag", "status", "frist"]),
            # The dashboard's figures change when a deadline falls due: the cases whose
            # deadlines fell due since the figures were last brought up to date.
            models.Index(fields=["frist"], name="frist_forfald"),
        ]

    def __str__(self) -> str:
        return f"{self.get_art_display()} {timezone.localtime(self.frist):%d.%m.%Y}"

    @property
    def audit_borger_id(self) -> int | None:
        return self.sag.borger_id

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.AABEN and self.frist < timezone.now()


class FristFlytning(models.Model):
    """The history of a deadline's moves (an extension needs a reason)."""

    frist = models.ForeignKey(Frist, on_delete=models.CASCADE, related_name="flytninger")
    fra = models.DateTimeField("fra")
    til = models.DateTimeField("til")
    begrundelse = models.TextField("begrundelse")
    flyttet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    tidspunkt = models.DateTimeField("tidspunkt", auto_now_add=True)

    class Meta:
        ordering = ["tidspunkt", "id"]
        verbose_name = "flytning af frist"
        verbose_name_plural = "flytninger af frister"

    def __str__(self) -> str:
        return f"{self.frist}: {self.fra:%d.%m.%Y} → {self.til:%d.%m.%Y}"


class Varsel(models.Model):
    """One warning step of one deadline (e.g. seven days before). Delivered exactly once: the
    sweep locks it, records the notification and marks it delivered in one transaction."""

    frist = models.ForeignKey(Frist, on_delete=models.CASCADE, related_name="varsler")
    generation = models.PositiveIntegerField("generation")
    trin = models.CharField("trin", max_length=30)
    forfald = models.DateTimeField("forfalder")
    leveret = models.DateTimeField("leveret", null=True, blank=True)
    annulleret = models.BooleanField("annulleret", default=False)

    class Meta:
        ordering = ["forfald"]
        verbose_name = "varsel"
        verbose_name_plural = "varsler"
        constraints = [
            models.UniqueConstraint(
                fields=["frist", "generation", "trin"], name="one_warning_per_step"
            )
        ]
        indexes = [
            # The sweep's only query: due and pending. Small, whatever the number of deadlines.
            models.Index(
                fields=["forfald"],
                condition=Q(leveret__isnull=True, annulleret=False),
                name="varsel_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trin} for {self.frist}"
