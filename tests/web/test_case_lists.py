"""The caseworker's lists for a full caseload: "Mine sager", the teams' and the leader's case
lists and "Mine frister" search, filter, sort and page, with the state in the address, within
the access policy, at a query count that does not grow with the list (cases/filters.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Sag
from cases.selectors import LIST_PAGE_SIZE
from tests.factories import BorgerFactory, SagFactory, TeamFactory, UserFactory, sag_in_phase
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction, AuditEvent
from vum.calendar import end_of_day
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _frist(sag: Sag, days: int, art: str = Frist.Art.SAGSBEHANDLINGSFRIST, **kw: object) -> Frist:
    return frist_create(
        sag=sag,
        art=art,
        frist=end_of_day(timezone.localdate() + timedelta(days=days)),
        beskrivelse="Afgørelse om § 85",
        **kw,  # type: ignore[arg-type]
    )


def _rows(html: str) -> list[str]:
    """The case numbers of a case list's rows, in order."""
    return [part.split("<")[0] for part in html.split('<span class="muted">Sag ')[1:]]


def _page(client: Client, name: str, **query: str) -> str:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def caseworker_with_cases() -> tuple[User, dict[str, Sag]]:
    cw = UserFactory(first_name="Sara", last_name="Sørensen")
    team = cw.teams.get()
    cases = {
        "anna": sag_in_phase(
            Fase.SAGSOPLYSNING,
            team=team,
            sagsbehandler=cw,
            borger=BorgerFactory(fornavn="Anna", efternavn="Bech", cpr="0101701234"),
        ),
        "mads": SagFactory(
            team=team, sagsbehandler=cw, borger=BorgerFactory(fornavn="Mads", efternavn="Holm")
        ),
        "liam": sag_in_phase(
            Fase.LEVERING,
            team=team,
            sagsbehandler=cw,
            borger=BorgerFactory(fornavn="Liam", efternavn="Andersen"),
        ),
    }
    _frist(cases["anna"], -2, ansvarlig=cw)  # overdue
    _frist(cases["mads"], 5, ansvarlig=cw)
    return cw, cases


def test_mine_sager_searches_by_name_birth_date_and_case_number(caseworker_with_cases) -> None:
    cw, cases = caseworker_with_cases
    client = _client(cw)
    assert _rows(_page(client, "inbox", q="mads")) == [str(cases["mads"].pk)]
    assert _rows(_page(client, "inbox", q="010170")) == [str(cases["anna"].pk)]
    assert _rows(_page(client, "inbox", q="010170-1234")) == [str(cases["anna"].pk)]
    assert _rows(_page(client, "inbox", q=f"sag {cases['liam'].pk}")) == [str(cases["liam"].pk)]
    html = _page(client, "inbox", q="ingen med det navn")
    assert "Ingen af dine åbne sager passer på filtrene." in html


def test_mine_sager_filters_by_phase_and_overdue_deadline(caseworker_with_cases) -> None:
    cw, cases = caseworker_with_cases
    client = _client(cw)
    assert _rows(_page(client, "inbox", fase=Fase.LEVERING)) == [str(cases["liam"].pk)]
    assert _rows(_page(client, "inbox", overskredet="on")) == [str(cases["anna"].pk)]
    # By default the nearest deadline first; a case without one counts from its creation (Liam's
    # case was created at the suite's instant, before Mads's deadline in five days).
    assert _rows(_page(client, "inbox")) == [
        str(cases["anna"].pk),
        str(cases["liam"].pk),
        str(cases["mads"].pk),
    ]


def test_sorting_by_a_column_and_back_keeps_the_filter_in_the_address(
    caseworker_with_cases,
) -> None:
    cw, cases = caseworker_with_cases
    client = _client(cw)
    by_name = [str(cases[n].pk) for n in ("liam", "anna", "mads")]  # Andersen, Bech, Holm
    html = _page(client, "inbox", sorter="borger", fase="")
    assert _rows(html) == by_name
    assert 'aria-sort="ascending"><a class="sort-link" href="?sorter=-borger&amp;fase="' in html
    assert _rows(_page(client, "inbox", sorter="-borger")) == by_name[::-1]
    # With no order chosen, the deadline column says it is the order.
    assert 'aria-sort="ascending"><a class="sort-link" href="?sorter=-frist"' in _page(
        client, "inbox"
    )


def test_a_bad_filter_value_is_named_and_the_list_still_shows(caseworker_with_cases) -> None:
    cw, cases = caseworker_with_cases
    html = _page(_client(cw), "inbox", fase="ukendt", sorter="hemmelig")
    assert "Formularen indeholder fejl" in html
    assert len(_rows(html)) == len(cases)


def test_the_list_pages_and_the_page_links_keep_the_filter(caseworker: User) -> None:
    team = caseworker.teams.get()
    for _ in range(LIST_PAGE_SIZE + 3):
        SagFactory(team=team, sagsbehandler=caseworker)
    client = _client(caseworker)
    first = _page(client, "inbox", fase=Fase.SAGSAABNING)
    assert len(_rows(first)) == LIST_PAGE_SIZE
    assert f"{LIST_PAGE_SIZE + 3} åbne sager med de valgte filtre, side 1 af 2." in first
    assert 'href="?fase=sagsaabning&amp;side=2" rel="next"' in first
    second = _page(client, "inbox", fase=Fase.SAGSAABNING, side="2")
    assert len(_rows(second)) == 3
    assert not set(_rows(first)) & set(_rows(second))
    # A page beyond the end (the list shrank since it was bookmarked) shows the last one.
    assert _rows(_page(client, "inbox", fase=Fase.SAGSAABNING, side="9")) == _rows(second)
    # Only the page shown is audited as seen.
    listed = AuditEvent.objects.filter(actor=caseworker, action=AuditAction.LIST)
    assert listed.filter(summary="Mine sager").count() == LIST_PAGE_SIZE + 3 + 3


def test_the_teams_list_filters_by_team_and_caseworker_within_the_users_scope() -> None:
    handicap, psykiatri, elsewhere = TeamFactory(), TeamFactory(), TeamFactory()
    cw = UserFactory(teams=[handicap, psykiatri])
    colleague = UserFactory(teams=[psykiatri], first_name="Kim", last_name="Krog")
    mine = SagFactory(team=handicap, sagsbehandler=cw)
    theirs = SagFactory(team=psykiatri, sagsbehandler=colleague)
    untaken = SagFactory(team=psykiatri)
    hidden = SagFactory(team=elsewhere)
    client = _client(cw)

    everything = _page(client, "sager")
    assert sorted(_rows(everything)) == sorted(str(s.pk) for s in (mine, theirs, untaken))
    assert f'<option value="{psykiatri.pk}">' in everything
    assert f'<option value="{elsewhere.pk}">' not in everything
    assert _rows(_page(client, "sager", team=str(psykiatri.pk))) == sorted(
        [str(theirs.pk), str(untaken.pk)], key=lambda pk: Sag.objects.get(pk=pk).oprettet
    )
    assert _rows(_page(client, "sager", sagsbehandler=str(colleague.pk))) == [str(theirs.pk)]
    assert _rows(_page(client, "sager", sagsbehandler="null")) == [str(untaken.pk)]
    # Another team's id cannot widen the list: it is refused, and the list stays the user's.
    refused = _page(client, "sager", team=str(elsewhere.pk))
    assert "Formularen indeholder fejl" in refused
    assert str(hidden.pk) not in _rows(refused)


def test_one_team_offers_no_team_filter(caseworker_with_cases) -> None:
    cw, _cases = caseworker_with_cases
    assert 'name="team"' not in _page(_client(cw), "sager")
    assert 'name="sagsbehandler"' in _page(_client(cw), "sager")
    assert 'name="sagsbehandler"' not in _page(_client(cw), "inbox")


def test_the_leaders_list_is_the_area(caseworker_with_cases) -> None:
    cw, cases = caseworker_with_cases
    leader = UserFactory(leder=True, teams=[cw.teams.get(), TeamFactory()])
    html = _page(_client(leader), "sager", q="anna")
    assert "Sager i dit område" in html
    assert _rows(html) == [str(cases["anna"].pk)]
    # The whole area opens with the newest case first.
    html = _page(_client(leader), "sager")
    assert _rows(html) == sorted(_rows(html), key=int, reverse=True)
    assert 'aria-sort="descending"><a class="sort-link" href="?sorter=oprettet"' in html


def test_mine_frister_filters_sorts_and_pages(caseworker_with_cases) -> None:
    cw, cases = caseworker_with_cases
    _frist(cases["liam"], 1, art=Frist.Art.OPFOELGNING, ansvarlig=cw)
    client = _client(cw)

    def deadline_rows(**query: str) -> list[str]:
        html = _page(client, "frister", **query)
        return [p.split('"')[0] for p in html.split('<tr id="frist-')[1:]]

    frister = {f.sag_id: str(f.pk) for f in Frist.objects.filter(sag__in=cases.values())}
    anna, mads, liam = (frister[cases[n].pk] for n in ("anna", "mads", "liam"))
    assert deadline_rows() == [anna, liam, mads]
    assert deadline_rows(art=Frist.Art.OPFOELGNING) == [liam]
    assert deadline_rows(overskredet="on") == [anna]
    assert deadline_rows(q="holm") == [mads]
    assert deadline_rows(sorter="-frist") == [mads, liam, anna]
    assert deadline_rows(sorter="borger") == [liam, anna, mads]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("inbox", Role.SAGSBEHANDLER),
        ("sager", Role.SAGSBEHANDLER),
        ("sager", Role.LEDER),
        ("frister", Role.SAGSBEHANDLER),
    ],
)
def test_a_lists_queries_do_not_grow_with_the_list(name: str, role: str) -> None:
    teams = [TeamFactory(), TeamFactory()]
    user = UserFactory(role=role, teams=teams)
    cw = user if role == Role.SAGSBEHANDLER else UserFactory(teams=teams)
    client = _client(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _page(client, name, q="a", sorter="-frist", overskredet="on")
            counted = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            _page(client, name)
        assert len(ctx.captured_queries) == counted
        return counted

    def add_cases(n: int) -> None:
        for i in range(n):
            sag = SagFactory(
                team=teams[i % 2], sagsbehandler=cw, borger=BorgerFactory(fornavn="Sara")
            )
            _frist(sag, -1 - i, ansvarlig=cw)

    add_cases(2)
    few = queries()
    add_cases(LIST_PAGE_SIZE + 5)
    assert queries() == few
    # The session and the user with the bell's count; whether there are teams to choose, and
    # the choices (teams; caseworkers); the count and the page; one INSERT of the page's audit
    # events; the session's new expiry (a savepoint, an UPDATE, its release).
    assert few <= 11


def test_a_whole_areas_caseworkers_are_chosen_within_a_team() -> None:
    teams = [TeamFactory() for _ in range(7)]
    leader = UserFactory(leder=True, teams=teams)
    kim = UserFactory(teams=[teams[0]], first_name="Kim", last_name="Krog")
    eva = UserFactory(teams=[teams[1]], first_name="Eva", last_name="Ege")
    client = _client(leader)
    assert 'name="sagsbehandler"' not in _page(client, "sager")
    html = _page(client, "sager", team=str(teams[0].pk))
    assert f'<option value="{kim.pk}">' in html
    assert f'<option value="{eva.pk}">' not in html
