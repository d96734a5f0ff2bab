import pytest
from django.test import Client

from tests.factories import UserFactory
from vum.accounts.models import User


@pytest.fixture
def caseworker(db: None) -> User:
    return UserFactory()


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Log a user in on the test client: `login(user)`."""

    def do_login(user: User) -> Client:
        client.force_login(user)
        return client

    return do_login
