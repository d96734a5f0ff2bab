"""The orders' documents, rendered on the municipality's letterhead: the handleplan for the
citizen (or the parts of it a provider may see) and the bestilling to a provider. Services freeze
the PDFs; selectors and views only serve the frozen bytes."""

from datetime import date
from typing import Any

from django.utils import timezone

from assessment.letters import letter_context
from cases.models import Borger, Sag
from orders.models import Bestilling, Handleplan, HandleplanVersion
from vum.accounts.models import Organisation, User
from vum.pdf import Pdf, render_pdf


def _to_provider(udfoerer: Organisation) -> dict[str, str]:
    return {"navn": udfoerer.navn, "adresse": udfoerer.adresse}


def handleplan_pdf(
    *,
    sag: Sag,
    actor: User,
    plan: Handleplan,
    indhold: dict[str, Any],
    version: int,
    dato: date | None = None,
    underskriver: User | None = None,
) -> Pdf:
    """The whole plan, to the citizen (`dato` and `underskriver` as letter_context's)."""
    borger: Borger = plan.borger
    return render_pdf(
        template_name="letters/handleplan.html",
        context={
            **letter_context(sag, actor, dato=dato, underskriver=underskriver),
            "modtager": {"navn": borger.navn, **borger.postal_address},
            "plan": plan,
            "indhold": indhold,
            "version": version,
        },
    )


def handleplan_version_without_address_pdf(*, sag: Sag, version: HandleplanVersion) -> Pdf:
    """A version frozen before CPR protected the citizen's address, for a provider: the plan as
    the version froze it (its content, for its case, dated as finalised and signed as it was;
    `sag` and the finaliser for a version from before those were kept), with the recipient
    block as the citizen's address reads today: none."""
    return handleplan_pdf(
        sag=version.sag or sag,
        actor=version.endelig_af,
        plan=version.handleplan,
        indhold=version.indhold,
        version=version.nummer,
        dato=timezone.localdate(version.endelig),
        underskriver=version.underskrevet_af or version.endelig_af,
    )


def handleplan_excerpt_pdf(
    *,
    sag: Sag,
    actor: User,
    plan: Handleplan,
    indhold: dict[str, Any],
    version: int,
    udfoerer: Organisation,
) -> Pdf:
    """The parts of a plan version that go to a provider without the citizen's consent."""
    return render_pdf(
        template_name="letters/handleplan.html",
        context={
            **letter_context(sag, actor),
            "modtager": _to_provider(udfoerer),
            "plan": plan,
            "indhold": indhold,
            "version": version,
            "uddrag": True,
        },
    )


def bestilling_pdf(
    *,
    sag: Sag,
    actor: User,
    bestilling: Bestilling,
    indhold: dict[str, Any],
    dato: date | None = None,
    underskriver: User | None = None,
) -> Pdf:
    """The order, to its provider (dated today and signed as letters are, or when rendered
    again dated `dato` and signed by `underskriver`)."""
    return render_pdf(
        template_name="letters/bestilling.html",
        context={
            **letter_context(sag, actor, dato=dato, underskriver=underskriver),
            "modtager": _to_provider(bestilling.udfoerer),
            "bestilling": bestilling,
            "indhold": indhold,
        },
    )
