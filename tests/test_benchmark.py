"""`manage.py benchmark` on a tiny seed: every scenario runs through the real stack and is
reported with its query count and its floor. Not a timing test."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.selectors import LIST_PAGE_SIZE, open_frister, open_sager
from followup.dashboard.refresh import noegletal_refresh
from followup.ffb_dataset.bundle import compact_json
from followup.ffb_dataset.validation import FREE_TEXT_KEY
from followup.models import FfbAfvisning, FfbBorgerlevering, Noegletal
from orders.selectors.bestilling import udfoerer_bestillinger
from tooling import benchmark, dashboard_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_scale", borgere=20, seed=7, stdout=StringIO())


def test_reports_every_scenario_with_query_count_and_floor(seeded: None, tmp_path: Path) -> None:
    out = StringIO()
    path = tmp_path / "benchmark.json"
    call_command("benchmark", runs=2, subjects=2, json_path=path, stdout=out)

    results = {r["name"]: r for r in json.loads(path.read_text())["results"]}
    assert set(results) == {s.name for s in benchmark.SCENARIOS}
    report = out.getvalue()
    for name, result in results.items():
        assert result["subjects"] >= 1
        assert len(result["times_ms"]) == 2
        assert all(q > 0 for q in result["queries"])
        assert result["floor_p95_ms"] > 0
        assert f"| {name} |" in report
    # The case page's floor is one row per case, with everything else aggregated into it.
    assert results["sag"]["floor_rows"] == [1] * results["sag"]["subjects"]
    # The live dashboard: each kind of change timed coming in and going out again.
    update = json.loads(path.read_text())["dashboard_update"]
    assert [k["name"] for k in update["kinds"]] == [k.name for k in dashboard_update.KINDS]
    assert all(k["runs"] == 4 and all(q > 0 for q in k["queries"]) for k in update["kinds"])
    assert update["facts"] > 0
    assert update["freshness_s"] > update["interval_s"]
    assert "Tallene er ajour inden for" in report


def test_the_measured_changes_leave_the_figures_as_they_were(seeded: None) -> None:
    def figures() -> list[dict[str, object]]:
        fields = [f.name for f in Noegletal._meta.concrete_fields if f.name != "id"]
        # A group emptied and filled again is a new row: compared by its keys, not its id.
        return list(Noegletal.objects.order_by(*fields[:8]).values(*fields))

    kept = figures()
    call_command("benchmark", runs=2, subjects=2, only=[dashboard_update.NAME], stdout=StringIO())
    assert figures() == kept
    assert noegletal_refresh().afvigelser == 0


def test_the_floors_fetch_the_rows_the_pages_show(seeded: None) -> None:
    scenarios = {s.name: s for s in benchmark.SCENARIOS}
    for subject in scenarios["indbakke"].pick(3):
        rows = benchmark._rows(scenarios["indbakke"].floor_sql, subject.params)
        assert [r[0] for r in rows] == [
            s.pk for s in open_sager(user=subject.user, own=True)[:LIST_PAGE_SIZE]
        ]
    lists = {
        "sager-team": lambda user: open_sager(user=user),
        "sager-chef": lambda user: open_sager(user=user, newest_first=True),
        "frister": lambda user: open_frister(user=user),
    }
    for name, rows_of in lists.items():
        for subject in scenarios[name].pick(3):
            rows = benchmark._rows(scenarios[name].floor_sql, subject.params)
            expected = rows_of(subject.user)
            assert [r[0] for r in rows] == [x.pk for x in expected[:LIST_PAGE_SIZE]], name
            assert {r[-1] for r in rows} <= {expected.count()}, name
    for subject in scenarios["udfoerer-borgere"].pick(3):
        rows = benchmark._rows(scenarios["udfoerer-borgere"].floor_sql, subject.params)
        assert [r[0] for r in rows] == [b.pk for b in udfoerer_bestillinger(user=subject.user)]


def test_the_ffb_bench_delivers_exactly_the_days_changes(seeded: None, tmp_path: Path) -> None:
    """`bench_ffb` on the tiny seed: the day before delivers the sample, the day's delta finds
    every written citizen and delivers only those whose FFB facts changed."""
    path = tmp_path / "ffb.json"
    out = StringIO()
    call_command("bench_ffb", aendrede=4, uroerte=4, seed=7, json=path, stdout=out)

    result = json.loads(path.read_text())
    before, delta = result["before"], result["delta"]
    assert before["citizens"] == 8
    assert before["delivered"] + before["refused"] == 8
    assert delta["citizens"] == 8  # the day's audit trail names the eight written citizens
    assert delta["unchanged"] == 4  # the journal notes: nothing the data set holds
    assert delta["delivered"] + delta["refused"] == 4  # the new scores
    assert delta["delivered"] >= 2  # and they went out (this seed refuses one citizen)
    assert delta["refused"] == before["refused"]  # a citizen breaking a rule breaks it still
    assert "Dagens delta" in out.getvalue()
    assert FfbBorgerlevering.objects.filter(dag=result["day"]).count() == delta["delivered"]
    # No free text in any bundle built from the seeded database: none delivered holds a free-text
    # element, and none was refused for one.
    for row in FfbBorgerlevering.objects.all():
        assert not FREE_TEXT_KEY.search(compact_json(row.bundt))
    rules = {
        p["regel"] for fejl in FfbAfvisning.objects.values_list("fejl", flat=True) for p in fejl
    }
    assert "vum-fritekst" not in rules
