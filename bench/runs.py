# ruff: noqa: S603 — runs wrk with fixed arguments
"""The benchmark's runs (``bench/city.py``): wrk at one concurrency, a timeline in segments, the
median of repeated runs, the cache primed, and a read's raw SQL replayed through psycopg (one
at a time) and pgbench (many connections at once)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import report
from servers import ROOT, Servers, cores_used

LUA = ROOT / "bench" / "load" / "requests.lua"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prime(port: int, requests: Path, workers: int) -> int:
    """Send every GET line of the request file once, ``workers`` at a time; returns how many."""
    from concurrent.futures import ThreadPoolExecutor

    def send(line: str) -> None:
        method, path, token, _body = line.split("\t")
        headers = {"Authorization": f"Bearer {token}"} if token != "-" else {}  # noqa: S105
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — our own server
            response.read()

    lines = [line for line in requests.read_text().splitlines() if line.startswith("GET\t")]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(send, lines))
    return len(lines)


def run_wrk(
    wrk: str,
    port: int,
    requests: Path,
    concurrency: int,
    seconds: float,
    *,
    once: bool = False,
    skip: int = 0,
) -> dict[str, Any]:
    threads = min(concurrency, 2)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        str(requests),
        *(["once", str(threads), str(skip)] if once else []),
    ]
    result = subprocess.run(command, check=True, text=True, capture_output=True)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    duration = raw["duration_us"] / 1e6
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {
        "rps": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["non2xx"] + socket_errors,
        "requests": raw["requests"],
        "non2xx": raw["non2xx"],
        "first_bad_status": raw["first_bad_status"] or None,
        "socket_errors": socket_errors,
        "seconds": round(duration, 2),
    }


def median_run(tries: list[dict[str, Any]]) -> dict[str, Any]:
    """Of repeated runs, the one with the median throughput, whole (its latencies belong to it),
    with every run's figures beside it and the errors of all runs: on a shared machine one run
    can be off by a third, more than the differences the benchmark is asked to judge."""
    if len(tries) == 1:
        return tries[0]
    chosen = sorted(tries, key=lambda run: run["rps"])[(len(tries) - 1) // 2]
    runs = [{key: run[key] for key in ("rps", "p50_ms", "p99_ms", "errors")} for run in tries]
    return {**chosen, "errors": sum(run["errors"] for run in tries), "runs": runs}


def timeline_run(
    wrk: str,
    port: int,
    requests: Path,
    concurrency: int,
    seconds: float,
    *,
    segments: int,
    servers: Servers,
    ready_line: str,
) -> dict[str, Any]:
    """A timeline from its start in ``segments`` runs of wrk, each going on where the last ended.
    Its figures are the last segment's (the read cache's hit rate settled by then), its errors
    those of all; ``segments`` has each one's, ``kinds`` the last one's per request kind and
    ``kinds_all_segments`` the whole run's, both from the web server's access log (its own time)."""
    access_log = servers.access_log
    if access_log is None:
        raise SystemExit("a timeline needs the web server's access log (Servers.restart_web)")
    lines = sum(1 for _ in requests.open())
    sent = 0
    runs: list[dict[str, Any]] = []
    logged: list[str] = []
    begin = access_log.stat().st_size
    for _ in range(segments):
        servers.settle(ready_line)
        cpu_before = servers.cpu_seconds()
        figures = run_wrk(wrk, port, requests, concurrency, seconds, once=True, skip=sent)
        cpu = cores_used(cpu_before, servers.cpu_seconds())
        # A request still in flight when wrk stopped is logged once the server is idle again (or
        # lands in the next segment's part of the log).
        servers.settle(ready_line)
        with access_log.open("rb") as log_file:
            log_file.seek(begin)
            segment = log_file.read().decode().splitlines()
            begin = log_file.tell()
        kinds = report.kind_figures(segment, figures["seconds"])
        first, repeat = (kinds.get(k, {}).get("requests", 0) for k in ("diary_first", "diary_repeat"))
        runs.append(
            {
                **{key: figures[key] for key in ("rps", "p50_ms", "p99_ms", "errors", "requests", "seconds")},
                "from_line": sent,
                "logged": kinds.get("all", {}).get("requests", 0),
                # By the timeline's design (``bench_fixtures.morning_timeline``), not counted in the
                # cache: a mark renews its student's diary, whose next read is a miss too.
                "diary_first_share": round(first / (first + repeat), 3) if first + repeat else None,
                # Where the cores went during the segment (CPU seconds per second of it).
                "cores": {part: round(used / figures["seconds"], 3) for part, used in cpu.items()},
            }
        )
        logged += segment
        sent += figures["requests"]
        if sent >= lines:
            log(f"{requests.name}: the timeline's {lines} lines are used up after {len(runs)} segments")
            break
    return {
        **figures,
        "errors": sum(run["errors"] for run in runs),
        "segments": runs,
        "kinds": kinds,
        "kinds_all_segments": report.kind_figures(logged, sum(run["seconds"] for run in runs)),
    }


def raw_sql_reference(url: str, reads: list[list[str]], seconds: float, unit: str) -> dict[str, Any]:
    """A read's own queries (a diary week's, a journal page's) replayed through psycopg on one
    connection: the database's limit. Reported per ``unit``."""
    import psycopg

    captured = [queries for queries in reads if queries]
    if not captured:
        return {}
    times: list[float] = []
    rng = random.Random(7)
    with psycopg.connect(url, autocommit=True) as conn:
        for queries in captured:  # once through, to warm the buffer cache
            for query in queries:
                conn.execute(query.encode())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline or len(times) < 20:
            read = rng.choice(captured)
            started = time.perf_counter()
            for query in read:
                cursor = conn.execute(query.encode())
                if cursor.description is not None:
                    cursor.fetchall()
            times.append(time.perf_counter() - started)
    times.sort()

    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, int(p / 100 * len(times)))] * 1000, 3)

    return {
        f"{unit}s": len(times),
        f"queries_per_{unit}": round(statistics.mean(len(queries) for queries in captured), 1),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "rps": round(len(times) / sum(times), 1),
    }


# Reads given to pgbench: each connection prepares each read's statements on its first run of it,
# so with few reads every connection is warm within seconds.
PGBENCH_READS = 20
# Seconds pgbench runs before the measured ones: its connections preparing their statements.
PGBENCH_WARMUP = 10
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_PROGRESS = re.compile(r"progress: ([\d.]+) s, ([\d.]+) tps")


def pgbench_statement(query: str) -> str:
    """A captured statement as one pgbench command. pgbench reads ``:name`` anywhere as its own
    variable, string literals included, so a literal holding a colon is written as an escape
    string with the colon as ``\\x3a``: the same value to the server."""

    def escaped(match: re.Match[str]) -> str:
        literal = match.group(0)
        if ":" not in literal:
            return literal
        return "E" + literal.replace("\\", "\\\\").replace(":", "\\x3a")

    return _LITERAL.sub(escaped, " ".join(query.split())).rstrip(";") + ";"


def raw_sql_throughput(
    url: str, reads: list[list[str]], seconds: float, clients: int, *, warmup: int = PGBENCH_WARMUP
) -> dict[str, Any]:
    """The captured reads sent by pgbench from ``clients`` connections at once, each read a
    script of its statements, prepared once per connection as the app's are: how many reads a
    second the database itself serves on this machine, from a client written in C. The first
    ``warmup`` seconds (the connections preparing) are left out."""
    import tempfile

    captured = [queries for queries in reads if queries][:PGBENCH_READS]
    if not captured or shutil.which("pgbench") is None:
        return {}
    measured = max(1, round(seconds))
    with tempfile.TemporaryDirectory() as folder:
        scripts: list[str] = []
        for number, queries in enumerate(captured):
            script = Path(folder) / f"read{number}.sql"
            script.write_text("".join(pgbench_statement(query) + "\n" for query in queries))
            scripts += ["-f", str(script)]
        threads = min(clients, os.cpu_count() or 1)
        command = ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", str(threads), "-P", "1"]
        done = subprocess.run(
            [*command, "-T", str(warmup + measured), *scripts, url],
            capture_output=True,
            text=True,
            check=True,
        )
    rates = [float(rate) for at, rate in _PROGRESS.findall(done.stderr) if float(at) > warmup]
    if not rates:
        return {}
    rps = statistics.mean(rates)
    return {
        "clients": clients,
        "reads": len(captured),
        "rps": round(rps, 1),
        "mean_ms": round(1000 * clients / rps, 2),
    }
