"""The dashboard's shapes and limits: the filter, a table's cells, columns and rows, a section,
and how figures are shown (shares, kroner), with the constants the collectors and panels share."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessment.models import (
    Klage,
)
from cases.lifecycle import Fase
from vum.accounts.models import Team
from vum.catalog.models import (
    KommunalYdelse,
    Kommune,
)
from vum.deadlines.models import Frist
from vum.templatetags.dansk_tal import kroner_tekst

SUPPRESS_BELOW = 5


# The rows a long ranked table shows on the overview (see `Tabel.shown_rows`).
OVERVIEW_ROWS = 20


# Flow figures are kept this far back: the filter's longest period.
HISTORY_MONTHS = 60


OPEN_PHASES = [f for f in Fase.values if f != Fase.AFSLUTTET]


# The phases in which granted services are in force and cost money.
IN_FORCE_PHASES = [Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING]


PERIODS_PER_YEAR = {"dag": 365, "uge": 52, "maaned": 12, "aar": 1}


OVERDUE_ARTS = [
    Frist.Art.SAGSBEHANDLINGSFRIST,
    Frist.Art.PARTSHOERING,
    Frist.Art.SKRIFTLIG_AFGOERELSE,
    Frist.Art.KLAGE,
    Frist.Art.STATUSNOTAT,
    Frist.Art.STATUSNOTAT_GENNEMGANG,
    Frist.Art.OPFOELGNING,
    Frist.Art.OPFOELGNINGSSKEMA,
    Frist.Art.HANDLEPLAN,
    Frist.Art.ANMODNING,
]


# The panels that are also kept for the whole area (team empty), which a leader of every team
# reads instead of each team's groups: some forty times fewer rows for a head of department.
# Not the caseload, whose tables show the teams, nor the cost, whose groups are per citizen (the
# cost's whole-area rows are its own panel, `udgift_omraade`).
WHOLE_AREA_PANELS = {
    "ventetid",
    "frist",
    "overskredet",
    "udvalg",
    "klage",
    "afgoerelse",
    "stoettebehov",
    "bevaegelse",
    "funktionsevne",
}


# The whole area's cost rows (`udgift_omraade`) for all services, or for one service.
COST_ALL_SERVICES = "alle"


COST_ONE_SERVICE = "ydelse"


CHANGED_AT_REASSESSMENT = {Klage.Genvurdering.MEDHOLD, Klage.Genvurdering.DELVIST_MEDHOLD}


CHANGED_BY_ANKESTYRELSEN = {
    Klage.Ankestyrelsen.AENDRET,
    Klage.Ankestyrelsen.HJEMVIST,
    Klage.Ankestyrelsen.OPHAEVET,
}


# The filter and the shapes a page renders


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_kept_month(today: date | None = None) -> date:
    """The earliest month the flow figures are kept for."""
    return month_start(today or timezone.localdate()) - relativedelta(months=HISTORY_MONTHS)


@dataclass(frozen=True)
class Filter:
    """What the leader narrows the dashboard to: whole months from `fra` to `til` (each the
    first day of its month), and optionally one of their teams, one service, one municipality."""

    fra: date
    til: date
    team: Team | None = None
    ydelse: KommunalYdelse | None = None
    kommune: Kommune | None = None

    @classmethod
    def default(cls, today: date | None = None) -> "Filter":
        """The last twelve months, this one included."""
        this_month = month_start(today or timezone.localdate())
        return cls(fra=this_month - relativedelta(months=11), til=this_month)

    def params(self) -> dict[str, str]:
        params = {"fra": f"{self.fra:%Y-%m}", "til": f"{self.til:%Y-%m}"}
        if self.team:
            params["team"] = str(self.team.pk)
        if self.ydelse:
            params["ydelse"] = str(self.ydelse.pk)
        if self.kommune:
            params["kommune"] = str(self.kommune.pk)
        return params

    @property
    def last_day(self) -> date:
        return self.til + relativedelta(months=1) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.fra, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Celle:
    """One value; `borgere` is how many distinct citizens it rests on (None: not a count of
    citizens, e.g. a label); `link` is the drill-down's query for the cases behind it."""

    value: int | Decimal | str | None
    borgere: int | None = None
    link: str = ""

    @property
    def suppressed(self) -> bool:
        return self.borgere is not None and 0 < self.borgere < SUPPRESS_BELOW


@dataclass(frozen=True)
class Soejle:
    label: str
    value: float
    text: str


@dataclass
class Tabel:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Celle]] = field(default_factory=list)
    chart: list[Soejle] = field(default_factory=list)
    chart_title: str = ""
    # A ranked table that can run to thousands of rows (a head of department's caseworkers,
    # providers) shows its first rows on the overview; the whole table is a page of its own
    # (`whole_table`) and in the exports.
    shown_rows: int | None = None
    # The rows an overview's table left out without building them.
    hidden_rows: int = 0

    @property
    def chart_max(self) -> float:
        return max((bar.value for bar in self.chart), default=0) or 1

    @property
    def row_count(self) -> int:
        return len(self.rows) + self.hidden_rows

    @property
    def shortened(self) -> bool:
        return self.shown_rows is not None and self.row_count > self.shown_rows

    @property
    def overview_rows(self) -> list[list[Celle]]:
        return self.rows[: self.shown_rows] if self.shown_rows is not None else self.rows


@dataclass
class Sektion:
    key: str
    title: str
    tabeller: list[Tabel]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))


def fmt_percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value} %".replace(".", ",")


def fmt_kroner(value: Decimal) -> str:
    """A figure's amount in whole kroner: "104.000 kr."."""
    return kroner_tekst(value, 0)
