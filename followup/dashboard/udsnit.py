"""The slice of the figures a reader reads: the leader's teams, the filter's period, team, service
and municipality, as querysets of `Noegletal` groups."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    QuerySet,
    Sum,
)

from followup.dashboard.figures import (
    COST_ALL_SERVICES,
    COST_ONE_SERVICE,
    WHOLE_AREA_PANELS,
    Celle,
    Filter,
)
from followup.models import Noegletal
from vum.access import teams_visible_to
from vum.accounts.models import Team, User
from vum.catalog.models import (
    KommunalYdelse,
)

# Readers: Noegletal to the panels, for one leader and filter


class Udsnit:
    """The figures one leader may see under one filter."""

    def __init__(
        self, user: User, f: Filter, *, exact: bool = False, overview: bool = False
    ) -> None:
        """`exact`: count citizens exactly (an export); `overview`: a long table may build only
        the rows the overview shows (`Tabel.shown_rows`)."""
        self.f = f
        self.exact = exact
        self.overview = overview
        qs = Noegletal.objects.all()
        if f.ydelse:
            qs = qs.filter(kommunal_ydelse=f.ydelse)
        if f.kommune:
            qs = qs.filter(kommunal_ydelse__kommune=f.kommune)
        teams = teams_visible_to(user)
        self.per_team = qs.filter(team__in=teams)
        if f.team:
            self.per_team = self.per_team.filter(team=f.team)
        self.whole_area = qs.filter(team__isnull=True)
        # A leader of every team (a head of department) reads the whole area's groups.
        self.every_team = f.team is None and not Team.objects.exclude(pk__in=teams).exists()

    def _groups(self, emne: str) -> QuerySet[Noegletal]:
        whole = self.every_team and emne in WHOLE_AREA_PANELS
        return (self.whole_area if whole else self.per_team).filter(emne=emne)

    def snapshot(self, emne: str) -> QuerySet[Noegletal]:
        return self._groups(emne).filter(maaned__isnull=True)

    def flow(self, emne: str) -> QuerySet[Noegletal]:
        return self._groups(emne).filter(maaned__gte=self.f.fra, maaned__lte=self.f.til)

    def grouped(self, qs: QuerySet[Noegletal], *keys: str) -> list[dict[str, Any]]:
        """The groups summed by `keys`; `borgere` is exact (the union of the groups' citizens)
        for an export, else the groups' sum (an upper bound)."""
        rows: list[dict[str, Any]] = list(
            qs.values(*keys)
            .annotate(
                n=Sum("antal"),
                b=Sum("borgere"),
                s1=Sum("sum1"),
                s2=Sum("sum2"),
                s3=Sum("sum3"),
            )
            # Unordered, so the database can group by hashing; the few groups are sorted here.
            .order_by()
        )
        rows.sort(
            key=lambda row: tuple((row[k] is None, "" if row[k] is None else row[k]) for k in keys)
        )
        if self.exact:
            citizens: dict[tuple[Any, ...], set[int]] = defaultdict(set)
            parts: dict[tuple[Any, ...], dict[str, set[int]]] = defaultdict(
                lambda: defaultdict(set)
            )
            for *key, ids, subsets in qs.values_list(*keys, "borger_ids", "delmaengder"):
                citizens[tuple(key)].update(ids)
                for number, members in subsets.items():
                    parts[tuple(key)][number].update(members)
            for row in rows:
                key = tuple(row[k] for k in keys)
                row["b"] = len(citizens[key])
                for number in ("1", "2", "3"):
                    row[f"b{number}"] = len(parts[key][number])
        return rows

    def whole_area_cost(self, table: str) -> QuerySet[Noegletal] | None:
        """The rows of one cost table for a leader of every team (None for other leaders):
        the whole area's, for the filter's service or municipality or all services."""
        if not self.every_team:
            return None
        f = self.f
        qs = Noegletal.objects.filter(
            emne="udgift_omraade", team__isnull=True, maaned__isnull=True, noegle=table
        )
        if f.ydelse:
            qs = qs.filter(noegle3=COST_ONE_SERVICE, kommunal_ydelse=f.ydelse)
            return qs.filter(kommunal_ydelse__kommune=f.kommune) if f.kommune else qs
        if f.kommune:
            return qs.filter(noegle3=f"kommune:{f.kommune.pk}")
        return qs.filter(noegle3=COST_ALL_SERVICES)

    def part(self, row: dict[str, Any], number: int) -> Celle:
        """The count of sum `number` of a grouped row, resting on its own citizens (exact for
        an export; on screen, where nothing is suppressed, bounded by the row's)."""
        count = int(row[f"s{number}"])
        citizens = row.get(f"b{number}")
        return Celle(count, citizens if citizens is not None else min(count, row["b"]))


def names_by_id(qs: QuerySet[Any], ids: Iterable[Any]) -> dict[str, str]:
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    return {str(pk): navn for pk, navn in qs.filter(pk__in=wanted).values_list("pk", "navn")}


def ydelse_names(ids: Iterable[Any]) -> dict[Any, str]:
    wanted = {pk for pk in ids if pk is not None}
    return {y.pk: f"{y.kode} {y.navn}" for y in KommunalYdelse.objects.filter(pk__in=wanted)}
