"""The benchmark's own arithmetic (bench/city.py, bench/report.py): which of repeated runs it
reports. The benchmark itself runs outside the test suite (make bench)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


city = _load("city")


def run(rps: float, p99: float, errors: int = 0) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": p99 / 2, "p95_ms": p99 * 0.9, "p99_ms": p99, "errors": errors}


def test_one_run_is_reported_as_it_is() -> None:
    only = run(500, 40)
    assert city.median_run([only]) is only


def test_of_three_runs_the_median_by_throughput_is_reported_whole_with_all_errors() -> None:
    figures = city.median_run([run(300, 90, errors=1), run(700, 30), run(520, 45)])
    assert (figures["rps"], figures["p99_ms"], figures["p50_ms"]) == (520, 45, 22.5)
    assert figures["errors"] == 1  # an error in any run counts
    assert [r["rps"] for r in figures["runs"]] == [300, 700, 520]


def test_of_two_runs_the_slower_is_reported() -> None:
    assert city.median_run([run(700, 30), run(300, 90)])["rps"] == 300


def test_the_report_names_the_database_servers_settings() -> None:
    report = _load("report")
    config = {
        "gunicorn_workers": 5,
        "celery": "1 worker process with beat",
        "duration_s": 10,
        "repeat": 3,
        "load_average_before": [0.1, 0.1, 0.1],
        "load_average_after": [1.0, 1.0, 1.0],
        "postgresql": {"shared_buffers": "6GB", "autovacuum": "off"},
    }
    data = {"date": "2026-12-06", "machine": report.machine(), "config": config, "runs": []}
    assert "PostgreSQL: shared_buffers 6GB, autovacuum off." in report.markdown(data)


def test_the_library_scenarios_are_reported_against_ping_and_the_search_target() -> None:
    report = _load("report")
    scenarios = {
        "ping": {"16": run(1000, 20)},
        "library_search": {"16": run(400, 120)},
        "library_search_cold": {"16": run(200, 900)},
        "library_catalogue": {"16": run(600, 60)},
    }
    ratios = report.ratios({"scenarios": scenarios})
    assert ratios["library_search_vs_trivial_rps"] == {"16": 0.4}
    assert ratios["library_search_cold_vs_trivial_rps"] == {"16": 0.2}
    assert ratios["library_catalogue_vs_trivial_rps"] == {"16": 0.6}
    assert ratios["library_search_p99_c16_within_100_ms"] is False
    scenarios["library_search"]["16"] = run(400, 100)
    assert report.ratios({"scenarios": scenarios})["library_search_p99_c16_within_100_ms"] is True
    assert {"library_search", "library_search_cold", "library_catalogue"} <= set(city.SCENARIOS)
    # The search is measured warm (every line sent once before), and cold after emptying the cache.
    assert "library_search" in city.CACHED
    assert "library_search_cold" in city.COLD


def test_the_test_scenarios_are_reported_against_ping_and_their_targets() -> None:
    report = _load("report")
    scenarios = {
        "ping": {"16": run(1000, 20)},
        "test_answers": {"16": run(450, 90)},
        "test_submits": {"16": run(250, 120)},
    }
    ratios = report.ratios({"scenarios": scenarios})
    assert ratios["test_answers_vs_trivial_rps"] == {"16": 0.45}
    assert ratios["test_answers_rps_c16_at_least_500"] is False
    assert ratios["test_answers_p99_c16_within_100_ms"] is True
    assert ratios["test_submits_rps_c16_at_least_200"] is True
    assert ratios["test_submits_p99_c16_within_100_ms"] is False
    assert {"test_answers", "test_submits"} <= set(city.SCENARIOS)
