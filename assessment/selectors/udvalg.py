"""Reads of the indstilling and the visitationsudvalg: recommendations, their PDFs, the
committee's meetings, agendas and minutes, and what a member may see."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessment.letters import indstilling_context
from assessment.models import Dagsordenspunkt, Indstilling, Udvalgsmoede, Visitationsudvalg
from cases.models import Sag
from vum.access import NotFoundForUser
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many

# Reads for the API: one indstilling


def _sag_indstillinger(sag: Sag) -> QuerySet[Indstilling]:
    return (
        Indstilling.objects.filter(sag=sag)
        .select_related("oprettet_af")
        .prefetch_related(
            "indhentede_tilbud",
            Prefetch(
                "dagsordenspunkter",
                queryset=Dagsordenspunkt.objects.select_related("moede__udvalg", "udfald")
                .defer("moede__referat_pdf")
                .order_by("moede__dato", "id"),
            ),
        )
        .defer("pdf")
    )


def indstilling_get(*, user: User, sag: Sag, pk: object) -> Indstilling:
    """One of the case's indstillinger (404 if it is not the case's), with its tilbud and agenda
    items, without its PDF. Audited as a read."""
    indstilling = get_object_or_404(_sag_indstillinger(sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=indstilling,
        borger_id=sag.borger_id,
        summary="Indstilling vist",
    )
    return indstilling


def indstilling_shown(*, sag: Sag, pk: object) -> Indstilling:
    """`indstilling_get` without the audit: for the answer to a write the service audited."""
    return get_object_or_404(_sag_indstillinger(sag), pk=pk)


# Indstilling and the visitationsudvalg (the pages, and the API's lists and meetings)


def sag_indstillinger(*, user: User, sag: Sag) -> list[Indstilling]:
    """The case's indstillinger, newest first, each with its agenda items (and the committee's
    outcome and reasons) and its tilbud. The frozen PDFs are left out (`indstilling_pdf` reads
    one). Audited as a list of the case's recommendations."""
    punkter = Dagsordenspunkt.objects.select_related("moede__udvalg", "udfald").order_by(
        "moede__dato", "id"
    )
    rows = list(
        sag.indstillinger.defer("pdf")
        .select_related("oprettet_af")
        .prefetch_related(
            Prefetch("dagsordenspunkter", queryset=punkter.defer("moede__referat_pdf")),
            "indhentede_tilbud",
        )
    )
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Indstillinger vist"
        )
    return rows


def indstilling_sections(*, user: User, indstilling: Indstilling) -> dict[str, Any]:
    """The indstilling's sections as a page (the same context as its PDF). Audited as a read."""
    context = indstilling_context(indstilling=indstilling, actor=user)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=indstilling,
        borger_id=indstilling.sag.borger_id,
        summary="Indstilling vist",
    )
    return context


def indstilling_pdf(*, user: User, indstilling_id: int) -> Indstilling:
    """The frozen PDF of an indstilling that was sent, for download: audited as an export. The
    caller has checked that the user may see it."""
    indstilling = get_object_or_404(
        Indstilling.objects.select_related("sag").exclude(pdf_sha256=""), pk=indstilling_id
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=indstilling,
        borger_id=indstilling.sag.borger_id,
        summary=f"Indstilling hentet som PDF (SHA-256 {indstilling.pdf_sha256[:12]}…)",
    )
    return indstilling


def udvalgsmoeder_visible_to(user: User) -> QuerySet[Udvalgsmoede]:
    """The meetings of the committees the user sits on; none for other roles. The minutes' PDF
    is left out (`referat_pdf` reads it)."""
    if not user.is_active or user.role != Role.VISITATIONSUDVALG:
        return Udvalgsmoede.objects.none()
    return Udvalgsmoede.objects.filter(
        udvalg__in=Visitationsudvalg.objects.filter(medlemmer=user)
    ).defer("referat_pdf")


@dataclass
class MineMoeder:
    kommende: list[Udvalgsmoede]
    seneste: list[Udvalgsmoede]


def mine_moeder(*, user: User, recent: int = 12) -> MineMoeder:
    """'Mine møder': the user's committees' upcoming meetings and the most recent ones, each
    with the number of agenda items and how many are decided. Counts only, no citizen data: not
    audited."""
    today = timezone.localdate()
    qs = (
        udvalgsmoeder_visible_to(user)
        .select_related("udvalg")
        .annotate(
            antal_punkter=Count("punkter"),
            antal_behandlet=Count("punkter", filter=Q(punkter__udfald__isnull=False)),
        )
    )
    return MineMoeder(
        kommende=list(qs.filter(dato__gte=today).order_by("dato", "udvalg__navn")),
        seneste=list(qs.filter(dato__lt=today).order_by("-dato", "udvalg__navn")[:recent]),
    )


def udvalgsmoede_get(*, user: User, pk: int | str) -> Udvalgsmoede:
    """A meeting of one of the user's committees; any other meeting is not found (404)."""
    try:
        return udvalgsmoeder_visible_to(user).select_related("udvalg").get(pk=pk)
    except (Udvalgsmoede.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Mødet findes ikke eller er ikke tilgængeligt for dig.") from exc


def dagsorden(*, user: User, moede: Udvalgsmoede) -> list[Dagsordenspunkt]:
    """The meeting's agenda in the order the items were put on it, with each citizen and
    indstilling (without its PDF) and any outcome. Each item shows a citizen: one LIST event per
    item's case, in one INSERT."""
    punkter = list(
        moede.punkter.select_related(
            "sag__borger",
            "sag__sagsbehandler",
            "sag__team",
            "indstilling",
            "udfald",
            "behandlet_af",
        )
        .defer("indstilling__pdf")
        .order_by("id")
    )
    audit_record_many(
        actor=user,
        action=AuditAction.LIST,
        objects=[p.sag for p in punkter],
        summary=f"Dagsorden: {moede}",
    )
    return punkter


def dagsordenspunkt_get(*, moede: Udvalgsmoede, pk: int | str) -> Dagsordenspunkt:
    """One item of a meeting already checked with `udvalgsmoede_get`. Not audited: the caller
    audits what it shows."""
    try:
        return moede.punkter.select_related("sag__borger", "udfald").get(pk=pk)
    except (Dagsordenspunkt.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Punktet findes ikke på dette møde.") from exc


def referat_pdf(*, user: User, moede_id: int) -> Udvalgsmoede:
    """A closed meeting with its minutes (PDF), for download; the caller has checked that the
    user sits on the committee. The minutes name every citizen on the agenda: one EXPORT event
    per item's case, in one INSERT."""
    moede = get_object_or_404(
        Udvalgsmoede.objects.select_related("udvalg").exclude(referat_sha256=""), pk=moede_id
    )
    sager = [p.sag for p in moede.punkter.select_related("sag").order_by("id")]
    audit_record_many(
        actor=user,
        action=AuditAction.EXPORT,
        objects=sager,
        summary=f"Referat af {moede} hentet (SHA-256 {moede.referat_sha256[:12]}…)",
    )
    return moede


def kommende_moeder(*, today: date | None = None) -> list[Udvalgsmoede]:
    """The meetings an indstilling can be put on: not held yet and not closed, soonest first.
    Dates and committee names only: not audited."""
    today = today or timezone.localdate()
    return list(
        Udvalgsmoede.objects.filter(dato__gte=today, afsluttet__isnull=True)
        .select_related("udvalg")
        .defer("referat_pdf")
        .order_by("dato", "udvalg__navn")
    )
