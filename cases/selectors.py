"""Reads of citizens and cases. Every read of a citizen's data leaves an audit event here, so
that pages and the API are audited alike."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Case, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from cases import cpr as cpr_rules
from cases.lifecycle import blockers
from cases.models import (
    Borger,
    Formaal,
    Henvendelse,
    Journalnotat,
    Relation,
    Sag,
    Sagsaabning,
    Samtykke,
)
from vum.access import (
    SEARCH_RESULT_SUMMARY,
    Action,
    NotFoundForUser,
    borgere_visible_to,
    get_borger_or_404,
    get_sag_or_404,
    henvendelser_visible_to,
    may,
    require,
    sager_visible_to,
)
from vum.accounts.models import User
from vum.audit.alerts import bulk_lookup_alert
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record, audit_record_many
from vum.deadlines.models import Frist, FristFlytning

M = TypeVar("M", bound=Model)


def with_next_deadline(qs: QuerySet[Sag]) -> QuerySet[Sag]:
    next_open = Frist.objects.filter(sag=OuterRef("pk"), status=Frist.Status.AABEN).order_by(
        "frist"
    )
    return qs.annotate(
        naeste_frist=Subquery(next_open.values("frist")[:1]),
        naeste_frist_beskrivelse=Subquery(next_open.values("beskrivelse")[:1]),
    )


LIST_PAGE_SIZE = 50


def open_sager(*, user: User, own: bool = False, newest_first: bool = False) -> QuerySet[Sag]:
    """The open cases in the user's scope (a caseworker's teams, a leader's area, a committee
    member's agendas; `own`: only those the user is caseworker on), with their next deadline,
    for the lists to filter, sort and page: the nearest deadline first, or with `newest_first`
    the newest case first (the order of a leader's whole area: ordering by the next deadline
    needs that of every open case, about 1.5 s for 100,000). Not audited: `list_page_get`
    audits the page that is shown."""
    qs = sager_visible_to(user).exclude(fase="afsluttet")
    if own:
        qs = qs.filter(sagsbehandler=user)
    qs = with_next_deadline(qs.select_related("borger", "team", "sagsbehandler"))
    if newest_first:
        return qs.order_by("-oprettet", "-pk")
    return qs.order_by(Coalesce("naeste_frist", "oprettet").asc(nulls_last=True), "pk")


def open_frister(*, user: User) -> QuerySet[Frist]:
    """'Mine frister': the open deadlines the user answers for on cases in their scope, soonest
    first. Not audited: `list_page_get` audits the cases of the page that is shown."""
    return (
        Frist.objects.open()
        .for_user(user)
        .filter(sag__in=sager_visible_to(user))
        .select_related("sag__borger", "sag__team")
        .order_by("frist", "pk")
    )


def list_page_get(
    *,
    user: User,
    rows: QuerySet[M],
    number: str | int | None,
    summary: str,
    size: int = LIST_PAGE_SIZE,
) -> Page[M]:
    """One page of a list, read and audited: one LIST event per case (or citizen) shown, in one
    INSERT; a deadline's row is audited as its case. A page number out of range shows the
    last page, as a bookmarked list may have shrunk since."""
    page = Paginator(rows, size).get_page(number)
    page.object_list = list(page.object_list)
    cases = {row.sag_id: row.sag for row in page.object_list if isinstance(row, Frist)}
    list_page(user=user, rows=list(cases.values()) or page.object_list, summary=summary)
    return page


def sag_frister(*, sag: Sag) -> list[Frist]:
    """The case's deadlines, the open ones first, then the closed ones, each group by due date,
    each deadline with its moves. Not audited: the case page audits itself with `sag_get`."""
    return list(
        Frist.objects.filter(sag=sag)
        .select_related("ansvarlig", "ansvarligt_team", "ansvarlig_udfoerer")
        .prefetch_related(
            Prefetch("flytninger", queryset=FristFlytning.objects.select_related("flyttet_af"))
        )
        .annotate(lukket=Case(When(status=Frist.Status.AABEN, then=Value(0)), default=Value(1)))
        .order_by("lukket", "frist", "pk")
    )


class Soegeformaal(models.TextChoices):
    """Why a caseworker searches the whole register: stated with every search, and logged."""

    NY_HENVENDELSE = "ny-henvendelse", "Registrere en henvendelse eller ansøgning"
    OPLYSNINGER = "oplysninger-fra-myndighed", "Oplysninger fra en anden myndighed"
    KOORDINERING = "koordinering-med-anden-sag", "Koordinere med en anden sag"
    INDSIGT = "borgerens-anmodning", "Borgerens egen anmodning (fx om indsigt)"


@dataclass(frozen=True)
class SearchHit:
    """A citizen found by a search: identification only, unless `adgang` (the citizen is in the
    user's teams' cases or enquiries, or was registered by the user); then also the citizen's
    open cases that the user may see, oldest first."""

    borger: Borger
    adgang: bool
    aabne_sager: tuple[Sag, ...]


BIRTH_DATE_DIGITS = 6  # ddmmyy, the first six digits of a CPR number
CPR_DIGITS = 10


def borger_search(*, user: User, query: str, formaal: str, limit: int = 50) -> list[SearchHit]:
    """A full CPR number finds that citizen; a birth date (ddmmyy) or the start of a CPR number
    finds those it begins; other text searches names, across the register.
    Every search states its purpose and is audited, as is every citizen it shows; a user who
    searches far more than a day's work needs is reported to the administrators."""
    require(user, Action.SEARCH_BORGER)
    query = query.strip()
    if "\x00" in query:
        raise ValidationError({"q": "Søgningen indeholder et ugyldigt tegn."})
    if formaal not in Soegeformaal.values:
        raise ValidationError({"formaal": "Angiv formålet med søgningen."})
    qs = Borger.objects.all()
    try:
        cpr = cpr_rules.normalise(query)
    except ValidationError:
        cpr = None
    digits = query.replace("-", "")
    if cpr is not None:
        results = list(qs.filter(cpr=cpr)[:1])
        summary = "Søgning på CPR-nummer"
    elif digits.isdigit() and BIRTH_DATE_DIGITS <= len(digits) < CPR_DIGITS:
        results = list(qs.filter(cpr__startswith=digits).order_by("cpr")[:limit])
        summary = "Søgning på fødselsdato"
        # Logged as the birth date it names, never as more of a CPR number.
        query = digits[:BIRTH_DATE_DIGITS]
    else:
        words = query.split()
        for word in words:
            qs = qs.filter(Q(fornavn__icontains=word) | Q(efternavn__icontains=word))
        results = list(qs.order_by("efternavn", "fornavn")[:limit]) if words else []
        summary = "Søgning på navn"
    audit_record(
        actor=user,
        action=AuditAction.SEARCH,
        borger_id=results[0].pk if cpr is not None and results else None,
        summary=f"{summary} ({len(results)} fundet)",
        changes={"soegning": cpr_rules.mask(cpr) if cpr else query, "formaal": formaal},
    )
    if results:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=results, summary=SEARCH_RESULT_SUMMARY
        )
    bulk_lookup_alert(user=user)
    in_scope = set(
        borgere_visible_to(user).filter(pk__in=[b.pk for b in results]).values_list("pk", flat=True)
    )
    # The open cases of every hit in one query, however many hits; only for the hits in the
    # user's scope, so that a search tells nothing of a citizen outside it.
    aabne_sager: dict[int, list[Sag]] = {pk: [] for pk in in_scope}
    for sag in (
        sager_visible_to(user)
        .filter(borger_id__in=in_scope)
        .exclude(fase="afsluttet")
        .order_by("oprettet", "pk")
    ):
        aabne_sager[sag.borger_id].append(sag)
    return [
        SearchHit(borger=b, adgang=b.pk in in_scope, aabne_sager=tuple(aabne_sager.get(b.pk, ())))
        for b in results
    ]


def borger_get(*, user: User, pk: object) -> Borger:
    borger = get_borger_or_404(user, pk)
    require(user, Action.READ_REGISTER, borger)
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Borger vist")
    return borger


def borger_for_henvendelse(*, user: User, pk: object) -> Borger:
    """The citizen an enquiry is about: one in the user's scope, or one the user has just found
    by a search. Anyone else answers 404, so ids cannot be walked."""
    borger = Borger.objects.filter(pk=int(str(pk))).first() if str(pk).isdigit() else None
    if borger is None or not may(user, Action.REGISTER_HENVENDELSE, borger):
        raise NotFoundForUser("Borgeren findes ikke.")
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=borger, summary="Borger valgt til henvendelse"
    )
    return borger


def borger_sager(*, user: User, borger: Borger) -> QuerySet[Sag]:
    return sager_visible_to(user).filter(borger=borger).select_related("team", "sagsbehandler")


@dataclass(frozen=True)
class BorgerOverblik:
    """The citizen's page across their cases, within the user's scope: the cases, open and
    closed, the open deadlines on them, the soonest first, and the consents given on them."""

    aabne_sager: list[Sag]
    lukkede_sager: list[Sag]
    frister: list[Frist]
    samtykker: list[Samtykke]

    @property
    def sager(self) -> list[Sag]:
        return self.aabne_sager + self.lukkede_sager


def borger_overblik(*, user: User, borger: Borger) -> BorgerOverblik:
    """Three queries, however many cases the citizen has. Not audited: the page audits the
    citizen it shows with `borger_get`."""
    sager = list(borger_sager(user=user, borger=borger).order_by("-oprettet", "-pk"))
    ids = [sag.pk for sag in sager]
    return BorgerOverblik(
        aabne_sager=[sag for sag in sager if sag.is_open],
        lukkede_sager=[sag for sag in sager if not sag.is_open],
        frister=list(Frist.objects.open().filter(sag_id__in=ids).order_by("frist", "pk")),
        samtykker=list(Samtykke.objects.filter(sag_id__in=ids).select_related("tilbud")),
    )


def borger_relationer(*, user: User, borger: Borger) -> list[Relation]:
    require(user, Action.READ_REGISTER, borger)
    relationer = list(Relation.objects.filter(borger=borger))
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Relationer vist")
    return relationer


def sag_get(*, user: User, pk: object) -> Sag:
    """The case as its page shows it: with the current purpose's text (`gaeldende_formaal`), read
    in the same statement."""
    current = Formaal.objects.filter(sag=OuterRef("pk")).order_by("-oprettet", "-pk")
    sag = get_sag_or_404(user, pk, gaeldende_formaal=Subquery(current.values("formaal")[:1]))
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Sag vist")
    return sag


def sagsaabning_get(*, user: User, sag: Sag) -> Sagsaabning:
    aabning = Sagsaabning.objects.filter(sag=sag).first()
    if aabning is None:  # every case gets one when it opens; guard against older data
        raise Http404("Sagen har ingen sagsåbning.")
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=aabning,
        borger_id=sag.borger_id,
        summary="Sagsåbning vist",
    )
    return aabning


def formaal_versioner(*, user: User, sag: Sag) -> list[Formaal]:
    """Every version of the case's purpose, the current one first."""
    versions = list(Formaal.objects.filter(sag=sag).select_related("oprettet_af"))
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Formålets versioner")
    return versions


def sag_samtykker(*, sag: Sag) -> QuerySet[Samtykke]:
    """Not audited: `sag_list_page` and `samtykke_get` audit what is shown."""
    return Samtykke.objects.filter(sag=sag).select_related("tilbud")


def samtykke_get(*, user: User, sag: Sag, pk: object) -> Samtykke:
    samtykke = get_object_or_404(sag_samtykker(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=samtykke,
        borger_id=sag.borger_id,
        summary="Samtykke vist",
    )
    return samtykke


def sag_journalnotater(*, sag: Sag) -> QuerySet[Journalnotat]:
    """Not audited: `sag_list_page` and `journalnotat_get` audit what is shown."""
    return Journalnotat.objects.filter(sag=sag).select_related("forfatter")


def journalnotat_get(*, user: User, sag: Sag, pk: object) -> Journalnotat:
    notat = get_object_or_404(sag_journalnotater(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=notat,
        borger_id=sag.borger_id,
        summary="Journalnotat vist",
    )
    return notat


def sag_list_page(*, user: User, sag: Sag, rows: Iterable[M], summary: str) -> list[M]:
    """One page of a list under a case (consents, journal notes), read and audited.

    One event on the case rather than one per row: it is recorded even for an empty list,
    which also tells something about the citizen.
    """
    shown = list(rows)
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary=summary)
    return shown


def list_page(*, user: User, rows: Iterable[M], summary: str) -> list[M]:
    """One page of a list of citizens' data, read and audited: one LIST event per row, in one
    INSERT. The caller passes only the page it returns: that is what the user has seen."""
    shown = list(rows)
    audit_record_many(actor=user, action=AuditAction.LIST, objects=shown, summary=summary)
    return shown


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    reason_required: bool
    blocked_by: list[str]

    @property
    def available(self) -> bool:
        return not self.blocked_by


def sag_overgange(*, user: User, sag: Sag) -> list[TransitionOption]:
    """The transition options as their own read: the case page audits them with `sag_get`."""
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Overgange vist")
    return transition_options(user=user, sag=sag)


def transition_options(*, user: User, sag: Sag) -> list[TransitionOption]:
    """The moves from the case's current phase the user may take, each with what blocks it."""
    if not may(user, Action.TRANSITION, sag):
        return []
    options = []
    for t in Sag.transitions():
        if t.source != sag.fase:
            continue
        options.append(
            TransitionOption(
                name=t.name,
                label=t.custom["label"],
                reason_required=bool(t.custom.get("reason_required")),
                blocked_by=blockers(sag, t.name),
            )
        )
    return options


def borgere_list(*, user: User, limit: int = 200) -> list[Borger]:
    """The citizens in the user's scope, e.g. a provider's citizens with an active order."""
    borgere = list(borgere_visible_to(user).order_by("efternavn", "fornavn")[:limit])
    audit_record_many(actor=user, action=AuditAction.LIST, objects=borgere, summary="Borgerliste")
    return borgere


def borger_henvendelser(*, user: User, borger: Borger) -> QuerySet[Henvendelse]:
    """The enquiries about the citizen that the user may read (see `henvendelser_visible_to`)."""
    return (
        henvendelser_visible_to(user)
        .filter(borger=borger)
        .select_related("team", "sag", "registreret_af")
    )


def henvendelse_get(
    *, user: User, pk: object, within: QuerySet[Henvendelse] | None = None
) -> Henvendelse:
    """One enquiry the user may read. `within` narrows the lookup further: the API looks a
    detail up among its filtered list, as DRF does, so a filter can still answer 404."""
    qs = within if within is not None else henvendelser_visible_to(user)
    henvendelse = get_object_or_404(qs, pk=pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=henvendelse, summary="Henvendelse vist")
    return henvendelse


def borger_log_lookup(*, user: User, cpr: str) -> int | None:
    """The id of the citizen with this CPR number, for the administrator's audit log page.

    The lookup is itself audited (SEARCH with the citizen's id), found or not.
    """
    require(user, Action.VIEW_AUDIT_LOG)
    normalised = cpr_rules.normalise(cpr)
    borger_id = Borger.objects.filter(cpr=normalised).values_list("pk", flat=True).first()
    audit_record(
        actor=user,
        action=AuditAction.SEARCH,
        borger_id=borger_id,
        summary="Opslag i borgerens log" + ("" if borger_id else " (ingen borger fundet)"),
        changes={"soegning": cpr_rules.mask(normalised)},
    )
    return borger_id


def borger_log(*, user: User, borger_id: int) -> tuple[Borger, QuerySet[AuditEvent]]:
    """Every audit event about one citizen, newest first. Reading the log is audited too."""
    require(user, Action.VIEW_AUDIT_LOG)
    try:
        borger = Borger.objects.get(pk=borger_id)
    except Borger.DoesNotExist as exc:
        raise Http404("Borgeren findes ikke.") from exc
    audit_record(
        actor=user, action=AuditAction.VIEW, borger_id=borger.pk, summary="Borgerens log vist"
    )
    events = AuditEvent.objects.for_borger(borger.pk).select_related("actor")
    return borger, events


@dataclass(frozen=True)
class LogLine:
    """One event of a citizen's log as the citizen is told it: when, who, what; no content."""

    tidspunkt: datetime
    bruger: str
    handling: str
    objekt: str
    beskrivelse: str


def borger_log_export(*, user: User, borger_id: int, fmt: str) -> tuple[Borger, list[LogLine]]:
    """A citizen's whole log for their own request to know who has looked at and changed their
    data (GDPR art. 15; Datatilsynet's guidance on logging). The export is audited too."""
    require(user, Action.VIEW_AUDIT_LOG)
    try:
        borger = Borger.objects.get(pk=borger_id)
    except Borger.DoesNotExist as exc:
        raise Http404("Borgeren findes ikke.") from exc
    events = list(
        AuditEvent.objects.for_borger(borger.pk)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        borger_id=borger.pk,
        summary=f"Borgerens log udleveret ({fmt})",
        changes={"format": fmt, "haendelser": len(events)},
    )
    return borger, [
        LogLine(
            tidspunkt=event.occurred_at,
            bruger=(event.actor.get_full_name() if event.actor else "") or event.actor_label,
            handling=event.get_action_display(),
            objekt=_object_name(event.object_type),
            beskrivelse=event.summary,
        )
        for event in events
    ]


def _object_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return label


def sagsbehandlingsfrist(*, sag: Sag) -> Frist | None:
    """The case's open processing deadline, if its service has one. Not audited: it is shown
    on pages that audit their own read of the case."""
    return Frist.objects.open().filter(sag=sag, art=Frist.Art.SAGSBEHANDLINGSFRIST).first()
