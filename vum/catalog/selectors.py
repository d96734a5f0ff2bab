"""Read access to the reference data for the other apps."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from vum.calendar import Unit
from vum.catalog.models import Ansoegningstype, KommunalYdelse, Kommune, Sagsbehandlingsfrist


class CatalogNotLoaded(ImproperlyConfigured):
    """The deployment's municipality has no loaded catalog: an administrator must load it."""


def current_kommune() -> Kommune:
    """The municipality this deployment serves (settings.VUM_MUNICIPALITY, a slug)."""
    slug = settings.VUM_MUNICIPALITY
    try:
        return Kommune.objects.get(slug=slug)
    except Kommune.DoesNotExist:
        known = ", ".join(Kommune.objects.values_list("slug", flat=True)) or "ingen"
        raise CatalogNotLoaded(
            f"VUM_MUNICIPALITY={slug!r} svarer ikke til en indlæst kommune (indlæste: {known}). "
            "Kør 'manage.py load_catalog' og angiv en kommunes slug, fx 'randers' eller 'viborg'."
        ) from None


def kommunale_ydelser(
    *, kommune: Kommune | None = None, on: date | None = None
) -> QuerySet[KommunalYdelse]:
    """The municipality's services valid on `on` (default: the deployment's, today)."""
    kommune = kommune or current_kommune()
    return KommunalYdelse.objects.current(on).filter(kommune=kommune).order_by("raekkefoelge")


@dataclass(frozen=True)
class Fristregel:
    """The processing deadline an application gets, and why that rule."""

    regel: Sagsbehandlingsfrist
    grundlag: str


# A rule's length in days, to find a service's strictest rule when none fits the application.
_APPROX_DAYS = {Unit.DAYS: 1.0, Unit.WORKING_DAYS: 7 / 5, Unit.WEEKS: 7.0, Unit.MONTHS: 30.5}


def processing_deadline_rule(*, ydelse: KommunalYdelse, ansoegningstype: str) -> Fristregel | None:
    """Every application for a service with deadlines gets one (retssikkerhedslovens § 3), in
    this order: the rule for its application type; else the rule for all types; else the
    service's strictest rule, so that a gap in the catalog never leaves an application without a
    deadline nor gives it a longer one than the municipality set for any. None only for a
    service without deadlines (the loader refuses one that requires visitation)."""
    rules = {rule.ansoegningstype: rule for rule in ydelse.sagsbehandlingsfrister.all()}
    if ansoegningstype in rules and ansoegningstype:
        return Fristregel(rules[ansoegningstype], "kataloget har en frist for ansøgningstypen")
    if "" in rules:
        return Fristregel(rules[""], "kataloget har en frist for alle ansøgningstyper")
    if not rules:
        return None
    strictest = min(rules.values(), key=lambda r: r.vaerdi * _APPROX_DAYS[Unit(r.enhed)])
    wanted = Ansoegningstype(ansoegningstype).label.lower() if ansoegningstype else "uoplyst type"
    return Fristregel(
        strictest,
        f"kataloget har ingen frist for {wanted} og ingen for alle typer; den strengeste af "
        f"ydelsens frister gælder ({strictest.get_ansoegningstype_display().lower()})",
    )


def processing_deadline_missing(*, ydelse: KommunalYdelse) -> str:
    """What to tell the caseworker when an application for `ydelse` gets no processing deadline
    (`processing_deadline_rule` gave None), so no application is left without one unnoticed:
    a service that is not applied for (no visitation), or one the catalog gives no deadline
    (the municipality's source sets none; the catalog file says why, see docs/deadlines.md).
    Empty when the service has a deadline."""
    if ydelse.sagsbehandlingsfrister.exists():
        return ""
    service = f"{ydelse.kode} {ydelse.navn}"
    if ydelse.kraever_visitation is False:
        return f"{service} søges ikke (ingen visitation), så der gælder ingen sagsbehandlingsfrist."
    return (
        f"{service} har ingen sagsbehandlingsfrist i kommunens katalog, så ansøgningen får "
        "ingen frist. Kommunen skal fastsætte en (retssikkerhedslovens § 3, stk. 2); giv "
        "indtil da borgeren besked om, hvornår der kan forventes en afgørelse."
    )
