"""Reads of the bestillinger: the provider's inbox and one order with its PDFs; the caseworker's
view of a case's orders (what the latest decision would order, what blocks it, what the providers
report back) and an order as sent; and the finance function's list of sent orders, without case
content. Every read of a citizen's data leaves an audit event."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from cases.models import Sag
from orders.content import latest_grant, order_plan
from orders.models import Anmodning, Bestilling, Delmaal, Delmaalsnotat, Handling, Magtanvendelse
from orders.services.bestilling import (
    bestilling_bilag_without_address,
    bestilling_pdf_without_address,
    order_blockers,
)
from vum.access import Action, bestillinger_visible_to, get_bestilling_or_404, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.pdf import Pdf

# The provider's side


def udfoerer_bestillinger(*, user: User) -> list[Bestilling]:
    """The provider's active orders, those awaiting an answer first: the inbox and the list of
    citizens in one."""
    rows = list(
        bestillinger_visible_to(user)
        .select_related("sag__borger", "udfoerer")
        # The frozen content and its PDFs are for the order's own page; a list has hundreds.
        .defer(
            "pdf", "bilag_pdf", "pdf_uden_adresse", "bilag_uden_adresse", "indhold", "aendringer"
        )
        .order_by("status", "sag__borger__efternavn", "sag__borger__fornavn", "pk")
    )
    audit_record_many(actor=user, action=AuditAction.LIST, objects=rows, summary="Mine borgere")
    return rows


def bestilling_get(*, user: User, pk: int | str) -> Bestilling:
    bestilling = get_bestilling_or_404(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=bestilling, summary="Bestilling læst")
    return bestilling


def bestilling_pdf(*, user: User, pk: int | str, bilag: bool = False) -> tuple[Bestilling, Pdf]:
    bestilling = get_bestilling_or_404(user, pk)
    if bilag:
        pdf, summary = _plan_as_shown(user, bestilling)
    else:
        pdf, summary = _order_pdf_as_shown(user, bestilling)
    audit_record(actor=user, action=AuditAction.PRINT, obj=bestilling, summary=summary)
    return bestilling, pdf


def _plan_as_shown(user: User, bestilling: Bestilling) -> tuple[Pdf, str]:
    """The plan sent with the order, as it may be served today, and how the audit trail says
    so. The excerpt is addressed to the provider. The whole plan (the citizen's consent) is the
    citizen's version, with their address: one sent before CPR protected it is served as the
    same version without it (bestilling_bilag_without_address); the attachment stays the
    record."""
    if not bestilling.bilag_pdf:
        raise Bestilling.DoesNotExist("Bestillingen har ingen vedlagt handleplan.")
    if bestilling.bilag_shows_protected_address:
        return bestilling_bilag_without_address(
            actor=user, bestilling=bestilling
        ), "Vedlagt handleplan hentet, uden adresse (adressebeskyttelse)"
    return Pdf(content=bytes(bestilling.bilag_pdf), sha256=""), "Vedlagt handleplan hentet"


def _order_pdf_as_shown(user: User, bestilling: Bestilling) -> tuple[Pdf, str]:
    """The order's PDF as it may be served today, and how the audit trail says so: the frozen
    one; or, when its frozen content holds an address CPR has protected since, the same order
    without the address (bestilling_pdf_without_address). The frozen PDF stays the record; the
    provider is never handed the address."""
    if not bestilling.pdf:
        raise Bestilling.DoesNotExist("Bestillingen har ingen PDF.")
    if not bestilling.pdf_shows_protected_address:
        return Pdf(
            content=bytes(bestilling.pdf), sha256=bestilling.sha256
        ), "Bestilling (PDF) hentet"
    return bestilling_pdf_without_address(
        actor=user, bestilling=bestilling
    ), "Bestilling (PDF) hentet, uden adresse (adressebeskyttelse)"


# The caseworker's side


@dataclass
class SagensBestillinger:
    sag: Sag
    bestillinger: list[Bestilling]
    afgoerelse: Any
    udkast: list[Any]
    uden_bestilling: list[Any]
    mangler: list[str]
    delmaal: list[Delmaal]
    magtanvendelser: list[Magtanvendelse]
    anmodninger: list[Anmodning]


def sag_bestillinger(*, user: User, sag: Sag) -> SagensBestillinger:
    """The case's orders with their versions and answers, what the latest decision would order,
    and what the providers report back (sub-goals and notes, use of force, requests)."""
    require(user, Action.VIEW, sag)
    decision = latest_grant(sag)
    plan = order_plan(decision) if decision is not None else None
    view = SagensBestillinger(
        sag=sag,
        bestillinger=list(
            Bestilling.objects.filter(sag=sag)
            .select_related("udfoerer", "sendt_af", "besvaret_af")
            .defer("pdf", "bilag_pdf", "pdf_uden_adresse", "bilag_uden_adresse")
            .order_by("udfoerer__navn", "-version")
        ),
        afgoerelse=decision,
        udkast=plan.udkast if plan else [],
        uden_bestilling=plan.uden_bestilling if plan else [],
        mangler=order_blockers(decision, plan) if decision is not None else [],
        delmaal=list(
            Delmaal.objects.filter(sag=sag)
            .select_related("udfoerer")
            .prefetch_related(
                "indsatsmaal",
                Prefetch("handlinger", queryset=Handling.objects.select_related("oprettet_af")),
                Prefetch("notater", queryset=Delmaalsnotat.objects.select_related("oprettet_af")),
            )
        ),
        magtanvendelser=list(
            Magtanvendelse.objects.filter(sag=sag).select_related("udfoerer", "oprettet_af")
        ),
        anmodninger=list(
            Anmodning.objects.filter(sag=sag).select_related(
                "udfoerer", "frist", "oprettet_af", "besvaret_af"
            )
        ),
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Bestillinger læst")
    return view


def sag_bestilling_pdf(*, user: User, sag: Sag, pk: int | str) -> tuple[Bestilling, Pdf]:
    """A bestilling of the case as sent (its frozen PDF, or as shown today), for the
    caseworker."""
    require(user, Action.VIEW, sag)
    try:
        bestilling = Bestilling.objects.select_related("udfoerer").get(pk=pk, sag=sag)
    except (Bestilling.DoesNotExist, ValueError, TypeError) as exc:
        raise Bestilling.DoesNotExist("Bestillingen findes ikke.") from exc
    bestilling.sag = sag
    pdf, summary = _order_pdf_as_shown(user, bestilling)
    audit_record(actor=user, action=AuditAction.PRINT, obj=bestilling, summary=summary)
    return bestilling, pdf


# The finance function


def oekonomi_bestillinger(*, user: User, limit: int = 200) -> QuerySet[Bestilling]:
    """Sent orders with what they cost and where the invoice goes; no case content."""
    require(user, Action.VIEW_FINANCE)
    return (
        Bestilling.objects.exclude(status=Bestilling.Status.AFVIST)
        .select_related("udfoerer")
        .only("pk", "version", "status", "startdato", "slutdato", "sendt", "indhold", "udfoerer")
        .order_by("-sendt", "-pk")[:limit]
    )
