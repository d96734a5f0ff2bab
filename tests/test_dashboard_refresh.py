"""Rebuilding the dashboard's figures: a beat task that may run twice, or twice at once."""

import importlib
import threading
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cases.lifecycle import Fase
from followup.models import Noegletal, NoegletalOpgoerelse
from followup.tasks import refresh_dashboard
from tests.factories import SagFactory, UserFactory


def _figures() -> list[tuple[object, ...]]:
    return sorted(
        Noegletal.objects.values_list("emne", "team_id", "maaned", "noegle", "antal", "borgere")
    )


@pytest.mark.django_db
def test_the_task_run_twice_gives_the_same_figures() -> None:
    worker = UserFactory()
    for fase in (Fase.SAGSAABNING, Fase.SAGSOPLYSNING, Fase.SAGSOPLYSNING):
        SagFactory(team=worker.teams.get(), sagsbehandler=worker, fase=fase)

    groups = refresh_dashboard()
    first = _figures()
    assert refresh_dashboard() == groups
    assert _figures() == first
    phases = {row[3]: row[4] for row in first if row[0] == "fase"}
    assert phases == {Fase.SAGSAABNING: 1, Fase.SAGSOPLYSNING: 2}
    assert NoegletalOpgoerelse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_do_not_add_up() -> None:
    """The status row's lock makes the second wait; it then replaces the first's figures."""
    worker = UserFactory()
    SagFactory.create_batch(4, team=worker.teams.get(), sagsbehandler=worker)
    refresh_dashboard()
    expected = _figures()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refresh_dashboard()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert _figures() == expected


@pytest.mark.django_db
def test_the_migration_to_whole_area_figures_has_them_rebuilt_at_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Figures of the old layout are dropped with their status, so the dashboard's first view
    queues a rebuild instead of showing the old ones until the schedule comes round."""
    migration = importlib.import_module("followup.migrations.0006_rebuild_dashboard_figures")
    worker = UserFactory()
    SagFactory(team=worker.teams.get(), sagsbehandler=worker)
    refresh_dashboard()
    assert Noegletal.objects.exists()

    migration.forget_old_figures(django_apps, connection.schema_editor())
    assert not Noegletal.objects.exists()
    assert not NoegletalOpgoerelse.objects.exists()
    leder = UserFactory(leder=True, teams=[worker.teams.get()])
    client = Client()
    client.force_login(leder)
    with django_capture_on_commit_callbacks() as queued:
        page = client.get(reverse("followup:dashboard"))
    assert "Tallene er ved at blive opgjort for første gang" in page.content.decode()
    assert len(queued) == 1  # the rebuild
