"""`manage.py benchmark` on a tiny seed: every scenario runs through the real stack and is
reported with its query count and its floor. Not a timing test."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.selectors import LIST_PAGE_SIZE, open_frister, open_sager
from orders.selectors.bestilling import udfoerer_bestillinger
from tooling import benchmark

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
