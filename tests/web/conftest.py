from dataclasses import dataclass

import pytest

from cases.models import Borger, Sag
from tests.factories import (
    BestillingFactory,
    BorgerFactory,
    SagFactory,
    TeamFactory,
    UserFactory,
    put_on_agenda,
)
from vum.accounts.models import User


@dataclass
class World:
    """One citizen with one case, and for each role a user inside and one outside its scope."""

    borger: Borger
    sag: Sag
    users: dict[str, User]


@pytest.fixture
def world(db: None) -> World:
    team = TeamFactory()
    other_team = TeamFactory()
    sagsbehandler = UserFactory(teams=[team])
    borger = BorgerFactory()
    sag = SagFactory(borger=borger, team=team, sagsbehandler=sagsbehandler)
    udvalg_in = UserFactory(udvalgsmedlem=True)
    put_on_agenda(sag, udvalg_in)
    udfoerer_in = UserFactory(udfoerer=True)
    BestillingFactory(sag=sag, udfoerer=udfoerer_in.organisation)
    users = {
        "sagsbehandler_ind": sagsbehandler,
        "sagsbehandler_ude": UserFactory(teams=[other_team]),
        "leder_ind": UserFactory(leder=True, teams=[team]),
        "leder_ude": UserFactory(leder=True, teams=[other_team]),
        "udvalg_ind": udvalg_in,
        "udvalg_ude": UserFactory(udvalgsmedlem=True),
        "udfoerer_ind": udfoerer_in,
        "udfoerer_ude": UserFactory(udfoerer=True),
        "administrator": UserFactory(administrator=True),
    }
    return World(borger=borger, sag=sag, users=users)
