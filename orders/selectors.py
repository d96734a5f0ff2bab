"""Reads for the handleplan, the bestillinger and the provider's workspace. Every read of a
citizen's data leaves an audit event here, so that pages and the API are audited alike; a
provider's read is audited like any other."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from assessment.models import AfgoerelsesResultat
from cases.models import Borger, Sag
from orders.content import latest_grant, order_plan
from orders.ledsagelse import Maaned
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handleplan,
    HandleplanVersion,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from orders.services.bestilling import order_blockers
from orders.services.handleplan import handleplan_content, handleplan_for, handleplan_status
from orders.services.ledsagelse import grant_months, ledsagelse_grant
from vum.access import (
    Action,
    NotFoundForUser,
    bestillinger_visible_to,
    get_bestilling_or_404,
    get_borger_or_404,
    may,
    require,
)
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many

# The provider's side


def udfoerer_bestillinger(*, user: User) -> list[Bestilling]:
    """The provider's active orders, those awaiting an answer first: the inbox and the list of
    citizens in one."""
    rows = list(
        bestillinger_visible_to(user)
        .select_related("sag__borger", "udfoerer")
        # The frozen content and its PDFs are for the order's own page; a list has hundreds.
        .defer("pdf", "bilag_pdf", "indhold", "aendringer")
        .order_by("status", "sag__borger__efternavn", "sag__borger__fornavn", "pk")
    )
    audit_record_many(actor=user, action=AuditAction.LIST, objects=rows, summary="Mine borgere")
    return rows


def bestilling_get(*, user: User, pk: int | str) -> Bestilling:
    bestilling = get_bestilling_or_404(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=bestilling, summary="Bestilling læst")
    return bestilling


def bestilling_pdf(*, user: User, pk: int | str, bilag: bool = False) -> tuple[Bestilling, bytes]:
    bestilling = get_bestilling_or_404(user, pk)
    content = bestilling.bilag_pdf if bilag else bestilling.pdf
    if not content:
        raise Bestilling.DoesNotExist("Bestillingen har ingen vedlagt handleplan.")
    audit_record(
        actor=user,
        action=AuditAction.PRINT,
        obj=bestilling,
        summary="Vedlagt handleplan hentet" if bilag else "Bestilling (PDF) hentet",
    )
    return bestilling, bytes(content)


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
        .defer("pdf", "bilag_pdf")
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
            .defer("pdf", "bilag_pdf")
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


@dataclass(frozen=True)
class Ledsagelse:
    """A case's § 97 grant and its months, oldest first, up to this month."""

    bevilling: AfgoerelsesResultat
    maaneder: list[Maaned]

    @property
    def tilbage_i_maaneden(self) -> Decimal:
        """The hours this month can still use: its 15 and its savings, less what it used."""
        this_month = self.maaneder[-1]
        return this_month.til_raadighed - this_month.brugt


def ledsagelse(*, user: User, sag: Sag) -> Ledsagelse | None:
    """The hours of ledsagelse under the case's § 97 grant, if it has one. Audited as a read."""
    require(user, Action.VIEW, sag)
    bevilling = ledsagelse_grant(sag)
    if bevilling is None:
        return None
    months = grant_months(bevilling, until=timezone.localdate().replace(day=1))
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Timer til ledsagelse læst")
    return Ledsagelse(bevilling=bevilling, maaneder=months)


def sag_bestilling_pdf(*, user: User, sag: Sag, pk: int | str) -> tuple[Bestilling, bytes]:
    """A bestilling of the case as sent (its frozen PDF), for the caseworker."""
    require(user, Action.VIEW, sag)
    try:
        bestilling = Bestilling.objects.select_related("udfoerer").get(pk=pk, sag=sag)
    except (Bestilling.DoesNotExist, ValueError, TypeError) as exc:
        raise Bestilling.DoesNotExist("Bestillingen findes ikke.") from exc
    if not bestilling.pdf:
        raise Bestilling.DoesNotExist("Bestillingen har ingen PDF.")
    bestilling.sag = sag
    audit_record(
        actor=user, action=AuditAction.PRINT, obj=bestilling, summary="Bestilling (PDF) hentet"
    )
    return bestilling, bytes(bestilling.pdf)


def anmodning_get(*, user: User, sag: Sag, pk: int | str) -> Anmodning:
    require(user, Action.VIEW, sag)
    try:
        return Anmodning.objects.get(pk=pk, sag=sag)
    except (Anmodning.DoesNotExist, ValueError, TypeError) as exc:
        raise Anmodning.DoesNotExist("Anmodningen findes ikke.") from exc


@dataclass
class HandleplanView:
    plan: Handleplan
    status: str
    indhold: dict[str, Any]
    versioner: list[HandleplanVersion]
    kan_redigere: bool


def handleplan_view(*, user: User, borger_pk: int | str) -> HandleplanView:
    borger = get_borger_or_404(user, borger_pk)
    plan = handleplan_for(borger)
    require(user, Action.VIEW, plan)
    view = HandleplanView(
        plan=plan,
        status=handleplan_status(plan),
        indhold=handleplan_content(plan),
        versioner=list(plan.versioner.select_related("endelig_af").defer("pdf")) if plan.pk else [],
        kan_redigere=may(user, Action.EDIT, plan),
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Handleplan læst")
    return view


def handleplan_version_pdf(
    *, user: User, borger_pk: int | str, nummer: int | str
) -> HandleplanVersion:
    borger = get_borger_or_404(user, borger_pk)
    require(user, Action.VIEW, handleplan_for(borger))
    try:
        version = HandleplanVersion.objects.get(handleplan__borger=borger, nummer=nummer)
    except (HandleplanVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise HandleplanVersion.DoesNotExist("Versionen findes ikke.") from exc
    audit_record(
        actor=user, action=AuditAction.PRINT, obj=version, summary=f"Handleplan v{nummer} hentet"
    )
    return version


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
