"""From a figure to its cases: the live case tables inside the leader's scope, narrowed by the
criteria of the figure's link, and those criteria in words."""

from dataclasses import replace

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Sag
from followup.dashboard.collectors import granted_lines
from followup.dashboard.figures import Filter
from vum.access import sager_visible_to, teams_visible_to
from vum.accounts.models import Organisation, User
from vum.catalog.models import (
    KommunalYdelse,
)
from vum.deadlines.models import Frist

# Drill-down: the live cases behind a figure


def scope(user: User, f: Filter) -> QuerySet[Sag]:
    """The leader's cases, narrowed by the filter's team, service and municipality."""
    qs = sager_visible_to(user)
    if f.team:
        qs = qs.filter(team=f.team)
    if f.ydelse:
        qs = qs.filter(kommunal_ydelse=f.ydelse)
    if f.kommune:
        qs = qs.filter(kommunal_ydelse__kommune=f.kommune)
    return qs


def _id(criteria: dict[str, str], key: str) -> int | None:
    """A primary key from the drill-down's query, or None for anything else (also digits that
    `int` refuses, like "²", and numbers no key reaches)."""
    value = criteria.get(key, "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _open_only(criteria: dict[str, str]) -> bool:
    """A figure counts open cases, except deadlines missed in the period, whose cases may have
    been closed since."""
    return "frist_ikke_overholdt" not in criteria


def drilldown(user: User, f: Filter, criteria: dict[str, str]) -> QuerySet[Sag]:
    """The cases behind one cell of the dashboard, read live, inside the leader's scope.
    Unknown criteria are ignored, so a hand-edited link never widens what is shown."""
    provider = _id(criteria, "udfoerer")
    # The cost figures are by each indsats's own service, not the case's: a provider's cases
    # are chosen by their lines below, so the case's service must not narrow them first.
    qs = scope(user, replace(f, ydelse=None) if provider is not None else f)
    fase = criteria.get("fase")
    if fase in Fase.values:
        qs = qs.filter(fase=fase)
    elif _open_only(criteria):
        qs = qs.exclude(fase=Fase.AFSLUTTET)
    if (worker_id := _id(criteria, "sagsbehandler")) is not None:
        qs = qs.filter(sagsbehandler_id=worker_id)
    if criteria.get("uden_sagsbehandler") == "1":
        qs = qs.filter(sagsbehandler__isnull=True)
    if (team_id := _id(criteria, "sag_team")) is not None:
        qs = qs.filter(team_id=team_id)
    now = timezone.now()
    if criteria.get("overskredet") in Frist.Art.values:
        late = Frist.objects.overdue(now).filter(sag=OuterRef("pk"), art=criteria["overskredet"])
        qs = qs.filter(Exists(late))
    if (service_id := _id(criteria, "frist_ikke_overholdt")) is not None:
        missed = Frist.objects.filter(
            Q(status=Frist.Status.OVERSKREDET) | Q(status=Frist.Status.AABEN, frist__lt=now),
            sag=OuterRef("pk"),
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            frist__gte=f.start,
            frist__lt=f.end,
        )
        qs = qs.filter(Exists(missed), kommunal_ydelse_id=service_id)
    if provider is not None:
        service = f.ydelse.pk if f.ydelse else None
        ids = {
            line.sag_id
            for line in granted_lines(qs)
            if line.udfoerer_id == provider
            and (service is None or line.kommunal_ydelse_id == service)
        }
        qs = qs.filter(pk__in=ids)
    return qs


def describe(user: User, criteria: dict[str, str]) -> str:
    """The drill-down's criteria in words, for the heading of the case list. Teams and
    caseworkers are named only inside the leader's own teams."""
    teams = teams_visible_to(user)
    parts = []
    if criteria.get("fase") in Fase.values:
        parts.append(f"Fase: {Fase(criteria['fase']).label}")
    if (team_id := _id(criteria, "sag_team")) is not None:
        team = teams.filter(pk=team_id).first()
        parts.append(f"Team: {team.navn if team else 'ukendt'}")
    if (worker_id := _id(criteria, "sagsbehandler")) is not None:
        worker = User.objects.filter(pk=worker_id, teams__in=teams).distinct().first()
        parts.append(f"Sagsbehandler: {worker.get_full_name() if worker else 'ukendt'}")
    if criteria.get("uden_sagsbehandler") == "1":
        parts.append("Uden sagsbehandler")
    if criteria.get("overskredet") in Frist.Art.values:
        parts.append(f"Med overskredet frist: {Frist.Art(criteria['overskredet']).label}")
    if (service_id := _id(criteria, "frist_ikke_overholdt")) is not None:
        ydelse = KommunalYdelse.objects.filter(pk=service_id).first()
        parts.append(
            f"Sagsbehandlingsfrist ikke overholdt i perioden: {ydelse.kode if ydelse else 'ukendt'}"
        )
    if (provider := _id(criteria, "udfoerer")) is not None:
        org = Organisation.objects.filter(pk=provider).first()
        parts.append(f"Indsats i kraft hos: {org.navn if org else 'ukendt'}")
    if criteria.get("fase") not in Fase.values and _open_only(criteria):
        parts.append("Kun åbne sager")
    return "; ".join(parts) + "."
