"""The citizen register is reached by a search with a stated purpose, not by walking ids; a user
who looks up far more citizens than a day's work needs is reported. (Issue 19, item 5.)
`timezone.now()` here is the suite's frozen instant (tests/clock.py); the day's count is measured
from it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import selectors
from cases.services.henvendelse import henvendelse_register
from tests.factories import BorgerFactory, UserFactory
from vum.access import Action, NotFoundForUser, borgere_reachable_by, may
from vum.audit.models import AuditEvent
from vum.notifications.models import Notifikation

pytestmark = pytest.mark.django_db


def _search(user, query: str) -> list[selectors.SearchHit]:  # type: ignore[no-untyped-def]
    return selectors.borger_search(user=user, query=query, formaal="ny-henvendelse")


def test_a_search_needs_a_purpose(caseworker) -> None:
    with pytest.raises(ValidationError) as refused:
        selectors.borger_search(user=caseworker, query="Jensen", formaal="")
    assert refused.value.message_dict == {"formaal": ["Angiv formålet med søgningen."]}


def test_a_found_citizen_may_get_an_enquiry_for_a_day_and_only_then(caseworker) -> None:
    borger = BorgerFactory()
    assert not may(caseworker, Action.REGISTER_HENVENDELSE, borger)
    with pytest.raises(NotFoundForUser):
        henvendelse_register(
            actor=caseworker,
            borger=borger,
            kilde="borger",
            aarsag="Ønsker støtte.",
            team=caseworker.teams.get(),
            triage="sag",
        )
    (hit,) = _search(caseworker, borger.cpr)
    assert hit.borger == borger
    assert hit.adgang is False  # identification only
    assert may(caseworker, Action.REGISTER_HENVENDELSE, borger)
    assert not may(caseworker, Action.VIEW, borger)
    assert not may(UserFactory(), Action.REGISTER_HENVENDELSE, borger)  # another user's search
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert not borgere_reachable_by(caseworker).filter(pk=borger.pk).exists()


def test_bulk_lookups_alert_the_administrators_once_an_hour(caseworker, settings) -> None:
    settings.VUM_BULK_LOOKUP_ALERT_PER_HOUR = 5
    admins = [UserFactory(administrator=True), UserFactory(administrator=True)]
    BorgerFactory.create_batch(3, efternavn="Jensen")
    BorgerFactory.create_batch(3, efternavn="Hansen")

    _search(caseworker, "Jensen")  # 3 citizens shown: below the limit
    assert not Notifikation.objects.exists()
    _search(caseworker, "Hansen")  # 6 within the hour
    _search(caseworker, "Jensen")  # 9: still one alert per administrator this hour

    alerts = Notifikation.objects.filter(titel="Mange opslag i borgerregistret")
    assert sorted(a.modtager_id for a in alerts) == sorted(a.pk for a in admins)
    assert all("6 borgere" in a.tekst for a in alerts)
    assert all(str(caseworker.pk) in a.link for a in alerts)
    # Another user's searches do not count towards the caseworker's.
    other = UserFactory()
    _search(other, "Jensen")
    assert alerts.count() == 2


def test_a_birth_date_or_the_start_of_a_cpr_number_finds_those_it_begins(caseworker) -> None:  # type: ignore[no-untyped-def]
    """Issue 20: find a citizen by birth date (ddmmyy) or a partial CPR number; the search is
    logged as the birth date only."""
    mads = BorgerFactory(cpr="1503021234", fornavn="Mads")
    twin = BorgerFactory(cpr="1503025678", fornavn="Mikkel")
    BorgerFactory(cpr="1603021234", fornavn="Other")

    assert {h.borger for h in _search(caseworker, "150302")} == {mads, twin}
    assert [h.borger for h in _search(caseworker, "150302-12")] == [mads]
    assert [h.borger for h in _search(caseworker, "15030212")] == [mads]
    assert _search(caseworker, "15030") == []  # five digits: not a date, and no name has them

    logged = AuditEvent.objects.filter(summary__startswith="Søgning på fødselsdato")
    assert logged.count() == 3
    # The audit keeps a keyed marker, not the text (vum/audit/redaction.py): the same marker for
    # all three searches shows that each was logged as the same birth date.
    assert len({str(sorted(e.changes["soegning"].items())) for e in logged}) == 1
