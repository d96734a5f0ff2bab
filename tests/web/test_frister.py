"""The deadline pages: "Mine frister", the urgency badges, and moving, meeting and cancelling a
deadline from the case page.

Deadlines are relative to the suite's instant (tests/clock.py); tests/test_awkward_instants.py
runs the calendar-sensitive ones again at awkward instants (midnight, the clock changes,
Christmas, Easter, the end of February).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Sag
from cases.services.sag import sag_frist_cancel, sag_frist_meet, sag_frist_move
from tests.factories import SagFactory, UserFactory
from tests.web.conftest import World
from vum.access import NotFoundForUser
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import marker
from vum.calendar import end_of_day
from vum.deadlines.models import Frist, FristFlytning
from vum.deadlines.services import frist_create, frist_meet


def _due(days: int) -> datetime:
    return end_of_day(timezone.localdate() + timedelta(days=days))


def _frist(sag: Sag, days: int, beskrivelse: str = "Afgørelse om § 85", **kwargs: object) -> Frist:
    return frist_create(
        sag=sag,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist=_due(days),
        beskrivelse=beskrivelse,
        regel="Randers R-85: 8 uger fra modtagelse",
        **kwargs,  # type: ignore[arg-type]
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Mine frister


def test_mine_frister_shows_the_users_open_deadlines_in_scope_soonest_first(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    team = world.sag.team
    colleague = UserFactory(teams=[team])
    _frist(world.sag, 20, "Senere frist", ansvarlig=cw)
    _frist(world.sag, 3, "Snar frist", ansvarlig=cw)
    _frist(world.sag, -2, "Udløbet frist", ansvarlig=cw)
    _frist(world.sag, 5, "Teamets frist", ansvarligt_team=team)
    _frist(world.sag, 1, "Kollegaens frist", ansvarlig=colleague)
    frist_meet(frist=_frist(world.sag, 2, "Overholdt frist", ansvarlig=cw), actor=cw)
    # Named as responsible, but on another team's case: outside the user's scope.
    _frist(SagFactory(), 4, "Fremmed frist", ansvarlig=cw)

    response = _client(cw).get(reverse("frister"))

    assert response.status_code == 200
    html = response.content.decode()
    shown = ["Udløbet frist", "Snar frist", "Teamets frist", "Senere frist"]
    positions = [html.index(text) for text in shown]
    assert positions == sorted(positions)
    for hidden in ("Kollegaens frist", "Overholdt frist", "Fremmed frist"):
        assert hidden not in html
    assert html.count('class="deadline-badge deadline-badge--overskredet"') == 1
    assert html.count('class="deadline-badge deadline-badge--snart"') == 2
    assert world.borger.navn in html
    assert world.borger.cpr_masked in html
    assert world.borger.cpr not in html
    assert "Randers R-85: 8 uger fra modtagelse" in html
    assert reverse("sag_detail", args=[world.sag.pk]) in html


def test_mine_frister_marks_deadlines_due_today(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    _frist(world.sag, 0, "Dagens frist", ansvarlig=cw)
    html = _client(cw).get(reverse("frister")).content.decode()
    assert 'deadline-badge--i-dag">I dag<' in html


def test_mine_frister_is_in_the_caseworkers_menu(world: World) -> None:
    html = _client(world.users["sagsbehandler_ind"]).get(reverse("inbox")).content.decode()
    assert f'href="{reverse("frister")}"' in html
    html = _client(world.users["leder_ind"]).get(reverse("sager")).content.decode()
    assert f'href="{reverse("frister")}"' not in html


def test_mine_frister_audits_one_list_event_per_case_in_one_insert(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    other = SagFactory(team=world.sag.team, sagsbehandler=cw)
    _frist(world.sag, 3, ansvarlig=cw)
    _frist(world.sag, 6, ansvarlig=cw)
    _frist(other, 9, ansvarlig=cw)
    client = _client(cw)

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("frister")).status_code == 200

    events = AuditEvent.objects.filter(actor=cw, action=AuditAction.LIST, summary="Mine frister")
    assert sorted(e.object_id for e in events) == sorted([str(world.sag.pk), str(other.pk)])
    assert {e.borger_id for e in events} == {world.sag.borger_id, other.borger_id}
    audit_table = AuditEvent._meta.db_table
    inserts = [
        q for q in ctx.captured_queries if q["sql"].startswith(f'INSERT INTO "{audit_table}"')
    ]
    assert len(inserts) == 1


def _frister_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("frister"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_mine_frister_query_count_does_not_grow_with_deadlines(caseworker: User) -> None:
    team = caseworker.teams.get()
    client = _client(caseworker)
    for days in range(2):
        _frist(SagFactory(team=team, sagsbehandler=caseworker), days + 1, ansvarlig=caseworker)
    with_two = _frister_queries(client)
    assert client.get(reverse("frister")).content.decode().count('id="frist-') == 2
    for days in range(18):
        _frist(SagFactory(team=team, sagsbehandler=caseworker), days - 5, ansvarlig=caseworker)
    with_twenty = _frister_queries(client)
    assert client.get(reverse("frister")).content.decode().count('id="frist-') == 20
    assert with_two == with_twenty


# Badges in "Mine sager"


def test_inbox_marks_the_next_deadline_overdue(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    _frist(world.sag, -1, ansvarlig=cw)
    html = _client(cw).get(reverse("inbox")).content.decode()
    assert 'deadline-badge--overskredet">Overskredet<' in html


@pytest.mark.parametrize(
    ("days", "badge"), [(0, "I dag"), (7, "Inden for 7 dage"), (8, None), (-3, "Overskredet")]
)
def test_inbox_badge_by_due_day(world: World, days: int, badge: str | None) -> None:
    cw = world.users["sagsbehandler_ind"]
    _frist(world.sag, days, ansvarlig=cw)
    html = _client(cw).get(reverse("inbox")).content.decode()
    if badge is None:
        assert "deadline-badge" not in html
    else:
        assert f">{badge}</span>" in html


# The case page's Frister section


def test_case_page_lists_open_then_closed_deadlines_with_actions(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    open_one = _frist(world.sag, 10, "Åben frist")
    closed = frist_meet(frist=_frist(world.sag, 2, "Lukket frist"), actor=cw)
    html = _client(cw).get(reverse("sag_detail", args=[world.sag.pk])).content.decode()
    assert html.index("Åben frist") < html.index("Lukket frist")
    assert reverse("frist_overhold", args=[world.sag.pk, open_one.pk]) in html
    assert reverse("frist_flyt", args=[world.sag.pk, open_one.pk]) in html
    assert reverse("frist_annuller", args=[world.sag.pk, open_one.pk]) in html
    # A closed deadline shows its status and has no actions.
    assert "Overholdt" in html
    assert reverse("frist_overhold", args=[world.sag.pk, closed.pk]) not in html


def test_move_sets_the_end_of_the_new_day_and_shows_the_history(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    frist = _frist(world.sag, 5)
    new_day = timezone.localdate() + timedelta(days=30)
    client = _client(cw)

    response = client.post(
        reverse("frist_flyt", args=[world.sag.pk, frist.pk]),
        {"til": new_day.isoformat(), "begrundelse": "Venter på lægeerklæring"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#frist-{frist.pk}")
    frist.refresh_from_db()
    assert frist.frist == end_of_day(new_day)
    assert timezone.localtime(frist.frist).strftime("%H:%M:%S") == "23:59:59"
    move = FristFlytning.objects.get(frist=frist)
    assert move.flyttet_af == cw
    html = client.get(response["Location"]).content.decode()
    assert "Fristen er flyttet til" in html
    assert "Flyttet 1 gang" in html
    assert "Venter på lægeerklæring" in html


def test_move_without_a_reason_shows_a_danish_error_and_changes_nothing(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    frist = _frist(world.sag, 5)
    before = frist.frist
    new_day = timezone.localdate() + timedelta(days=30)

    response = _client(cw).post(
        reverse("frist_flyt", args=[world.sag.pk, frist.pk]),
        {"til": new_day.isoformat(), "begrundelse": "   "},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Angiv hvorfor fristen flyttes." in html
    # The failed form is open and keeps the user's date.
    assert f'value="{new_day.isoformat()}"' in html
    frist.refresh_from_db()
    assert frist.frist == before
    assert frist.generation == 1
    assert not FristFlytning.objects.exists()


def test_move_without_a_date_shows_a_danish_error(world: World) -> None:
    frist = _frist(world.sag, 5)
    response = _client(world.users["sagsbehandler_ind"]).post(
        reverse("frist_flyt", args=[world.sag.pk, frist.pk]), {"til": "", "begrundelse": "x"}
    )
    assert response.status_code == 200
    assert "Dette felt er påkrævet." in response.content.decode()
    assert not FristFlytning.objects.exists()


def test_meet_closes_the_deadline_as_met(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    frist = _frist(world.sag, 5)
    client = _client(cw)
    response = client.post(reverse("frist_overhold", args=[world.sag.pk, frist.pk]))
    assert response.status_code == 302
    frist.refresh_from_db()
    assert frist.status == Frist.Status.OVERHOLDT
    assert "Fristen er markeret som overholdt." in client.get(response["Location"]).content.decode()


def test_meeting_an_overdue_deadline_closes_it_as_missed(world: World) -> None:
    frist = _frist(world.sag, -2)
    client = _client(world.users["sagsbehandler_ind"])
    response = client.post(reverse("frist_overhold", args=[world.sag.pk, frist.pk]))
    frist.refresh_from_db()
    assert frist.status == Frist.Status.OVERSKREDET
    assert "afsluttet som overskredet" in client.get(response["Location"]).content.decode()


def test_meeting_a_closed_deadline_again_says_so_in_danish(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    frist = _frist(world.sag, 5)
    frist_meet(frist=frist, actor=cw)
    client = _client(cw)
    response = client.post(reverse("frist_overhold", args=[world.sag.pk, frist.pk]))
    assert "Fristen er allerede overholdt." in client.get(response["Location"]).content.decode()


def test_cancel_needs_a_reason(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    frist = _frist(world.sag, 5)
    client = _client(cw)
    url = reverse("frist_annuller", args=[world.sag.pk, frist.pk])

    response = client.post(url, {"begrundelse": ""})
    assert response.status_code == 200
    assert "Angiv hvorfor fristen annulleres." in response.content.decode()
    frist.refresh_from_db()
    assert frist.status == Frist.Status.AABEN

    response = client.post(url, {"begrundelse": "Ansøgningen er trukket tilbage"})
    assert response.status_code == 302
    frist.refresh_from_db()
    assert frist.status == Frist.Status.ANNULLERET
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, actor=cw).latest("id")
    assert event.changes["begrundelse"] == marker("Ansøgningen er trukket tilbage")


def _actions(sag: Sag, frist: Frist) -> list[tuple[str, dict[str, str]]]:
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    return [
        (reverse("frist_flyt", args=[sag.pk, frist.pk]), {"til": day, "begrundelse": "x"}),
        (reverse("frist_overhold", args=[sag.pk, frist.pk]), {}),
        (reverse("frist_annuller", args=[sag.pk, frist.pk]), {"begrundelse": "x"}),
    ]


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "leder_ind", "udvalg_ind", "udfoerer_ind"])
def test_actions_outside_edit_rights_are_not_found(world: World, role: str) -> None:
    frist = _frist(world.sag, 5)
    client = _client(world.users[role])
    for url, data in _actions(world.sag, frist):
        assert client.post(url, data).status_code == 404
    frist.refresh_from_db()
    assert frist.status == Frist.Status.AABEN
    assert frist.generation == 1


def test_a_deadline_of_another_case_is_not_found_through_this_case(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    foreign = _frist(SagFactory(), 5)
    client = _client(cw)
    for url, data in _actions(world.sag, foreign):
        assert client.post(url, data).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Frist.Status.AABEN


def _service_calls(sag: Sag, frist: Frist) -> list[Callable[[User], Frist]]:
    return [
        lambda u: sag_frist_move(actor=u, sag=sag, frist=frist, til=_due(30), begrundelse="x"),
        lambda u: sag_frist_meet(actor=u, sag=sag, frist=frist),
        lambda u: sag_frist_cancel(actor=u, sag=sag, frist=frist, begrundelse="x"),
    ]


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "leder_ind", "udvalg_ind", "udfoerer_ind"])
def test_the_services_check_the_policy_themselves(world: World, role: str) -> None:
    """The case page's deadline services refuse whoever may not write on the case, whatever
    called them (a page, the API, a script)."""
    frist = _frist(world.sag, 5)
    for call in _service_calls(world.sag, frist):
        with pytest.raises(NotFoundForUser):
            call(world.users[role])
    frist.refresh_from_db()
    assert frist.status == Frist.Status.AABEN
    assert frist.generation == 1


def test_the_services_refuse_a_deadline_of_another_case_and_a_closed_case(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    foreign = _frist(SagFactory(team=world.sag.team), 5)
    for call in _service_calls(world.sag, foreign):
        with pytest.raises(NotFoundForUser):
            call(cw)
    own = _frist(world.sag, 5)
    Sag.objects.filter(pk=world.sag.pk).update(fase="afsluttet")
    for call in _service_calls(world.sag, own):
        with pytest.raises(NotFoundForUser):
            call(cw)
    assert Frist.objects.filter(status=Frist.Status.AABEN).count() == 2


def test_a_leader_sees_the_deadlines_without_actions(world: World) -> None:
    frist = _frist(world.sag, 5, "Lederen kan se denne")
    html = (
        _client(world.users["leder_ind"])
        .get(reverse("sag_detail", args=[world.sag.pk]))
        .content.decode()
    )
    assert "Lederen kan se denne" in html
    assert "Markér som overholdt" not in html
    assert reverse("frist_flyt", args=[world.sag.pk, frist.pk]) not in html


def test_actions_are_post_only(world: World) -> None:
    frist = _frist(world.sag, 5)
    client = _client(world.users["sagsbehandler_ind"])
    for url, _ in _actions(world.sag, frist):
        # Opened as a page, the action's address leads to its page and changes nothing.
        response = client.get(url)
        assert response.status_code == 302
        assert not response["Location"].startswith(url)
    assert Frist.objects.get(pk=frist.pk).status == Frist.Status.AABEN


def test_case_page_query_count_does_not_grow_with_deadlines(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    client = _client(cw)
    url = reverse("sag_detail", args=[world.sag.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for day in (3, 9):
        frist = _frist(world.sag, day)
    client.post(
        reverse("frist_flyt", args=[world.sag.pk, frist.pk]),
        {"til": timezone.localdate().isoformat(), "begrundelse": "x"},
    )
    few = count()
    for day in range(10):
        frist = _frist(world.sag, day + 10, ansvarlig=cw)
        client.post(
            reverse("frist_flyt", args=[world.sag.pk, frist.pk]),
            {"til": (timezone.localdate() + timedelta(days=40)).isoformat(), "begrundelse": "y"},
        )
    assert count() == few
