"""The benchmark's web servers (bench/servers.py): how ``--server``/``--servers`` are read, the
command each kind is started with, and granian's access log read by kind as gunicorn's is."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.bench_modules import load, markdown

ROOT = Path(__file__).resolve().parent.parent


servers = load("servers")
report = load("report")


def test_a_server_is_written_kind_workers_and_threads() -> None:
    parsed = servers.parse_servers("sync:5, gthread:2x8,granian:3")
    assert [(web.kind, web.workers, web.threads) for web in parsed] == [
        ("sync", 5, 1),
        ("gthread", 2, 8),
        ("granian", 3, 1),
    ]
    assert [web.key for web in parsed] == ["sync:5", "gthread:2x8", "granian:3x1"]
    assert [web.concurrency for web in parsed] == [5, 16, 3]
    assert parsed[1].describe() == "gunicorn 2 gthread workers × 8 threads"


@pytest.mark.parametrize(
    "text",
    [
        "sync:2x4",  # gunicorn would run it as gthread
        "tornado:2",
        "gthread:0x4",
        "granian",
        "sync:5,sync:5",
        ",",
    ],
)
def test_a_server_written_wrong_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        servers.parse_servers(text)


def test_every_kind_has_a_size_for_a_machine() -> None:
    for kind in servers.SERVER_KINDS:
        web = servers.WebServer.default(kind, 16)
        assert web.kind == kind and web.workers >= 1 and web.threads >= 1


def test_each_kind_is_started_with_its_own_command(tmp_path: Path) -> None:
    gthread = servers.WebServer("gthread", 3, 8).command(8765, tmp_path, None)
    assert gthread[0].endswith("/gunicorn") and "--preload" in gthread
    assert gthread[gthread.index("--worker-class") + 1] == "gthread"
    assert gthread[gthread.index("--threads") + 1] == "8" and "--access-logfile" not in gthread
    sync = servers.WebServer("sync", 5).command(8765, tmp_path, tmp_path / "a.log")
    assert "--threads" not in sync
    assert sync[sync.index("--access-logformat") + 1] == servers.ACCESS_LOG_FORMAT
    granian = servers.WebServer("granian", 2, 4).command(8765, tmp_path, tmp_path / "a.log")
    assert granian[0].endswith("/granian") and granian[granian.index("--interface") + 1] == "wsgi"
    assert (granian[granian.index("--workers") + 1], granian[granian.index("--blocking-threads") + 1]) == (
        "2",
        "4",
    )
    # The access log goes to its own file through granian's logging configuration.
    config = json.loads(Path(granian[granian.index("--log-config") + 1]).read_text())
    assert config["handlers"]["access"]["filename"] == str(tmp_path / "a.log")


def test_granians_milliseconds_are_read_as_gunicorns_microseconds() -> None:
    kinds = report.kind_figures(
        [
            "diary_first 200 12.345ms",
            "diary_first 200 12345",
            "me 503 0.500ms",
            "me 200 1.5.5ms",
            "- 200 1ms",
        ],
        1.0,
    )
    assert kinds["diary_first"]["requests"] == 2 and kinds["diary_first"]["p50_ms"] == 12.35
    assert kinds["me"] == {
        "requests": 1,
        "rps": 1.0,
        "p50_ms": 0.5,
        "p95_ms": 0.5,
        "p99_ms": 0.5,
        "errors": 1,
    }


def test_granian_logs_the_kind_status_and_time_of_a_request(tmp_path: Path) -> None:
    """granian itself, with the benchmark's access log format, on a WSGI app of three lines."""
    granian = Path(sys.executable).parent / "granian"
    if not granian.exists() and not shutil.which("granian"):
        pytest.skip("granian is not installed")
    (tmp_path / "tiny.py").write_text(
        "def application(environ, start_response):\n"
        "    start_response('201 Created', [('Content-Length', '0')])\n"
        "    return [b'']\n"
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    access_log = tmp_path / "access.log"
    command = servers.WebServer("granian", 1, 1).command(port, tmp_path, access_log)
    command[command.index("parta.wsgi:application")] = "tiny:application"
    process = subprocess.Popen(  # noqa: S603
        [str(granian), *command[1:]], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Bench-Kind": "me"})
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    assert response.status == 201
                    break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "granian did not start"
                time.sleep(0.2)
        while not access_log.exists() or not access_log.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=20)
    kinds: dict[str, Any] = report.kind_figures(access_log.read_text().splitlines(), 1.0)
    assert kinds["me"]["requests"] == 1 and kinds["me"]["errors"] == 0


def test_the_comparison_of_servers_is_a_table_of_the_report() -> None:
    def figures(rps: float, p99: float) -> dict[str, Any]:
        return {"rps": rps, "p50_ms": p99 / 2, "p95_ms": p99, "p99_ms": p99, "errors": 0}

    inside = {"all": {"requests": 10, "rps": 90.0, "p50_ms": 4.0, "p95_ms": 9.0, "p99_ms": 12.0, "errors": 0}}
    compared = {
        "sync:5": {
            "server": "gunicorn 5 sync workers",
            "scenarios": {"ping": {"1": figures(400, 4), "16": figures(900, 40)}},
        },
        "granian:3x2": {
            "server": "granian 3 workers × 2 blocking threads",
            "scenarios": {
                "ping": {"1": figures(500, 3), "16": figures(1100, 30)},
                "morning": {"16": {**figures(100, 200), "kinds": inside}},
            },
        },
    }
    one: dict[str, Any] = {
        "scale": 0.01,
        "city": {"schools": 1, "rows": {}, "seconds": {"generate": 1}},
        "scenarios": compared["sync:5"]["scenarios"],
        "servers": compared,
    }
    one["ratios"] = report.ratios(one)
    config = {
        "web_server": "gunicorn 5 sync workers",
        "servers": list(compared),
        "celery": "1",
        "duration_s": 8,
        "load_average_before": [],
        "load_average_after": [],
    }
    text = markdown(report, [one], config)
    assert "Setup: gunicorn 5 sync workers, PARTA_DEBUG=false" in text
    assert "| server | scenario | c=1 | c=16 | errors |" in text
    assert "| sync:5 | ping | 400.0 (2.0 / 4.0) | 900.0 (20.0 / 40.0) | 0 |" in text
    assert "| granian:3x2 | morning | — | 100.0 (100.0 / 200.0) | 0 |" in text
    assert "| granian:3x2 | morning, in the server | — | 90.0 (4.0 / 12.0) | |" in text


def test_a_servers_cpu_is_counted_from_its_process_tree(tmp_path: Path) -> None:
    bench = servers.Servers({}, tmp_path, 0, 1)
    spin = "import sys, time\nsys.stdin.readline()\nend = time.process_time() + 0.3\n"
    spin += "while time.process_time() < end: pass\nprint('spun', flush=True)\nsys.stdin.readline()\n"
    busy = subprocess.Popen(  # noqa: S603 — a fixed program of the test
        [sys.executable, "-c", spin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert busy.stdin is not None and busy.stdout is not None
    bench.procs["web"] = busy
    try:
        before = bench.cpu_seconds()
        busy.stdin.write("go\n")
        busy.stdin.flush()
        assert busy.stdout.readline() == "spun\n"
        after = bench.cpu_seconds()
    finally:
        busy.kill()
        busy.wait()
    used = servers.cores_used(before, after)
    assert set(used) == {"web", "celery", "postgres", "redis", "wrk"}
    assert 0.25 < used["web"] < 1.0
    assert used["celery"] == 0
    # A process that ended between the samples is left out, not counted against its part.
    assert servers.cores_used({("postgres", 7): 5.0}, {("postgres", 8): 0.5})["postgres"] == 0.5
