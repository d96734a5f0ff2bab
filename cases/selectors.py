"""Reads of citizens and cases. Every read of a citizen's data leaves an audit event here, so
that pages and the API are audited alike."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from cases import cpr as cpr_rules
from cases.lifecycle import blockers
from cases.models import Borger, Henvendelse, Sag
from vum.access import (
    Action,
    borgere_visible_to,
    get_borger_or_404,
    get_sag_or_404,
    may,
    require,
    sager_visible_to,
)
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record, audit_record_many
from vum.deadlines.models import Frist


def with_next_deadline(qs: QuerySet[Sag]) -> QuerySet[Sag]:
    next_open = Frist.objects.filter(sag=OuterRef("pk"), status=Frist.Status.AABEN).order_by(
        "frist"
    )
    return qs.annotate(
        naeste_frist=Subquery(next_open.values("frist")[:1]),
        naeste_frist_beskrivelse=Subquery(next_open.values("beskrivelse")[:1]),
    )


def inbox_sager(*, user: User, limit: int = 100) -> list[Sag]:
    """'Mine sager': the user's open cases, the one with the nearest deadline first."""
    qs = (
        Sag.objects.filter(sagsbehandler=user)
        .exclude(fase="afsluttet")
        .select_related("borger", "team")
    )
    sager = list(
        with_next_deadline(qs).order_by(
            Coalesce("naeste_frist", "oprettet").asc(nulls_last=True), "pk"
        )[:limit]
    )
    audit_record_many(actor=user, action=AuditAction.LIST, objects=sager, summary="Mine sager")
    return sager


def borger_search(*, user: User, query: str, limit: int = 50) -> list[Borger]:
    """A full CPR number finds that citizen; other text searches names. Audited either way."""
    require(user, Action.SEARCH_BORGER)
    query = query.strip()
    qs = borgere_visible_to(user)
    try:
        cpr = cpr_rules.normalise(query)
    except ValidationError:
        cpr = None
    if cpr is not None:
        results = list(qs.filter(cpr=cpr)[:1])
        summary = "Søgning på CPR-nummer"
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
        changes={"soegning": cpr_rules.mask(cpr) if cpr else query},
    )
    if cpr is None and results:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=results, summary="Søgeresultat"
        )
    return results


def borger_get(*, user: User, pk: object) -> Borger:
    borger = get_borger_or_404(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Borger vist")
    return borger


def borger_sager(*, user: User, borger: Borger) -> QuerySet[Sag]:
    return sager_visible_to(user).filter(borger=borger).select_related("team", "sagsbehandler")


def henvendelser_visible_to(user: User) -> QuerySet[Henvendelse]:
    """All enquiries the user may read, by the same rule as `borger_henvendelser`: every enquiry
    about a visible citizen for a caseworker (who triages them), otherwise only those that
    opened a case in the user's scope. Not audited: callers audit what they show."""
    qs = Henvendelse.objects.filter(borger__in=borgere_visible_to(user))
    if may(user, Action.OPEN_CASE):
        return qs
    return qs.filter(sag__in=sager_visible_to(user))


def sag_get(*, user: User, pk: object) -> Sag:
    sag = get_sag_or_404(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Sag vist")
    return sag


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    reason_required: bool
    blocked_by: list[str]

    @property
    def available(self) -> bool:
        return not self.blocked_by


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


def sager_list(*, user: User, limit: int = 200) -> list[Sag]:
    """The open cases in the user's scope (a leader's area, a committee member's agendas)."""
    qs = (
        sager_visible_to(user)
        .exclude(fase="afsluttet")
        .select_related("borger", "team", "sagsbehandler")
    )
    sager = list(
        with_next_deadline(qs).order_by(
            Coalesce("naeste_frist", "oprettet").asc(nulls_last=True), "pk"
        )[:limit]
    )
    audit_record_many(actor=user, action=AuditAction.LIST, objects=sager, summary="Sagsliste")
    return sager


def borgere_list(*, user: User, limit: int = 200) -> list[Borger]:
    """The citizens in the user's scope, e.g. a provider's citizens with an active order."""
    borgere = list(borgere_visible_to(user).order_by("efternavn", "fornavn")[:limit])
    audit_record_many(actor=user, action=AuditAction.LIST, objects=borgere, summary="Borgerliste")
    return borgere


def borger_henvendelser(*, user: User, borger: Borger) -> QuerySet[Henvendelse]:
    """Enquiries about the citizen: all of them for a caseworker (who triages them), otherwise
    only those that opened a case in the user's scope."""
    qs = borger.henvendelser.select_related("team", "sag", "registreret_af")
    if may(user, Action.OPEN_CASE):
        return qs
    return qs.filter(sag__in=sager_visible_to(user))


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
