"""Proof at scale: how fast the busiest pages and API lists answer, against a floor.

`manage.py benchmark` runs each `Scenario` against the database in DATABASE_URL (seeded with
`seed_scale`): a few sample subjects (different users, different cases) are picked, each gets
its own logged-in `django.test.Client`, and the page is requested through the whole stack (real
middleware, real templates, real audit writes, DEBUG off). After one warm-up request per subject
come `runs` timed requests, rotating over the subjects, then one more request per subject under
`CaptureQueriesContext` for the query count, so that capturing does not distort the timing.

The floor of a scenario is one hand-written SQL query that fetches what the page shows (the same
rows and the columns it renders), timed over the same subjects in turn with the page's requests
(before or after it, alternately), by the same timer as the page's statements, so that page and
floor meet the same state of the machine. It says how much of
a page's time the data needs; the rest is the framework, the access policy, the audit trail and
the rendering. During the timed runs the time of the page's own statements is added up: all of
them ("DB"), and its reads alone ("læs": the SELECTs, i.e. without the audit trail's and the
session's writes and their commits).

A scenario passes when its p95 meets its absolute target, if it has one, and its reads' p95 is
within `floor_factor` times the floor's p95. The reads, not the whole request, are held against
the floor: a floor of a few milliseconds (one case, one caseworker's inbox) is below what any
request through Django's middleware, session, templates and audit trail costs, so the wall
time's ratio (reported too) measures the framework there, not the queries.

To add a scenario, append a `Scenario` to `SCENARIOS` (or pass a list to `run`): a picker that
returns the subjects (user, URL, the floor's parameters), the floor's SQL and the target.
"""

import logging
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.selectors import LIST_PAGE_SIZE
from followup.dashboard.figures import Filter
from orders.models import Bestilling
from vum.accounts.models import User

# Issue 8: each page within this factor of its floor (at 200,000 citizens, on 2 cores).
FLOOR_FACTOR = 3.0


class BenchmarkError(Exception):
    """The benchmark cannot run as asked (no data, a page that does not answer 200)."""


@dataclass(frozen=True)
class Subject:
    """One sample of a scenario: who asks, which URL, and the floor query's parameters."""

    user: User
    url: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """A page or API list to measure.

    `pick(n)` returns up to n subjects, spread over the data so that the runs rotate over
    different users and objects. `floor_sql` is one query with `%(name)s` placeholders filled
    from each subject's `params`. `target_p95_ms` is the absolute target, if the page has one;
    every scenario's reads must also stay within `floor_factor` times its floor.
    """

    name: str
    title: str
    pick: Callable[[int], list[Subject]]
    floor_sql: str
    target_p95_ms: float | None = None
    floor_factor: float = FLOOR_FACTOR
    floor_note: str = ""


@dataclass
class Result:
    name: str
    title: str
    subjects: int
    runs: int
    p50_ms: float
    p95_ms: float
    db_p50_ms: float
    db_p95_ms: float
    read_p95_ms: float
    queries: list[int]
    floor_p50_ms: float
    floor_p95_ms: float
    floor_rows: list[int]
    target_p95_ms: float | None
    floor_factor: float
    floor_note: str = ""
    times_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def queries_equal(self) -> bool:
        return len(set(self.queries)) == 1

    @property
    def ratio(self) -> float:
        return self.p95_ms / self.floor_p95_ms if self.floor_p95_ms else float("inf")

    @property
    def read_ratio(self) -> float:
        return self.read_p95_ms / self.floor_p95_ms if self.floor_p95_ms else float("inf")

    @property
    def meets_target(self) -> bool:
        return self.target_p95_ms is None or self.p95_ms <= self.target_p95_ms

    @property
    def within_floor(self) -> bool:
        return self.read_ratio <= self.floor_factor

    @property
    def passed(self) -> bool:
        return self.meets_target and self.within_floor

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            queries_equal=self.queries_equal,
            ratio=round(self.ratio, 2),
            read_ratio=round(self.read_ratio, 2),
            meets_target=self.meets_target,
            within_floor=self.within_floor,
            passed=self.passed,
        )
        return data


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the closest ranks."""
    if not values:
        raise ValueError("No values.")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(q) - 1]


# Picking subjects


def _spread(items: Sequence[Any], n: int) -> list[Any]:
    """n items evenly spaced over the sequence (all of them if there are fewer)."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _rows(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return list(cursor.fetchall())


def users_named(prefix: str, n: int) -> list[User]:
    """n active users whose username starts with `prefix` (seed_scale's `skala-sb-`,
    `skala-udf-`, `skala-leder-` ...), spread over them."""
    users = list(
        User.objects.filter(username__startswith=prefix, is_active=True).order_by("username")
    )
    return _spread(users, n)


def _users_by_pk(pks: Sequence[int]) -> dict[int, User]:
    return User.objects.in_bulk(list(pks))


def pick_inbox(n: int) -> list[Subject]:
    url = reverse("inbox")
    return [Subject(u, url, {"user_id": u.pk}) for u in users_named("skala-sb-", n)]


def pick_case_page(n: int) -> list[Subject]:
    """Cases in levering at the 90th percentile of journal notes plus deadlines (heavier than
    nine in ten, the same content at every size; on a tiny seed the heaviest there are), one
    per caseworker, each seen by its own caseworker."""
    rows = _rows(
        """
        WITH weighed AS (
            SELECT s.id, s.sagsbehandler_id,
                   percent_rank() OVER (ORDER BY
                       (SELECT count(*) FROM cases_journalnotat j WHERE j.sag_id = s.id)
                       + (SELECT count(*) FROM deadlines_frist f WHERE f.sag_id = s.id), s.id
                   ) AS rank
            FROM cases_sag s
            WHERE s.fase = %(fase)s AND s.sagsbehandler_id IS NOT NULL
              AND EXISTS (SELECT 1 FROM accounts_user_teams ut
                          WHERE ut.user_id = s.sagsbehandler_id AND ut.team_id = s.team_id)
        )
        SELECT id, sagsbehandler_id FROM weighed
        ORDER BY rank < 0.9, CASE WHEN rank >= 0.9 THEN rank ELSE -rank END
        """,
        {"fase": Fase.LEVERING},
    )
    chosen: dict[int, int] = {}
    for sag_id, user_id in rows:
        chosen.setdefault(user_id, sag_id)
        if len(chosen) == n:
            break
    users = _users_by_pk(list(chosen))
    return [
        Subject(users[u], reverse("sag_detail", args=[s]), {"user_id": u, "sag_id": s})
        for u, s in chosen.items()
    ]


def _provider_staff(n: int) -> list[User]:
    """One staff member of each of n providers with active orders, spread over the providers."""
    rows = _rows(
        """
        SELECT min(u.id) FROM accounts_user u
        WHERE u.username LIKE 'skala-udf-%%' AND u.is_active AND u.organisation_id IN (
            SELECT b.udfoerer_id FROM orders_bestilling b WHERE b.status = ANY(%(active)s))
        GROUP BY u.organisation_id ORDER BY u.organisation_id
        """,
        {"active": list(Bestilling.ACTIVE_STATES)},
    )
    users = _users_by_pk([pk for (pk,) in _spread(rows, n)])
    return list(users.values())


def _provider_subjects(url: str, n: int) -> list[Subject]:
    return [
        Subject(
            u,
            url,
            {
                "org_id": u.organisation_id,
                "active": list(Bestilling.ACTIVE_STATES),
                "today": timezone.localdate(),
            },
        )
        for u in _provider_staff(n)
    ]


def pick_provider_list(n: int) -> list[Subject]:
    return _provider_subjects(reverse("orders:udfoerer-borgere"), n)


def pick_api_bestillinger(n: int) -> list[Subject]:
    return _provider_subjects("/api/v1/bestillinger/", n)


def _caseworker_subjects(url: str, n: int) -> list[Subject]:
    return [Subject(u, url, {"user_id": u.pk}) for u in users_named("skala-sb-", n)]


# The floors. Each is one query over the same rows and columns its page renders; computed values
# (masked CPR, display names, badges) come from the columns they are computed from.

# The case lists ("Mine sager", the teams' and the leader's lists): the first page of
# `cases.selectors.LIST_PAGE_SIZE` rows in the list's order, and the number of rows in the
# list, which the page shows and pages by. `{cases}` and `{counted}` narrow the user's teams'
# open cases.
CASE_LIST_FLOOR = """
SELECT s.id, b.fornavn, b.efternavn, b.cpr, s.fase, t.navn, sb.first_name, sb.last_name,
       sb.username, nf.frist, nf.beskrivelse,
       (SELECT count(*) FROM cases_sag c
        WHERE {counted} c.fase <> 'afsluttet'
          AND c.team_id IN (SELECT team_id FROM accounts_user_teams WHERE user_id = %(user_id)s))
FROM cases_sag s
JOIN cases_borger b ON b.id = s.borger_id
JOIN accounts_team t ON t.id = s.team_id
LEFT JOIN accounts_user sb ON sb.id = s.sagsbehandler_id
LEFT JOIN LATERAL (
    SELECT f.frist, f.beskrivelse FROM deadlines_frist f
    WHERE f.sag_id = s.id AND f.status = 'aaben' ORDER BY f.frist LIMIT 1
) nf ON true
WHERE {cases} s.fase <> 'afsluttet'
  AND s.team_id IN (SELECT team_id FROM accounts_user_teams
                   WHERE user_id = %(user_id)s)
ORDER BY {order}
LIMIT {size}
"""

NEAREST_DEADLINE = "coalesce(nf.frist, s.oprettet) NULLS LAST, s.id"
INBOX_FLOOR = CASE_LIST_FLOOR.format(
    cases="s.sagsbehandler_id = %(user_id)s AND",
    counted="c.sagsbehandler_id = %(user_id)s AND",
    order=NEAREST_DEADLINE,
    size=LIST_PAGE_SIZE,
)
TEAM_CASES_FLOOR = CASE_LIST_FLOOR.format(
    cases="", counted="", order=NEAREST_DEADLINE, size=LIST_PAGE_SIZE
)
# A leader's area opens with the newest cases (`cases.selectors.open_sager`).
AREA_CASES_FLOOR = CASE_LIST_FLOOR.format(
    cases="", counted="", order="s.oprettet DESC, s.id DESC", size=LIST_PAGE_SIZE
)

# "Mine frister": the open deadlines the user answers for (`FristQuerySet.for_user`) on cases
# of the user's teams, soonest first, the first page and the count.
DEADLINES_FLOOR = """
WITH mine AS (SELECT team_id FROM accounts_user_teams WHERE user_id = %(user_id)s)
SELECT f.id, f.frist, f.status, f.art, f.beskrivelse, f.regel, s.id, t.navn, b.fornavn,
       b.efternavn, b.cpr, count(*) OVER ()
FROM deadlines_frist f
JOIN cases_sag s ON s.id = f.sag_id
JOIN cases_borger b ON b.id = s.borger_id
JOIN accounts_team t ON t.id = s.team_id
WHERE f.status = 'aaben' AND s.team_id IN (SELECT team_id FROM mine)
  AND (f.ansvarlig_id = %(user_id)s
       OR (f.ansvarlig_id IS NULL AND f.ansvarligt_team_id IN (SELECT team_id FROM mine))
       OR (f.ansvarlig_id IS NULL AND f.ansvarligt_team_id IS NULL
           AND (s.sagsbehandler_id = %(user_id)s
                OR (s.sagsbehandler_id IS NULL AND s.team_id IN (SELECT team_id FROM mine)))))
ORDER BY f.frist, f.id
LIMIT %(size)s
"""

CASE_PAGE_FLOOR = """
SELECT s.id, s.fase, s.aarsag, s.oprettet, t.navn, b.id, b.fornavn, b.efternavn, b.cpr,
       sb.first_name, sb.last_name, sb.username,
       a.borger_indforstaaet, a.informeret_om_elektronisk_registrering, a.klar_sag,
       a.klar_sag_ydelse, a.vaergemaal, a.vaergemaalsform,
       (SELECT f.formaal FROM cases_formaal f WHERE f.sag_id = s.id
        ORDER BY f.oprettet DESC, f.id DESC LIMIT 1),
       (SELECT json_agg(json_build_array(o.tidspunkt, o.fra_fase, o.til_fase, u.first_name,
                                         u.last_name, u.username, o.begrundelse)
                        ORDER BY o.tidspunkt, o.id)
        FROM cases_overgang o LEFT JOIN accounts_user u ON u.id = o.udfoert_af_id
        WHERE o.sag_id = s.id),
       (SELECT json_agg(json_build_array(
                   fr.id, fr.art, fr.frist, fr.status, fr.afsluttet, fr.beskrivelse, fr.regel,
                   org.navn, au.first_name, au.last_name, au.username, at.navn,
                   (SELECT json_agg(json_build_array(m.tidspunkt, m.fra, m.til, mu.first_name,
                                                     mu.last_name, mu.username, m.begrundelse)
                                    ORDER BY m.tidspunkt, m.id)
                    FROM deadlines_fristflytning m
                    LEFT JOIN accounts_user mu ON mu.id = m.flyttet_af_id
                    WHERE m.frist_id = fr.id))
                ORDER BY fr.status <> 'aaben', fr.frist, fr.id)
        FROM deadlines_frist fr
        LEFT JOIN accounts_organisation org ON org.id = fr.ansvarlig_udfoerer_id
        LEFT JOIN accounts_user au ON au.id = fr.ansvarlig_id
        LEFT JOIN accounts_team at ON at.id = fr.ansvarligt_team_id
        WHERE fr.sag_id = s.id),
       (SELECT json_agg(json_build_array(h.modtaget, h.kilde, h.kilde_navn, left(h.aarsag, 100))
                        ORDER BY h.modtaget DESC, h.id DESC)
        FROM cases_henvendelse h WHERE h.sag_id = s.id),
       (SELECT json_agg(json_build_array(j.id, j.emne, j.dato, j.underskrift, j.tekst,
                                         r.id, r.emne, r.dato, ra.id, ra.emne, ra.oprettet)
                        ORDER BY j.oprettet DESC, j.id DESC)
        FROM cases_journalnotat j
        LEFT JOIN cases_journalnotat r ON r.id = j.retter_id
        LEFT JOIN cases_journalnotat ra ON ra.retter_id = j.id
        WHERE j.sag_id = s.id)
FROM cases_sag s
JOIN cases_borger b ON b.id = s.borger_id
JOIN accounts_team t ON t.id = s.team_id
LEFT JOIN accounts_user sb ON sb.id = s.sagsbehandler_id
LEFT JOIN cases_sagsaabning a ON a.sag_id = s.id
WHERE s.id = %(sag_id)s AND s.team_id IN (SELECT team_id FROM accounts_user_teams
                   WHERE user_id = %(user_id)s)
"""

PROVIDER_ORDERS_FLOOR = """
SELECT o.id, o.version, o.status, o.sendt, o.startdato, o.slutdato, b.id, b.fornavn,
       b.efternavn, b.cpr, org.navn
FROM orders_bestilling o
JOIN cases_sag s ON s.id = o.sag_id
JOIN cases_borger b ON b.id = s.borger_id
JOIN accounts_organisation org ON org.id = o.udfoerer_id
WHERE o.udfoerer_id = %(org_id)s AND o.status = ANY(%(active)s)
  AND (o.slutdato IS NULL OR o.slutdato >= %(today)s)
ORDER BY o.status, b.efternavn, b.fornavn, o.id
"""

API_SAGER_FLOOR = """
WITH page AS (
    SELECT s.* FROM cases_sag s WHERE s.team_id IN (SELECT team_id FROM accounts_user_teams
                   WHERE user_id = %(user_id)s)
    ORDER BY s.oprettet DESC LIMIT 50
)
SELECT p.id, p.borger_id, b.fornavn, b.efternavn, b.cpr, p.team_id, t.navn, p.sagsbehandler_id,
       u.first_name, u.last_name, u.username, p.fase, p.oprettet, p.fase_skiftet,
       (SELECT count(*) FROM cases_sag s WHERE s.team_id IN (SELECT team_id FROM accounts_user_teams
                   WHERE user_id = %(user_id)s))
FROM page p
JOIN cases_borger b ON b.id = p.borger_id
JOIN accounts_team t ON t.id = p.team_id
LEFT JOIN accounts_user u ON u.id = p.sagsbehandler_id
ORDER BY p.oprettet DESC
"""

API_BORGERE_FLOOR = """
WITH scope AS (
    SELECT DISTINCT s.borger_id FROM cases_sag s
    WHERE s.team_id IN (SELECT team_id FROM accounts_user_teams
                        WHERE user_id = %(user_id)s)
)
SELECT b.id, b.cpr, b.fornavn, b.efternavn, b.postnummer, b.by, (SELECT count(*) FROM scope)
FROM cases_borger b
WHERE b.id IN (SELECT borger_id FROM scope)
ORDER BY b.efternavn, b.fornavn
LIMIT 50
"""

API_HENVENDELSER_FLOOR = """
WITH visible AS (
    SELECT h.id, h.modtaget FROM cases_henvendelse h
    WHERE h.sag_id IS NULL
       OR h.sag_id IN (SELECT s.id FROM cases_sag s
                       WHERE s.team_id IN (SELECT team_id FROM accounts_user_teams
                                           WHERE user_id = %(user_id)s))
)
SELECT h.id, h.borger_id, h.modtaget, h.kilde, h.kilde_navn, h.kilde_kontakt, h.aarsag,
       h.team_id, h.triage, h.triage_notat, h.henvist_til, h.sag_id, h.registreret_af_id,
       h.registreret, (SELECT count(*) FROM visible)
FROM cases_henvendelse h
WHERE h.id IN (SELECT id FROM visible ORDER BY modtaget DESC, id DESC LIMIT 50)
ORDER BY h.modtaget DESC, h.id DESC
"""

# The dashboard reads the pre-aggregated figures (followup.Noegletal): the floor is every panel's
# groups for the leader's teams (or, for a leader of every team, the whole area's groups where a
# panel has them) and the period, one json_agg per panel, in one statement. The CTEs are inlined
# (NOT MATERIALIZED) so that each panel reads its own rows through the index.
DASHBOARD_FLOOR = """
WITH mine AS NOT MATERIALIZED (
    SELECT * FROM followup_noegletal
    WHERE team_id IN (SELECT team_id FROM accounts_user_teams WHERE user_id = %(user_id)s)
),
n AS NOT MATERIALIZED (SELECT * FROM followup_noegletal WHERE {area}),
flow AS NOT MATERIALIZED (SELECT * FROM n WHERE maaned BETWEEN %(fra)s AND %(til)s),
snap AS NOT MATERIALIZED (SELECT * FROM n WHERE maaned IS NULL),
mine_snap AS NOT MATERIALIZED (SELECT * FROM mine WHERE maaned IS NULL)
SELECT
 (SELECT json_agg(t) FROM (
    SELECT team_id, noegle, sum(antal), sum(borgere) FROM mine_snap
    WHERE emne = 'fase' GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM (
    SELECT noegle, team_id, sum(antal), sum(borgere), sum(sum1) FROM mine_snap
    WHERE emne = 'sagsbehandler_alle' GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM (
    SELECT kommunal_ydelse_id, vaerdier, borgere FROM flow WHERE emne = 'ventetid') t),
 (SELECT json_agg(t) FROM (
    SELECT kommunal_ydelse_id, sum(antal), sum(borgere), sum(sum1), sum(sum2) FROM flow
    WHERE emne = 'frist' GROUP BY 1) t),
 (SELECT json_agg(t) FROM (
    SELECT noegle, sum(antal), sum(borgere) FROM snap
    WHERE emne = 'overskredet' GROUP BY 1) t),
 (SELECT json_agg(t) FROM (
    SELECT maaned, noegle, sum(antal), sum(borgere) FROM flow
    WHERE emne = 'udvalg' GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM (
    SELECT maaned, emne, sum(antal), sum(borgere), sum(sum1), sum(sum2), sum(sum3) FROM flow
    WHERE emne IN ('klage', 'afgoerelse') GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM (
    SELECT noegle, sum(antal), sum(borgere) FROM snap
    WHERE emne = 'stoettebehov' GROUP BY 1) t),
 (SELECT json_agg(t) FROM (
    SELECT noegle, noegle2, sum(antal), sum(borgere) FROM flow
    WHERE emne = 'bevaegelse' GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM (
    SELECT noegle, noegle2, sum(antal), sum(borgere), sum(sum1), sum(sum2), sum(sum3) FROM flow
    WHERE emne = 'funktionsevne' GROUP BY 1, 2) t),
 (SELECT json_agg(t) FROM ({cost}) t)
"""


TEAM_LEADER_FLOOR = DASHBOARD_FLOOR.format(
    area="team_id IN (SELECT team_id FROM accounts_user_teams WHERE user_id = %(user_id)s)",
    cost="""
    SELECT kommunal_ydelse_id, noegle, noegle2, noegle3, sum(sum1), count(DISTINCT borger_id)
    FROM mine_snap WHERE emne = 'udgift'
    GROUP BY GROUPING SETS ((kommunal_ydelse_id), (noegle), (noegle2), (noegle3))""",
)
WHOLE_AREA_FLOOR = DASHBOARD_FLOOR.format(
    area="team_id IS NULL",
    cost="""
    SELECT noegle, noegle2, sum1, borgere FROM snap
    WHERE emne = 'udgift_omraade' AND noegle3 = 'alle'""",
)


def _leader_users(n: int, *, head: bool) -> list[User]:
    """Team leaders (a few teams each) or the head of department (every team), by the title
    seed_scale gives them."""
    leaders = [u for u in users_named("skala-leder-", 1000) if (u.titel == "Afdelingschef") == head]
    return _spread(leaders, n)


def _leaders(n: int, *, head: bool) -> list[Subject]:
    f = Filter.default()
    url = reverse("followup:dashboard")
    return [
        Subject(u, url, {"user_id": u.pk, "fra": f.fra, "til": f.til})
        for u in _leader_users(n, head=head)
    ]


def _leader_case_list(n: int) -> list[Subject]:
    url = reverse("sager")
    return [Subject(u, url, {"user_id": u.pk}) for u in _leader_users(n, head=True)]


SCENARIOS: list[Scenario] = [
    Scenario(
        name="indbakke",
        title="Sagsbehandlerens indbakke (Mine sager)",
        pick=pick_inbox,
        floor_sql=INBOX_FLOOR,
        target_p95_ms=100,
    ),
    Scenario(
        name="sager-team",
        title="Sager i sagsbehandlerens teams",
        pick=lambda n: _caseworker_subjects(reverse("sager"), n),
        floor_sql=TEAM_CASES_FLOOR,
        target_p95_ms=300,
    ),
    Scenario(
        name="sager-chef",
        title="Sager i afdelingschefens område (alle teams)",
        pick=_leader_case_list,
        floor_sql=AREA_CASES_FLOOR,
        target_p95_ms=300,
    ),
    Scenario(
        name="frister",
        title="Sagsbehandlerens frister (Mine frister)",
        pick=lambda n: [
            Subject(s.user, s.url, {**s.params, "size": LIST_PAGE_SIZE})
            for s in _caseworker_subjects(reverse("frister"), n)
        ],
        floor_sql=DEADLINES_FLOOR,
        target_p95_ms=300,
    ),
    Scenario(
        name="sag",
        title="Sagens side (sag i levering)",
        pick=pick_case_page,
        floor_sql=CASE_PAGE_FLOOR,
        target_p95_ms=150,
        floor_note="uden fasevagternes opslag (hvad der blokerer et faseskift)",
    ),
    Scenario(
        name="udfoerer-borgere",
        title="Udførerens borgerliste",
        pick=pick_provider_list,
        floor_sql=PROVIDER_ORDERS_FLOOR,
    ),
    Scenario(
        name="overblik",
        title="Lederens overblik (teamleder, 4 teams)",
        pick=lambda n: _leaders(n, head=False),
        floor_sql=TEAM_LEADER_FLOOR,
        target_p95_ms=300,
    ),
    Scenario(
        name="overblik-chef",
        title="Lederens overblik (afdelingschef, alle teams)",
        pick=lambda n: _leaders(n, head=True),
        floor_sql=WHOLE_AREA_FLOOR,
        # The dashboard target holds for every leader, a head of department too.
        target_p95_ms=300,
    ),
    Scenario(
        name="api-sager",
        title="API: /api/v1/sager/ (sagsbehandler)",
        pick=lambda n: _caseworker_subjects("/api/v1/sager/", n),
        floor_sql=API_SAGER_FLOOR,
    ),
    Scenario(
        name="api-borgere",
        title="API: /api/v1/borgere/ (sagsbehandler)",
        pick=lambda n: _caseworker_subjects("/api/v1/borgere/", n),
        floor_sql=API_BORGERE_FLOOR,
    ),
    Scenario(
        name="api-henvendelser",
        title="API: /api/v1/henvendelser/ (sagsbehandler)",
        pick=lambda n: _caseworker_subjects("/api/v1/henvendelser/", n),
        floor_sql=API_HENVENDELSER_FLOOR,
    ),
    Scenario(
        name="api-bestillinger",
        title="API: /api/v1/bestillinger/ (udfører)",
        pick=pick_api_bestillinger,
        floor_sql=PROVIDER_ORDERS_FLOOR,
    ),
]


# Measuring


class _QueryTimer:
    """An execute wrapper that adds up the time the statements of a request take: all of them,
    and the reads alone."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.read_seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                self.read_seconds += elapsed


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise BenchmarkError(f"{url} svarede {response.status_code}, ikke 200.")


@contextmanager
def _production_like() -> Iterator[None]:
    """DEBUG off (no query log, production template settings); the test client's host allowed;
    django-axes's line per login kept out of the report."""
    axes = logging.getLogger("axes")
    level = axes.level
    axes.setLevel(logging.WARNING)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            yield
    finally:
        axes.setLevel(level)


def measure(
    scenario: Scenario,
    *,
    runs: int,
    subjects: int,
    log: Callable[[str], None] = lambda line: None,
) -> Result:
    picked = scenario.pick(subjects)
    if not picked:
        raise BenchmarkError(
            f"Ingen eksempler til {scenario.name}: er databasen fyldt med seed_scale?"
        )
    clients = []
    for subject in picked:
        client = Client()
        client.force_login(subject.user)
        clients.append(client)
    pairs = list(zip(clients, picked, strict=True))

    for client, subject in pairs:  # warm-up: caches, connection, templates
        _get(client, subject.url)
    floor_rows = [len(_rows(scenario.floor_sql, subject.params)) for subject in picked]

    times: list[float] = []
    db_times: list[float] = []
    read_times: list[float] = []
    floor_times: list[float] = []

    def page(client: Client, subject: Subject) -> None:
        timer = _QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            _get(client, subject.url)
            times.append((time.perf_counter() - started) * 1000)
        db_times.append(timer.seconds * 1000)
        read_times.append(timer.read_seconds * 1000)

    def floor(subject: Subject) -> None:
        timer = _QueryTimer()
        with connection.execute_wrapper(timer):
            _rows(scenario.floor_sql, subject.params)
        floor_times.append(timer.read_seconds * 1000)

    for i in range(runs):
        client, subject = pairs[i % len(pairs)]
        # Page and floor in turn, the floor first on every other run: both are timed in the
        # same state of the machine and by the same timer (the statement's execution, as the
        # page's reads), neither always right after the other.
        if i % 2:
            floor(subject)
            page(client, subject)
        else:
            page(client, subject)
            floor(subject)

    queries = []
    for client, subject in pairs:
        with CaptureQueriesContext(connection) as captured:
            _get(client, subject.url)
        queries.append(len(captured.captured_queries))

    result = Result(
        name=scenario.name,
        title=scenario.title,
        subjects=len(picked),
        runs=runs,
        p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95),
        db_p50_ms=percentile(db_times, 50),
        db_p95_ms=percentile(db_times, 95),
        read_p95_ms=percentile(read_times, 95),
        queries=queries,
        floor_p50_ms=percentile(floor_times, 50),
        floor_p95_ms=percentile(floor_times, 95),
        floor_rows=floor_rows,
        target_p95_ms=scenario.target_p95_ms,
        floor_factor=scenario.floor_factor,
        floor_note=scenario.floor_note,
        times_ms=times,
    )
    log(
        f"  {scenario.name}: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
        f"{_queries(result)} forespørgsler, læsning p95 {result.read_p95_ms:.1f} ms, "
        f"gulv p95 {result.floor_p95_ms:.1f} ms"
    )
    return result


def run(
    scenarios: Sequence[Scenario],
    *,
    runs: int,
    subjects: int,
    log: Callable[[str], None] = lambda line: None,
) -> list[Result]:
    if connection.vendor != "postgresql":
        raise BenchmarkError("Målingen kræver PostgreSQL: sæt DATABASE_URL.")
    with _production_like():
        return [measure(s, runs=runs, subjects=subjects, log=log) for s in scenarios]


# Reporting


def _queries(result: Result) -> str:
    if result.queries_equal:
        return str(result.queries[0])
    return f"{min(result.queries)}-{max(result.queries)} (varierer)"


def table(results: Sequence[Result]) -> str:
    """The results as a markdown table."""
    lines = [
        "| scenarie | p50 ms | p95 ms | forespørgsler | DB p95 ms | læs p95 ms | gulv p50 ms "
        "| gulv p95 ms | p95/gulv | læs/gulv | mål | resultat |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        target = f"p95 ≤ {r.target_p95_ms:g} ms, " if r.target_p95_ms is not None else ""
        target += f"læs ≤ {r.floor_factor:g}x gulv"
        if r.passed:
            verdict = "bestået"
        else:
            missed = []
            if not r.meets_target:
                missed.append("over målet")
            if not r.within_floor:
                missed.append(f"læs over {r.floor_factor:g}x gulv")
            verdict = "ikke bestået (" + ", ".join(missed) + ")"
        lines.append(
            f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {_queries(r)} | {r.db_p95_ms:.1f} "
            f"| {r.read_p95_ms:.1f} | {r.floor_p50_ms:.2f} | {r.floor_p95_ms:.2f} | {r.ratio:.1f}x "
            f"| {r.read_ratio:.1f}x "
            f"| {target} | {verdict} |"
        )
    return "\n".join(lines)
