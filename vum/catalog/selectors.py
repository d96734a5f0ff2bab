"""Read access to the reference data for the other apps."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from vum.catalog.models import KommunalYdelse, Kommune, Sagsbehandlingsfrist


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


def processing_deadline_rule(
    *, ydelse: KommunalYdelse, ansoegningstype: str
) -> Sagsbehandlingsfrist | None:
    """The deadline for this application type; else the one for all types; else None."""
    rules = {rule.ansoegningstype: rule for rule in ydelse.sagsbehandlingsfrister.all()}
    return rules.get(ansoegningstype) or rules.get("")
