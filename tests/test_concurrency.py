"""Two users move the same case at once: exactly one wins, the other gets a clear conflict. Two
providers accept their orders on one case at once: the delivery starts, once. Two runs of the
FFB data set for one day at once: each citizen is delivered once."""

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import Model

from cases.lifecycle import Fase
from cases.models import Overgang, Sag
from cases.services.sag import TransitionConflict, sag_transition
from followup.ffb_dataset.transport import FolderTransport
from followup.models import FfbBorgerlevering, FfbLevering
from followup.services.ffb_levering import ffb_levering_run
from orders.services.bestilling import bestilling_accept, bestillinger_send
from tests.catalogs import load_catalog
from tests.factories import SagFactory, UserFactory
from tests.ffb import delivering, ffb_configured
from tests.mads import mads_decided, mads_time

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # The statistics views are snapshotted per transaction; the poll runs inside one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def race(row: Model, *attempts: Callable[[], object]) -> list[object]:
    """Run the attempts in threads (each with its own database connection) so that all of them
    are blocked on the row's lock (a case's, a citizen's) before any may proceed, then let them
    compete."""
    results: list[object] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], Sag]) -> None:
        try:
            results[index] = attempt()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        type(row)._default_manager.select_for_update().get(pk=row.pk)
        threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_on_locks() < len(attempts):
            assert time.monotonic() < deadline, "the attempts never reached the row lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_same_move_by_two_users_one_wins() -> None:
    first, second = UserFactory(), UserFactory()
    sag = SagFactory(team=first.teams.get(), aabning_ready=True)
    second.teams.add(sag.team)

    def attempt(user) -> Callable[[], Sag]:
        return lambda: sag_transition(
            actor=user, sag=sag, name="start_sagsoplysning", expected_fase=Fase.SAGSAABNING
        )

    results = race(sag, attempt(first), attempt(second))

    winners = [r for r in results if isinstance(r, Sag)]
    losers = [r for r in results if isinstance(r, TransitionConflict)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert "flyttet til sagsoplysning af en anden bruger" in losers[0].message
    assert Sag.objects.get(pk=sag.pk).fase == Fase.SAGSOPLYSNING
    assert Overgang.objects.filter(sag=sag).count() == 1


def test_different_moves_at_once_one_wins_the_other_is_told_why() -> None:
    """Each user sends the phase their screen showed, as the pages and API clients do."""
    first, second = UserFactory(), UserFactory()
    sag = SagFactory(team=first.teams.get(), aabning_ready=True)
    second.teams.add(sag.team)

    results = race(
        sag,
        lambda: sag_transition(
            actor=first, sag=sag, name="start_sagsoplysning", expected_fase=Fase.SAGSAABNING
        ),
        lambda: sag_transition(
            actor=second,
            sag=sag,
            name="afslut",
            begrundelse="Borgeren har trukket ansøgningen",
            expected_fase=Fase.SAGSAABNING,
        ),
    )

    winners = [r for r in results if isinstance(r, Sag)]
    conflicts = [r for r in results if isinstance(r, TransitionConflict)]
    assert len(winners) == 1, results
    assert len(conflicts) == 1, results
    assert Sag.objects.get(pk=sag.pk).fase == winners[0].fase
    assert Overgang.objects.filter(sag=sag).count() == 1
    assert "af en anden bruger. Opdatér siden og prøv igen." in conflicts[0].message


@mads_time
def test_two_providers_accepting_at_once_start_the_delivery(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each acceptance checks whether every order on the case is accepted; two at once must not
    both miss the other's and leave the case waiting in bestilling."""
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    caseworker = UserFactory()
    mads = mads_decided(caseworker, second_provider=True)
    assert mads.other is not None
    sent = {
        b.udfoerer_id: b for b in bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    }
    staff = {
        org.pk: UserFactory(udfoerer=True, organisation=org) for org in (mads.x_hus, mads.other)
    }

    def accept(org_id: int) -> Callable[[], object]:
        return lambda: bestilling_accept(actor=staff[org_id], bestilling=sent[org_id])

    results = race(mads.sag, accept(mads.x_hus.pk), accept(mads.other.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.LEVERING
    assert Overgang.objects.filter(sag=mads.sag, til_fase=Fase.LEVERING).count() == 1


@mads_time
def test_two_runs_of_a_day_at_once_deliver_each_citizen_once(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The nightly task and a manager's command on the same day: the second run waits for the
    first's batch and finds its citizens delivered, rather than failing on the record's unique
    constraint after handing the bundles to the transport a second time."""
    ffb_configured(settings, tmp_path)
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    caseworker = UserFactory()
    mads = delivering(caseworker)
    handed: list[int] = []

    class Counting(FolderTransport):
        def deliver(self, *, dag: date, borger_id: int, bundle: dict[str, Any]) -> str:
            handed.append(borger_id)
            return super().deliver(dag=dag, borger_id=borger_id, bundle=bundle)

    def run() -> FfbLevering:
        return ffb_levering_run(
            dag=date(2026, 11, 18), borger_ids=[mads.sag.borger_id], transport=Counting()
        )

    results = race(mads.sag.borger, run, run)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted((r.leveret, r.uaendret) for r in results) == [(0, 1), (1, 0)]  # type: ignore[union-attr]
    assert handed == [mads.sag.borger_id]
    assert FfbBorgerlevering.objects.filter(borger_id=mads.sag.borger_id).count() == 1
