"""The permission matrix: every role by the main actions, at the policy that pages and API share.

Yesterday and three days ahead are relative to the suite's instant (tests/clock.py): the policy
reads whether a meeting has come, not which day it is.
"""

from datetime import timedelta

import pytest
from django.db.models import Value
from django.utils import timezone

from cases.models import Sag
from orders.models import Bestilling
from tests.factories import BestillingFactory, SagFactory, UserFactory, put_on_agenda
from vum.access import (
    Action,
    NotFoundForUser,
    borgere_visible_to,
    get_borger_or_404,
    get_sag_or_404,
    may,
    sager_visible_to,
)
from vum.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    """One case in the Handicap team, and one user of each kind around it."""
    sag = SagFactory()
    other_sag = SagFactory()
    udfoerer = UserFactory(udfoerer=True)
    BestillingFactory(sag=sag, udfoerer=udfoerer.organisation)
    member = UserFactory(udvalgsmedlem=True)
    put_on_agenda(sag, member)
    return {
        "sag": sag,
        "other_sag": other_sag,
        "sagsbehandler i teamet": UserFactory(teams=[sag.team]),
        "sagsbehandler i andet team": UserFactory(teams=[other_sag.team]),
        "leder for området": UserFactory(leder=True, teams=[sag.team]),
        "leder for andet område": UserFactory(leder=True, teams=[other_sag.team]),
        "udvalgsmedlem med sagen på dagsordenen": member,
        "udvalgsmedlem uden sagen": UserFactory(udvalgsmedlem=True),
        "udfører med aktiv bestilling": udfoerer,
        "udfører uden bestilling": UserFactory(udfoerer=True),
        "administrator": UserFactory(administrator=True),
    }


# role -> (view sag, edit sag, transition sag, view borger, edit borger, search/create/open)
MATRIX = {
    "sagsbehandler i teamet": (True, True, True, True, True, True),
    # The register is reached by search, not by id: another team's citizen is not theirs.
    "sagsbehandler i andet team": (False, False, False, False, False, True),
    "leder for området": (True, False, False, True, False, False),
    "leder for andet område": (False, False, False, False, False, False),
    "udvalgsmedlem med sagen på dagsordenen": (True, False, False, True, False, False),
    "udvalgsmedlem uden sagen": (False, False, False, False, False, False),
    "udfører med aktiv bestilling": (False, False, False, True, False, False),
    "udfører uden bestilling": (False, False, False, False, False, False),
    "administrator": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("role", MATRIX)
def test_permission_matrix(world: dict[str, object], role: str) -> None:
    user = world[role]
    assert isinstance(user, User)
    sag = world["sag"]
    assert isinstance(sag, Sag)
    view_sag, edit_sag, transition, view_borger, edit_borger, register = MATRIX[role]

    assert may(user, Action.VIEW, sag) is view_sag
    assert may(user, Action.EDIT, sag) is edit_sag
    assert may(user, Action.EDIT, sag, as_loaded=True) is edit_sag
    assert may(user, Action.TRANSITION, sag) is transition
    assert may(user, Action.VIEW, sag.borger) is view_borger
    assert may(user, Action.EDIT_BORGER, sag.borger) is edit_borger
    for action in (Action.SEARCH_BORGER, Action.CREATE_BORGER, Action.OPEN_CASE):
        assert may(user, action) is register
    assert may(user, Action.VIEW_AUDIT_LOG) is (role == "administrator")

    assert (sag in sager_visible_to(user)) is view_sag
    assert (sag.borger in borgere_visible_to(user)) is view_borger


@pytest.mark.parametrize("role", MATRIX)
def test_out_of_scope_is_not_found_not_forbidden(world: dict[str, object], role: str) -> None:
    user = world[role]
    sag = world["sag"]
    assert isinstance(sag, Sag)
    view_sag, *_, view_borger, _edit, _reg = MATRIX[role]
    if view_sag:
        assert get_sag_or_404(user, sag.pk) == sag
    else:
        with pytest.raises(NotFoundForUser):
            get_sag_or_404(user, sag.pk)
    if view_borger:
        assert get_borger_or_404(user, sag.borger.pk) == sag.borger
    else:
        with pytest.raises(NotFoundForUser):
            get_borger_or_404(user, sag.borger.pk)
    for junk in ("abc", None, -1, 10**12):
        with pytest.raises(NotFoundForUser):
            get_sag_or_404(user, junk)


def test_an_udfoerer_has_access_from_the_order_until_it_ends() -> None:
    udfoerer = UserFactory(udfoerer=True)
    bestilling = BestillingFactory(udfoerer=udfoerer.organisation)
    borger = bestilling.sag.borger
    assert may(udfoerer, Action.VIEW, borger)

    yesterday = timezone.localdate() - timedelta(days=1)
    Bestilling.objects.filter(pk=bestilling.pk).update(slutdato=yesterday)
    assert not may(udfoerer, Action.VIEW, borger)

    Bestilling.objects.filter(pk=bestilling.pk).update(
        slutdato=None, status=Bestilling.Status.AFVIST
    )
    assert not may(udfoerer, Action.VIEW, borger)

    # An order that starts later is in force already: the provider answers it and prepares.
    future = timezone.localdate() + timedelta(days=3)
    Bestilling.objects.filter(pk=bestilling.pk).update(
        status=Bestilling.Status.SENDT, startdato=future
    )
    assert may(udfoerer, Action.VIEW, borger)


def test_a_colleague_in_another_udfoerer_sees_nothing() -> None:
    bestilling = BestillingFactory()
    other_provider = UserFactory(udfoerer=True)
    assert not borgere_visible_to(other_provider).exists()
    assert not may(other_provider, Action.VIEW, bestilling.sag.borger)


def test_inactive_and_anonymous_users_see_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    sag = SagFactory()
    inactive = UserFactory(teams=[sag.team], is_active=False)
    for user in (inactive, AnonymousUser(), None):
        assert not may(user, Action.VIEW, sag)
        assert not sager_visible_to(user).exists()
        assert not borgere_visible_to(user).exists()


# role -> (the enquiry that opened the case, one about the citizen without a case, one elsewhere)
ENQUIRIES = {
    "sagsbehandler i teamet": (True, True, True),
    # The other team's case is not theirs; enquiries with no case are the triage pool.
    "sagsbehandler i andet team": (False, True, True),
    "leder for området": (True, False, False),
    "leder for andet område": (False, False, False),
    "udvalgsmedlem med sagen på dagsordenen": (True, False, False),
    "udvalgsmedlem uden sagen": (False, False, False),
    "udfører med aktiv bestilling": (False, False, False),
    "udfører uden bestilling": (False, False, False),
    "administrator": (False, False, False),
}


@pytest.mark.parametrize("role", ENQUIRIES)
def test_henvendelser_visible_to(world: dict[str, object], role: str) -> None:
    """Everyone reads the enquiries that opened a case in their scope; a caseworker, who triages,
    also those that opened no case."""
    from cases.models import Henvendelse
    from tests.factories import HenvendelseFactory
    from vum.access import henvendelser_visible_to

    user = world[role]
    sag = world["sag"]
    assert isinstance(sag, Sag)
    opened_case = HenvendelseFactory(borger=sag.borger, sag=sag)
    no_case = HenvendelseFactory(borger=sag.borger, triage=Henvendelse.Triage.RAADGIVNING)
    elsewhere = HenvendelseFactory()

    visible = set(henvendelser_visible_to(user))
    assert [h in visible for h in (opened_case, no_case, elsewhere)] == list(ENQUIRIES[role])


def test_enquiries_on_another_teams_case_stay_with_that_team() -> None:
    from cases.models import Henvendelse
    from tests.factories import HenvendelseFactory
    from vum.access import henvendelser_visible_to

    handicap_case = SagFactory()
    psykiatri = UserFactory()
    on_other_team = HenvendelseFactory(
        borger=handicap_case.borger, sag=handicap_case, team=handicap_case.team, aarsag="HEMMELIG"
    )
    advice = HenvendelseFactory(
        borger=handicap_case.borger, triage=Henvendelse.Triage.RAADGIVNING, triage_notat="Vejledt"
    )
    visible = set(henvendelser_visible_to(psykiatri))
    assert on_other_team not in visible
    assert advice in visible
    assert on_other_team in set(henvendelser_visible_to(UserFactory(teams=[handicap_case.team])))


def test_mine_sager_follows_the_policy() -> None:
    from cases.selectors import open_sager

    sag = SagFactory()
    caseworker = UserFactory(teams=[sag.team])
    Sag.objects.filter(pk=sag.pk).update(sagsbehandler=caseworker)
    assert [s.pk for s in open_sager(user=caseworker, own=True)] == [sag.pk]
    caseworker.teams.clear()  # moved away from the team
    assert not open_sager(user=caseworker, own=True).exists()


def test_a_case_closed_since_it_was_loaded_refuses_edits() -> None:
    """The object in hand may be stale: the policy asks the database for the phase."""
    caseworker = UserFactory()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    assert may(caseworker, Action.EDIT, sag)
    Sag.objects.filter(pk=sag.pk).update(fase="afsluttet")
    assert not may(caseworker, Action.EDIT, sag)


def test_a_page_offers_its_forms_by_the_case_as_loaded() -> None:
    """Which forms a page shows is decided from the case the request loaded; the write that
    follows asks the database again (above)."""
    caseworker = UserFactory()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    Sag.objects.filter(pk=sag.pk).update(fase="afsluttet")
    assert may(caseworker, Action.EDIT, sag, as_loaded=True)
    closed = get_sag_or_404(caseworker, sag.pk)
    assert not may(caseworker, Action.EDIT, closed, as_loaded=True)
    elsewhere = SagFactory()
    assert not may(caseworker, Action.EDIT, elsewhere, as_loaded=True)


def test_a_page_cannot_annotate_away_the_team_check() -> None:
    """The team check of a caseworker's or leader's case is a column of the case's statement;
    a page's own annotations cannot replace it, and a mistaken one is an error, not a 404."""
    caseworker = UserFactory()
    elsewhere = SagFactory()
    with pytest.raises(TypeError):
        get_sag_or_404(caseworker, elsewhere.pk, in_user_teams=Value(True))
    with pytest.raises(ValueError, match="conflicts with a field"):
        get_sag_or_404(caseworker, elsewhere.pk, fase=Value("x"))
    with pytest.raises(NotFoundForUser):
        get_sag_or_404(caseworker, elsewhere.pk, noget=Value(1))


def test_leaving_a_team_ends_access_for_the_same_user_object() -> None:
    caseworker = UserFactory()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    assert may(caseworker, Action.VIEW, sag)
    caseworker.teams.clear()
    assert not may(caseworker, Action.VIEW, sag)


def test_leaving_a_team_ends_access_to_a_case_the_user_just_opened() -> None:
    """A case found through the user's teams spares the policy a lookup of them, until the
    teams change."""
    caseworker = UserFactory()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    opened = get_sag_or_404(caseworker, sag.pk)
    assert may(caseworker, Action.EDIT, opened)
    caseworker.teams.clear()
    assert not may(caseworker, Action.VIEW, opened)
    assert not may(caseworker, Action.EDIT, opened)
