"""The deadline-heavy tests at awkward instants, with the same results at every one.

Each test here runs at each instant below, with the clock stopped there (tick=False), so that
"just before midnight" stays just before it. The deadline engine's, the deadline pages' and the
committee's own tests are collected here a second time (imported below, fixtures included) and run
at every instant; the tests written here check what must hold whatever the day: a deadline
counted on the calendar ends at the end of a working day, and every warning falls at the warning
hour of a day (or at once), before its deadline, and is delivered exactly once.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.catalogs import load_catalog
from tests.clock import local_instant
from tests.factories import SagFactory
from tests.test_deadline_engine import (  # noqa: F401 (collected here again, at each instant)
    sag,
    test_a_deadline_cannot_be_moved_into_the_past,
    test_a_deadline_is_armed_with_every_step_still_ahead,
    test_a_moved_deadline_warns_again_before_the_new_date,
    test_a_team_deadline_warns_the_teams_caseworkers,
    test_due_warnings_are_delivered_once_in_app_and_by_email,
    test_extending_a_processing_deadline_asks_the_caseworker_to_inform_the_citizen,
    test_meeting_on_time_late_and_cancelling,
    test_moving_re_arms_the_warnings,
    test_warnings_go_to_whoever_sees_the_deadline_in_mine_frister,
)
from tests.test_deadline_tasks import test_passed_meetings_are_closed_once  # noqa: F401
from tests.test_processing_deadline import open_case, processing_deadline, ydelse
from tests.test_visitationsudvalg import (  # noqa: F401
    committee,
    test_monthly_meetings_are_planned_once,
)
from tests.web.conftest import world  # noqa: F401
from tests.web.test_frister import (  # noqa: F401
    test_inbox_badge_by_due_day,
    test_meeting_an_overdue_deadline_closes_it_as_missed,
    test_mine_frister_marks_deadlines_due_today,
    test_move_sets_the_end_of_the_new_day_and_shows_the_history,
)
from vum import calendar
from vum.accounts.models import User
from vum.catalog.models import Ansoegningstype
from vum.deadlines.models import Frist, Varsel
from vum.deadlines.services import frist_create, frist_move, varsler_deliver_due
from vum.notifications.models import Notifikation

pytestmark = pytest.mark.django_db

# Local wall-clock times; the autumn change's 02:30 happens twice and is named by its offset.
AWKWARD_INSTANTS = {
    "before-midnight": "2026-11-17 23:59:30",
    "after-midnight": "2026-11-18 00:00:30",
    "before-spring-change": "2027-03-28 01:59:30",
    "after-spring-change": "2027-03-28 03:00:30",
    "autumn-change-first-0230": "2026-10-25 02:30+02:00",
    "autumn-change-second-0230": "2026-10-25 02:30+01:00",
    "lillejuleaften": "2026-12-23 16:00",
    "juleaften": "2026-12-24 09:00",
    "2-juledag": "2026-12-26 12:00",
    "nytaarsaften-late": "2026-12-31 23:30",
    "nytaarsdag-early": "2027-01-01 00:30",
    "2-januar": "2027-01-02 10:00",
    "skaertorsdag": "2027-03-25 10:00",
    "langfredag": "2027-03-26 10:00",
    "2-paaskedag": "2027-03-29 10:00",
    "leap-29-february": "2028-02-29 12:00",
    "non-leap-28-february": "2027-02-28 12:00",
}


@pytest.fixture(autouse=True, params=list(AWKWARD_INSTANTS.values()), ids=list(AWKWARD_INSTANTS))
def awkward_instant(request: pytest.FixtureRequest) -> Iterator[datetime]:
    # In UTC: an ambiguous local time (the autumn change's) never compares equal across zones.
    instant = local_instant(request.param).astimezone(UTC)
    with time_machine.travel(instant, tick=False):
        yield instant


@pytest.fixture
def randers(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.mark.django_db
def test_a_processing_deadline_ends_at_the_end_of_a_working_day(
    caseworker: User, randers: None
) -> None:
    """Randers R-85: 8 weeks from the enquiry received today, moved past any closed days."""
    received = timezone.localdate()
    case = open_case(
        caseworker,
        received,
        kommunal_ydelse=ydelse("randers", "R-85"),
        ansoegningstype=Ansoegningstype.NY,
    )
    frist = processing_deadline(case)
    end = timezone.localtime(frist.frist)
    assert end.time() == time(23, 59, 59, 999999)
    assert calendar.is_working_day(end.date())
    eight_weeks = received + timedelta(weeks=8)
    assert end.date() >= eight_weeks
    closed_between = [
        eight_weeks + timedelta(days=n) for n in range((end.date() - eight_weeks).days)
    ]
    assert not any(calendar.is_working_day(day) for day in closed_between)


def _warnings_of(frist: Frist) -> list[Varsel]:
    return list(frist.varsler.order_by("forfald", "id"))


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 1, 6, 7, 8, 30, 58])
def test_every_warning_falls_at_the_warning_hour_before_its_deadline_and_comes_once(
    caseworker: User, days: int
) -> None:
    now = timezone.now()
    due_day = timezone.localdate() + timedelta(days=days)
    case = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    frist = frist_create(
        sag=case,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist=calendar.end_of_day(due_day),
        beskrivelse="Afgørelse om § 85",
    )
    warnings = _warnings_of(frist)
    assert [w.trin for w in warnings][-1] == "overskredet"
    assert warnings[-1].forfald == frist.frist + timedelta(seconds=1)
    for warning in warnings[:-1]:
        local = timezone.localtime(warning.forfald)
        at_warning_hour = local.time() == time(settings.VUM_WARNING_HOUR)
        at_once = warning.trin == "paa_dagen" and warning.forfald == now
        assert at_warning_hour or at_once, (warning.trin, local)
        assert warning.forfald < frist.frist
    seven_days_before = timezone.make_aware(
        datetime.combine(due_day - timedelta(days=7), time(settings.VUM_WARNING_HOUR))
    )
    assert ("7_dage_foer" in [w.trin for w in warnings]) == (seven_days_before > now)

    # Sweeping at each warning's time delivers it then, and nothing is delivered twice.
    for warning in warnings:
        assert varsler_deliver_due(now=warning.forfald) == 1
    assert varsler_deliver_due(now=frist.frist + timedelta(days=1)) == 0
    assert Notifikation.objects.filter(modtager=caseworker).count() == len(warnings)


@pytest.mark.django_db
def test_a_deadline_moved_to_the_next_working_day_ends_at_its_end(caseworker: User) -> None:
    case = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    frist = frist_create(
        sag=case,
        art=Frist.Art.PARTSHOERING,
        frist=calendar.end_of_day(timezone.localdate() + timedelta(days=14)),
        beskrivelse="Svar på partshøring",
    )
    new_day = calendar.add_working_days(timezone.localdate() + timedelta(days=14), 1)
    moved = frist_move(
        frist=frist, til=calendar.end_of_day(new_day), begrundelse="Borgeren bad om mere tid"
    )
    assert timezone.localtime(moved.frist).date() == new_day
    assert calendar.is_working_day(new_day)
    pending = Varsel.objects.filter(frist=moved, annulleret=False, leveret__isnull=True)
    assert {v.generation for v in pending} == {moved.generation}
    assert pending.get(trin="overskredet").forfald == moved.frist + timedelta(seconds=1)


def test_the_clock_stands_at_the_stated_instant(
    awkward_instant: datetime, request: pytest.FixtureRequest
) -> None:
    assert timezone.now() == awkward_instant
    stated = AWKWARD_INSTANTS[request.node.callspec.id]
    assert timezone.localtime().isoformat(" ", "minutes").startswith(stated[:16])
