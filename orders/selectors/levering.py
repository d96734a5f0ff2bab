"""Reads of the delivery records: what a provider's staff see of a citizen (their orders' frozen
content and what their own organisation wrote), the records of one bestilling one kind at a time
(the API's lists), and a request (anmodning) for the caseworker. A provider's read is audited
like any other."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cases.models import Borger, Sag
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from vum.access import Action, NotFoundForUser, bestillinger_visible_to, get_borger_or_404, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


@dataclass
class Leveringsmappe:
    """What a provider's staff see of one citizen: their orders' frozen content and what they
    wrote themselves."""

    borger: Borger
    bestillinger: list[Bestilling]
    delmaal: list[Delmaal] = field(default_factory=list)
    notater: list[Leveringsnotat] = field(default_factory=list)
    magtanvendelser: list[Magtanvendelse] = field(default_factory=list)
    anmodninger: list[Anmodning] = field(default_factory=list)


def levering_for_borger(*, user: User, borger_pk: int | str) -> Leveringsmappe:
    borger = get_borger_or_404(user, borger_pk)
    bestillinger = list(
        bestillinger_visible_to(user)
        .filter(sag__borger=borger)
        .select_related("sag", "udfoerer")
        .prefetch_related("maal")
        .defer("pdf", "bilag_pdf", "pdf_uden_adresse", "bilag_uden_adresse")
    )
    if not bestillinger:
        # Case staff find citizens through the register, but only a provider has a workspace.
        raise NotFoundForUser("Borgeren har ingen aktiv bestilling hos dig.")
    own = {"sag__in": [b.sag_id for b in bestillinger], "udfoerer_id": bestillinger[0].udfoerer_id}
    mappe = Leveringsmappe(
        borger=borger,
        bestillinger=bestillinger,
        delmaal=list(
            Delmaal.objects.filter(**own).prefetch_related(
                "indsatsmaal",
                "handlinger",
                Prefetch("notater", queryset=Delmaalsnotat.objects.select_related("oprettet_af")),
            )
        ),
        notater=list(
            Leveringsnotat.objects.filter(**own)
            .select_related("oprettet_af")
            .prefetch_related("undertemaer")[:50]
        ),
        magtanvendelser=list(Magtanvendelse.objects.filter(**own)),
        anmodninger=list(Anmodning.objects.filter(**own).select_related("frist")),
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Leveringsmappe læst")
    return mappe


def delmaal_get(*, bestilling: Bestilling, pk: int | str) -> Delmaal:
    """A sub-goal of the provider's own on the bestilling's case (the caller has checked the
    bestilling against the policy)."""
    try:
        return Delmaal.objects.get(pk=pk, sag=bestilling.sag, udfoerer=bestilling.udfoerer)
    except (Delmaal.DoesNotExist, ValueError, TypeError) as exc:
        raise Delmaal.DoesNotExist("Delmålet findes ikke.") from exc


# What the provider wrote on one bestilling's case, one kind at a time (the API's lists): the
# bestilling's organisation's own records only. The caller has the bestilling from the policy.


def _records_read(user: User, bestilling: Bestilling, summary: str) -> dict[str, int]:
    require(user, Action.VIEW, bestilling)
    audit_record(actor=user, action=AuditAction.VIEW, obj=bestilling, summary=summary)
    return {"sag_id": bestilling.sag_id, "udfoerer_id": bestilling.udfoerer_id}


def bestilling_delmaal(*, user: User, bestilling: Bestilling) -> list[Delmaal]:
    own = _records_read(user, bestilling, "Delmål læst")
    return list(
        Delmaal.objects.filter(**own)
        .select_related("udfoerer")
        .prefetch_related(
            "indsatsmaal",
            Prefetch("handlinger", queryset=Handling.objects.select_related("oprettet_af")),
            Prefetch("notater", queryset=Delmaalsnotat.objects.select_related("oprettet_af")),
        )
    )


def bestilling_leveringsnotater(*, user: User, bestilling: Bestilling) -> list[Leveringsnotat]:
    own = _records_read(user, bestilling, "Notater læst")
    return list(
        Leveringsnotat.objects.filter(**own)
        .select_related("oprettet_af")
        .prefetch_related("undertemaer")
    )


def bestilling_magtanvendelser(*, user: User, bestilling: Bestilling) -> list[Magtanvendelse]:
    own = _records_read(user, bestilling, "Magtanvendelser læst")
    return list(Magtanvendelse.objects.filter(**own).select_related("udfoerer", "oprettet_af"))


def bestilling_anmodninger(*, user: User, bestilling: Bestilling) -> list[Anmodning]:
    own = _records_read(user, bestilling, "Anmodninger læst")
    return list(
        Anmodning.objects.filter(**own).select_related(
            "udfoerer", "frist", "oprettet_af", "besvaret_af"
        )
    )


def anmodning_get(*, user: User, sag: Sag, pk: int | str) -> Anmodning:
    require(user, Action.VIEW, sag)
    try:
        return Anmodning.objects.get(pk=pk, sag=sag)
    except (Anmodning.DoesNotExist, ValueError, TypeError) as exc:
        raise Anmodning.DoesNotExist("Anmodningen findes ikke.") from exc
