"""Handleplan (SEL § 141): one plan per citizen, finalised no earlier than the decision, with no
economy or time use, versioned with a PDF for the citizen, and marked when goals change."""

import pytest
from django.core.exceptions import ValidationError

from orders.models import Handleplan, HandleplanVersion
from orders.services.handleplan import (
    handleplan_finalise,
    handleplan_for,
    handleplan_status,
    handleplan_update,
)
from tests.catalogs import load_catalog
from tests.factories import UserFactory, sag_in_phase
from tests.mads import mads_decided, mads_time
from tests.pdf import pdf_text
from vum.access import Action, NotFoundForUser, may

pytestmark = [pytest.mark.django_db, mads_time]


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def test_not_before_the_decision(caseworker) -> None:
    sag = sag_in_phase("sagsvurdering", team=caseworker.teams.get(), sagsbehandler=caseworker)
    plan = handleplan_for(sag.borger)
    assert plan.pk is None  # reading writes nothing
    handleplan_update(
        actor=caseworker, borger=sag.borger, tilbudt=True, oensket=True, formaal="Egen bolig."
    )
    with pytest.raises(ValidationError, match="når der er truffet afgørelse"):
        handleplan_finalise(actor=caseworker, borger=sag.borger)
    assert not HandleplanVersion.objects.exists()


def test_a_plan_not_offered_needs_a_reason(caseworker) -> None:
    sag = sag_in_phase("sagsvurdering", team=caseworker.teams.get(), sagsbehandler=caseworker)
    with pytest.raises(ValidationError, match="hvorfor"):
        handleplan_update(actor=caseworker, borger=sag.borger, tilbudt=False)
    assert not Handleplan.objects.exists()


def test_the_mads_plan_with_goals_providers_and_no_economy(caseworker) -> None:
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    plan = handleplan_for(borger)
    assert (plan.tilbudt, plan.oensket) == (True, True)  # from the sagsvurdering
    assert handleplan_status(plan) == "Under udarbejdelse"

    handleplan_update(
        actor=caseworker,
        borger=borger,
        formaal="Jeg har stadig min lejlighed, og jeg har taget en uddannelse.",
        samarbejdspartnere="Rusmiddelcenter Randers, VUC",
        koordinering="Sagsbehandler i Socialafdelingen",
    )
    version = handleplan_finalise(actor=caseworker, borger=borger)
    assert version.nummer == 1
    content = version.indhold
    assert [g["nr"] for g in content["maal"]] == [1, 2, 3, 4]
    assert content["maal"][0]["udfoerer"] == "Socialpædagogisk opholdssted X-Hus"
    assert content["indsatser"][0]["start"] == "2026-10-01"
    assert "prislinjer" not in content["indsatser"][0]
    assert "timer_pr_uge" not in content["maal"][0]
    text = pdf_text(bytes(version.pdf))
    assert "Handleplan for Mads Madsen" in text
    assert "støttes af Socialpædagogisk opholdssted X-Hus" in text
    assert "kr." not in text
    assert "timer" not in text
    plan = Handleplan.objects.get(borger=borger)
    assert handleplan_status(plan) == "Udarbejdet"

    goal = mads.vurdering.maal.get(raekkefoelge=1)
    goal.maalformulering = "Jeg passer selv min lejlighed"
    goal.save()
    assert handleplan_status(plan).startswith("Under udarbejdelse (mål eller indsatser")
    second = handleplan_finalise(actor=caseworker, borger=borger)
    assert second.nummer == 2
    assert [v.nummer for v in plan.versioner.all()] == [2, 1]  # the history is kept
    with pytest.raises(PermissionError):
        version.delete()


def test_only_case_staff_with_an_open_case_edit_the_plan(caseworker) -> None:
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    handleplan_update(actor=caseworker, borger=borger, formaal="Egen bolig.")
    plan = Handleplan.objects.get(borger=borger)
    stranger = UserFactory()  # a caseworker of another team: sees the register, not the plan
    leader = UserFactory(leder=True, teams=[mads.sag.team])
    provider = UserFactory(udfoerer=True, organisation=mads.x_hus)
    assert may(caseworker, Action.EDIT, plan)
    assert may(leader, Action.VIEW, plan)
    assert not may(leader, Action.EDIT, plan)
    assert not may(stranger, Action.VIEW, plan)
    assert not may(provider, Action.VIEW, plan)
    with pytest.raises(NotFoundForUser):
        handleplan_update(actor=stranger, borger=borger, formaal="Andet.")
