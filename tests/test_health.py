"""/healthz answers 200 when PostgreSQL and the Celery broker (Redis) answer, 503 otherwise."""

import socket
from collections.abc import Iterator

import pytest
from django.test import Client

from vum.celery import app as celery_app

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on: bound once to get a free number, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Point the Celery app at a closed port, and put its configuration back afterwards."""
    saved = {
        key: celery_app.conf[key]
        for key in ("broker_url", "task_always_eager", "broker_connection_timeout")
    }
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_connection_timeout = 1
    try:
        yield
    finally:
        celery_app.conf.update(saved)


def test_healthy_with_postgresql_and_redis(client: Client) -> None:
    assert celery_app.conf.broker_url.startswith("redis://"), "tests run against a real Redis"
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("broker_down")
def test_unhealthy_when_the_broker_does_not_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": True, "broker": False}
    assert body["status"] == "fejl"


def test_the_broker_is_back_after_the_override(client: Client) -> None:
    # Runs after the override in file order: the fixture restored the real broker.
    assert client.get("/healthz").status_code == 200


def test_only_get_is_allowed(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
