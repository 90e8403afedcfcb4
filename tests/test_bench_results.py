"""The benchmark's own arithmetic (bench/city.py, bench/report.py): which of repeated runs it
reports. The benchmark itself runs outside the test suite (make bench)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.bench_modules import load, markdown

ROOT = Path(__file__).resolve().parent.parent


city = load("city")


# The run's configuration as the report reads it (a made-up one).
CONFIG = {
    "gunicorn_workers": 5,
    "celery": "1",
    "duration_s": 10,
    "load_average_before": [],
    "load_average_after": [],
}


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
    report = load("report")
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
    report = load("report")
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
    report = load("report")
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


def test_the_machines_targets_and_checks_are_reported() -> None:
    report = load("report")
    burst = {"1": {**run(40, 70), "events_per_s": 7900.0}, "16": {**run(41, 330), "events_per_s": 1900.0}}
    faults = {
        "events": 11000,
        "batches": 60,
        "devices": 16,
        "events_per_s": 5000.0,
        "killed_at_s": 1.2,
        "back_at_s": 6.3,
        "batches_sent_again": 14,
        "check": {
            "lost": 0,
            "doubled": 0,
            "outbox_doubled": 0,
            "undelivered": 0,
            "notifications": 9,
            "notifications_doubled": 0,
        },
        "outbox": {"seconds_after_back": 40.1},
        "ok": True,
    }
    one = {
        "scale": 0.2,
        "city": {"schools": 1, "rows": {}, "seconds": {"generate": 1}},
        "scenarios": {
            "ping": {"16": run(1000, 20)},
            "meals_sales": {"16": run(310, 80)},
            "passage_burst": burst,
        },
        "checks": {"passage_faults": faults, "meals_balances": {"exact": False, "found": "mismatched 2"}},
    }
    ratios = report.ratios(one)
    assert ratios["meals_sales_rps_c16_at_least_300"] is True
    assert ratios["passage_burst_events_per_s_at_least_2000"] is False  # one concurrency fell short
    assert ratios["passage_faults_nothing_lost_or_doubled"] is True
    assert ratios["meals_balances_exact"] is False
    one["ratios"] = ratios
    text = report.markdown(
        {
            "date": "d",
            "machine": {"cpu_count": 2, "cpu_model": "x", "ram_gib": 1},
            "config": {
                "gunicorn_workers": 5,
                "celery": "1",
                "duration_s": 1,
                "load_average_before": [],
                "load_average_after": [],
            },
            "runs": [one],
        }
    )
    assert "lost 0, doubled 0" in text and "40.1 s after the worker's return — OK." in text
    assert "BALANCES DIFFER" in text and "- meals_balances_exact: NO" in text


def test_a_turnstile_sends_a_batch_again_until_it_is_accepted(monkeypatch: Any) -> None:
    """The fault run's devices: a refused connection or a 5xx is not an answer; the batch goes
    again, and every batch is accepted once."""
    import http.server
    import json
    import threading

    faults = load("faults")
    seen: list[str] = []
    failures = {"left": 5}

    class Flaky(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if failures["left"]:
                failures["left"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            seen.append(body["events"][0]["event_id"])
            answer = json.dumps({"accepted": len(body["events"])}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(faults, "RETRY_PAUSE_S", 0.01)
    lines = [
        "\t".join(
            ("POST", "/api/v1/passage/events", "t", json.dumps({"events": [{"event_id": f"r-1-{n}"}] * 2}))
        )
        for n in range(12)
    ]
    try:
        devices = faults.Turnstiles(server.server_address[1], lines, 3)
        devices.send()
    finally:
        server.shutdown()
    assert sorted(seen) == sorted(f"r-1-{n}" for n in range(12))
    assert devices.accepted_events == 24 and devices.retries == 5 and not devices.refused
    assert faults.lines_run(lines) == "r"


def test_the_access_log_is_counted_by_kind_in_the_servers_time() -> None:
    report = load("report")
    lines = [f"diary_first 200 {n * 1000}" for n in range(1, 101)]  # 1 … 100 ms
    lines += ["diary_repeat 200 500"] * 300 + ["marks 201 6000", "marks 400 7000", "login 500 300000"]
    lines += ["- 200 90", "a line of another shape", ""]  # the benchmark's pings between runs
    kinds = report.kind_figures(lines, 10.0)
    assert list(kinds) == ["diary_repeat", "diary_first", "marks", "login", "all"]  # most first
    first = kinds["diary_first"]
    assert (first["requests"], first["rps"], first["errors"]) == (100, 10.0, 0)
    assert (first["p50_ms"], first["p95_ms"], first["p99_ms"]) == (51.0, 96.0, 100.0)
    assert kinds["marks"]["errors"] == 1 and kinds["login"]["errors"] == 1
    assert kinds["all"]["requests"] == 403 and kinds["all"]["errors"] == 2
    assert kinds["all"]["p50_ms"] == 0.5 and kinds["all"]["p99_ms"] == 97.0
    assert report.kind_figures([], 10.0) == {}


def test_the_morning_is_reported_against_ping_and_by_kind() -> None:
    report = load("report")
    kinds = report.kind_figures(["diary_first 200 20000", "diary_repeat 200 2000", "me 200 1500"], 10.0)
    segments = [
        {
            **run(300, 40),
            "requests": 3000,
            "seconds": 10.0,
            "diary_first_share": share,
            "cores": {"web": 1.1, "celery": 0.05, "postgres": 0.5, "redis": 0.1, "wrk": 0.2},
        }
        for share in (0.3, 0.2)
    ]
    morning = {"16": {**run(500, 30), "segments": segments, "kinds": kinds, "kinds_all_segments": kinds}}
    one: dict[str, Any] = {
        "scale": 0.01,
        "city": {"schools": 1, "rows": {}, "seconds": {"generate": 1}},
        "scenarios": {
            "ping": {"16": run(1000, 20)},
            "journal_cold": {"16": run(250, 90)},
            "morning": morning,
        },
        "raw_sql_journal": {
            "pages": 10,
            "queries_per_page": 9.0,
            "p50_ms": 4.0,
            "p95_ms": 5,
            "p99_ms": 6,
            "rps": 200,
        },
    }
    one["ratios"] = report.ratios(one)
    assert one["ratios"]["morning_vs_trivial_rps"] == {"16": 0.5}
    assert one["ratios"]["journal_cold_vs_trivial_rps"] == {"16": 0.25}
    text = markdown(report, [one], CONFIG)
    assert "- c=16: 300.0 (30%), 300.0 (20%)" in text
    assert "- c=16: web 1.10, celery 0.05, postgres 0.50, redis 0.10, wrk 0.20" in text
    assert "| diary_first | 16 | 0.1 | 33.3% | 20.0 | 20.0 | 20.0 | 0 |" in text
    assert "Raw SQL of one journal page through psycopg (9.0 queries)" in text
    assert {"journal_cold", "morning"} <= set(city.SCENARIOS) and "journal_cold" in city.COLD


def test_wrk_sends_a_timeline_in_order_from_where_the_last_segment_ended(tmp_path: Path) -> None:
    """requests.lua: a line's fifth column goes out as X-Bench-Kind; ``once`` with a skip starts
    after the lines already sent."""
    import http.server
    import shutil
    import threading

    import pytest

    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed")
    seen: list[tuple[str, str | None]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("X-Bench-Kind")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    file = tmp_path / "timeline.txt"
    file.write_text("".join(f"GET\t/line/{n}\t-\t-\t{'odd' if n % 2 else 'even'}\n" for n in range(1, 41)))
    try:
        figures = city.run_wrk(
            shutil.which("wrk") or "", server.server_address[1], file, 1, 5, once=True, skip=30
        )
    finally:
        server.shutdown()
    # wrk asks the first thread for a request before the run, to check it: line 31 is not sent.
    assert [path for path, _kind in seen] == [f"/line/{n}" for n in range(32, 41)]
    assert all(kind == ("odd" if int(path.split("/")[2]) % 2 else "even") for path, kind in seen)
    assert figures["requests"] == 9


def test_the_scenarios_measured_again_with_a_replica_are_set_against_those_without() -> None:
    report = load("report")
    with_replica = {
        "server": "granian 2 × 4",
        "scenarios": {"ical_cold": {"1": run(120, 20), "16": run(300, 90)}},
        "lag": {
            "samples": 20,
            "streaming": 20,
            "replay_seconds_max": 0.012,
            "replay_seconds_median": 0.002,
            "bytes_behind_max": 4096,
            "bytes_behind_median": 0,
        },
    }
    one: dict[str, Any] = {
        "scale": 0.01,
        "city": {"schools": 1, "rows": {}, "seconds": {"generate": 1}},
        "scenarios": {"ping": {"16": run(1000, 20)}, "ical_cold": {"1": run(100, 20), "16": run(200, 90)}},
        "replica": with_replica,
    }
    one["ratios"] = report.ratios(one)
    assert one["ratios"]["ical_cold_with_replica_vs_without_rps"] == {"1": 1.2, "16": 1.5}
    text = markdown(report, [one], CONFIG)
    assert "| with replica | ical_cold | 120.0" in text
    assert "replay 0.002 s median, 0.012 s at most; 0 bytes behind median, 4,096 at most" in text
    assert city.REPLICA_SCENARIOS == ("ical_cold", "morning")


def test_a_read_near_the_databases_own_limit_is_set_against_pgbenchs_reads() -> None:
    report = load("report")
    one: dict[str, Any] = {
        "scale": 0.01,
        "city": {"schools": 1, "rows": {}, "seconds": {"generate": 1}},
        "scenarios": {"ping": {"16": run(1000, 20)}, "diary_cold": {"1": run(100, 8), "16": run(300, 90)}},
        "raw_sql": {
            "weeks": 10,
            "queries_per_week": 11.0,
            "p50_ms": 4.0,
            "p95_ms": 5,
            "p99_ms": 6,
            "rps": 200,
            "concurrent": {"clients": 16, "reads": 20, "rps": 1200.0, "mean_ms": 13.33},
        },
    }
    one["ratios"] = report.ratios(one)
    assert one["ratios"]["diary_cold_vs_raw_sql_rps"] == {"16": 0.25}
    text = markdown(report, [one], CONFIG)
    assert "From pgbench on 16 connections (statements prepared): 1,200 weeks/s, 13.33 ms each." in text
    assert "- diary_cold_vs_raw_sql_rps: c=16: 0.25" in text


def test_a_captured_statement_keeps_its_values_for_pgbench() -> None:
    """pgbench takes ``:name`` for its variable even inside a string literal."""
    runs = load("runs")
    statement = runs.pgbench_statement(
        "SELECT 1 FROM t WHERE o IN ('lesson:1', 'it''s') AND d = '2026-12-07'::date"
    )
    assert statement == "SELECT 1 FROM t WHERE o IN (E'lesson\\x3a1', 'it''s') AND d = '2026-12-07'::date;"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres") or shutil.which("pgbench") is None,
    reason="pgbench against PostgreSQL",
)
def test_pgbench_sends_the_captured_reads_from_many_connections() -> None:
    runs = load("runs")
    reads = [["SELECT 'lesson:1' AS origin, '2026-12-07'::date AS day", "SELECT 2"], ["SELECT 3"]]
    figures = runs.raw_sql_throughput(os.environ["DATABASE_URL"], reads, 1, 2, warmup=0)
    assert figures["clients"] == 2 and figures["reads"] == 2 and figures["rps"] > 0
