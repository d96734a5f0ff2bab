"""Fixtures for the API tests: a DRF test client and one case seen by every role."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from cases.models import Sag
from tests.factories import (
    BestillingFactory,
    SagFactory,
    TeamFactory,
    UserFactory,
    put_on_agenda,
)
from vum.accounts.models import Team, User


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """`api(user)` is a client authenticated as `user`; `api(None)` is anonymous."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@dataclass
class World:
    team: Team
    sag: Sag
    users: dict[str, User]


@pytest.fixture
def world(db: None) -> World:
    """One case in one team, ready to leave sagsåbning, and a user for every row of the matrix."""
    team = TeamFactory()
    sagsbehandler = UserFactory(teams=[team])
    sag = SagFactory(team=team, sagsbehandler=sagsbehandler, aabning_ready=True)
    udvalg_paa_dagsorden = UserFactory(udvalgsmedlem=True)
    put_on_agenda(sag, udvalg_paa_dagsorden)
    udfoerer_med_bestilling = UserFactory(udfoerer=True)
    BestillingFactory(sag=sag, udfoerer=udfoerer_med_bestilling.organisation)
    users = {
        "sagsbehandler_i_team": sagsbehandler,
        "sagsbehandler_andet_team": UserFactory(),
        "leder": UserFactory(leder=True, teams=[team]),
        "udvalg_paa_dagsorden": udvalg_paa_dagsorden,
        "udvalg_uden_dagsorden": UserFactory(udvalgsmedlem=True),
        "udfoerer_med_bestilling": udfoerer_med_bestilling,
        "udfoerer_uden_bestilling": UserFactory(udfoerer=True),
        "administrator": UserFactory(administrator=True),
    }
    return World(team=team, sag=sag, users=users)
