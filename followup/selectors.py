"""Reads for the follow-up. Every read of a citizen's data leaves an audit event here; the
provider reaches a follow-up only through its active bestilling on the case."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.models import Sag
from followup.models import (
    Opfoelgning,
    Opfoelgningsskema,
    Sagsudlevering,
    SkemaMaal,
    Statusnotat,
    StatusnotatMaal,
)
from followup.services.skema import magtanvendelser_in_period, previous_held_at
from orders.models import Bestilling, Delmaalsnotat, Magtanvendelse
from vum.access import Action, NotFoundForUser, bestillinger_visible_to, require
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.deadlines.models import Frist
from vum.protected_documents import protected_address_note


def _with_details(qs: QuerySet[Opfoelgning]) -> QuerySet[Opfoelgning]:
    return qs.select_related("udfoerer", "statusnotat", "skema").prefetch_related(
        Prefetch("frister", queryset=Frist.objects.order_by("frist")),
    )


def sag_opfoelgninger(*, user: User, sag: Sag) -> list[Opfoelgning]:
    require(user, Action.VIEW, sag)
    rows = list(_with_details(Opfoelgning.objects.filter(sag=sag)).order_by("-dato", "-pk"))
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Opfølgninger læst")
    return rows


def opfoelgning_get(*, user: User, sag: Sag, pk: int | str) -> Opfoelgning:
    require(user, Action.VIEW, sag)
    try:
        return _with_details(Opfoelgning.objects.filter(sag=sag)).get(pk=pk)
    except (Opfoelgning.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Opfølgningen findes ikke.") from exc


def period_notes(opfoelgning: Opfoelgning, udfoerer_id: int | None = None) -> list[Delmaalsnotat]:
    """The provider's sub-goal notes since the previous follow-up: what the statusnotat and the
    follow-up are written from."""
    notes = Delmaalsnotat.objects.filter(delmaal__sag=opfoelgning.sag_id)
    if udfoerer_id is not None:
        notes = notes.filter(delmaal__udfoerer_id=udfoerer_id)
    since = previous_held_at(opfoelgning)
    if since is not None:
        notes = notes.filter(dato__gte=timezone.localtime(since).date())
    return list(
        notes.select_related("delmaal__udfoerer", "oprettet_af")
        .prefetch_related("delmaal__indsatsmaal")
        .order_by("-dato", "-pk")
    )


@dataclass
class Opfoelgningsvisning:
    """The caseworker's view of one follow-up: the form, the provider's statusnotat beside it,
    the notes and uses of force of the period."""

    opfoelgning: Opfoelgning
    skema: Opfoelgningsskema | None
    maal: list[SkemaMaal] = field(default_factory=list)
    statusnotat: Statusnotat | None = None
    statusnotat_maal: list[StatusnotatMaal] = field(default_factory=list)
    notater: list[Delmaalsnotat] = field(default_factory=list)
    magtanvendelser: list[Magtanvendelse] = field(default_factory=list)


def opfoelgning_view(*, user: User, sag: Sag, pk: int | str) -> Opfoelgningsvisning:
    opfoelgning = opfoelgning_get(user=user, sag=sag, pk=pk)
    skema = getattr(opfoelgning, "skema", None)
    note = getattr(opfoelgning, "statusnotat", None)
    view = Opfoelgningsvisning(
        opfoelgning=opfoelgning,
        skema=skema,
        maal=list(
            skema.maal.select_related(
                "indsatsmaal__primaert_undertema", "indsatsmaal__maaltype", "fremadrettet"
            )
        )
        if skema is not None
        else [],
        statusnotat=note,
        statusnotat_maal=list(note.maal.select_related("indsatsmaal")) if note is not None else [],
        notater=period_notes(opfoelgning),
        magtanvendelser=magtanvendelser_in_period(opfoelgning),
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Opfølgning læst")
    return view


def sagsudleveringer(*, user: User, sag: Sag) -> list[Sagsudlevering]:
    """The case files handed to a new municipality, without their content (not audited on its
    own: the page that lists them is)."""
    require(user, Action.VIEW, sag)
    return list(
        Sagsudlevering.objects.filter(sag=sag)
        .defer("indhold")
        .select_related("oprettet_af")
        .order_by("-oprettet", "-pk")
    )


def sagsudlevering_get(*, user: User, sag: Sag, pk: int | str, confirmed: bool) -> Sagsudlevering:
    """The exported case file of this case, for download: audited as an export. One that may
    show an address CPR has protected since only when `confirmed` (vum.protected_documents)."""
    require(user, Action.VIEW, sag)
    try:
        udlevering = Sagsudlevering.objects.get(sag=sag, pk=pk)
    except (Sagsudlevering.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Sagsudleveringen findes ikke.") from exc
    note = protected_address_note(
        shows=udlevering.shows_protected_address(sag.borger), confirmed=confirmed
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=udlevering,
        summary=f"Sagsudlevering til {udlevering.modtager} hentet{note}",
    )
    return udlevering


# The provider's side


def _provider_order(user: User, sag_id: int) -> Bestilling:
    if user.role != Role.UDFOERER:
        raise NotFoundForUser("Opfølgningen findes ikke eller er ikke tilgængelig for dig.")
    order = bestillinger_visible_to(user).filter(sag_id=sag_id).select_related("sag").first()
    if order is None:
        raise NotFoundForUser("Opfølgningen findes ikke eller er ikke tilgængelig for dig.")
    return order


def udfoerer_opfoelgning(*, user: User, pk: int | str) -> tuple[Opfoelgning, Bestilling]:
    """A follow-up of a case the provider serves now, with its order (whose frozen goals the
    statusnotat is about)."""
    try:
        opfoelgning = _with_details(Opfoelgning.objects.all()).get(pk=pk)
    except (Opfoelgning.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser(
            "Opfølgningen findes ikke eller er ikke tilgængelig for dig."
        ) from exc
    order = _provider_order(user, opfoelgning.sag_id)
    audit_record(actor=user, action=AuditAction.VIEW, obj=opfoelgning, summary="Opfølgning læst")
    return opfoelgning, order


def udfoerer_opfoelgninger(*, user: User, bestilling: Bestilling) -> list[Opfoelgning]:
    """The open follow-ups of the case the provider's order is on (not audited on its own: the
    workspace page that shows them is)."""
    require(user, Action.DELIVER, bestilling)
    return list(
        _with_details(
            Opfoelgning.objects.filter(
                sag_id=bestilling.sag_id,
                status__in=[Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT],
            )
        ).order_by("dato")
    )
