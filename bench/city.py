# ruff: noqa: S603 — runs local processes (wrk, the web server, celery, manage.py) with fixed arguments
"""The city-scale benchmark: build a city at scale S, put production-like load on it, write results.

    .venv/bin/python bench/city.py --scales 0.01 --duration 10          # what `make bench-quick` runs
    .venv/bin/python bench/city.py --scales 0.01,0.05,0.2 --duration 30  # `make bench`

For every scale S it
1. makes the database ``parta_bench_<S>`` on the local PostgreSQL (reused when it already holds
   a city made by this script, unless ``--fresh``), migrates it and fills it with
   ``manage.py bench_city`` (the demo generator, through COPY);
2. writes the requests with ``manage.py bench_fixtures`` (API tokens for random people);
3. starts the production setup on 127.0.0.1: the web server (``--server``), PARTA_DEBUG=false,
   the Redis cache and a Celery worker (with beat) on its own Redis database;
4. runs wrk (installed with apt-get when missing) for every scenario and concurrency, and the
   raw-SQL reference (the diary week's captured queries replayed through psycopg);
   with ``--servers sync:5,gthread:2x8,granian:3x2`` steps 3 and 4 are made for each web server
   in turn on the same city (``bench/README.md``, *Web servers*);
5. stops what it started and hands the figures to ``bench/report.py``, which writes
   ``bench/results/<timestamp>.json``, ``latest.json`` and ``latest.md``.

Work files (request files, server logs, city reports) go to ``var/bench/<S>/``. Making and reusing
the city is ``bench/cities.py``; the runs themselves ``bench/runs.py``; the servers ``bench/servers.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(1, str(ROOT))  # parta.testing's Redis server for the fault run

import faults  # noqa: E402
import report  # noqa: E402
from cities import (  # noqa: E402
    PYTHON,
    build_city,
    db_url,
    ensure_wrk,
    manage,
    postgres_settings,
    run_sql,
    scale_tag,
)
from runs import (  # noqa: E402
    log,
    median_run,
    prime,
    raw_sql_reference,
    raw_sql_throughput,
    run_wrk,
    timeline_run,
)
from servers import (  # noqa: E402
    SERVER_KINDS,
    Servers,
    WebServer,
    broker_url,
    outbox_delivered,
    parse_servers,
)

# Scenario name → request file written by bench_fixtures. "ping" is reference (i).
SCENARIOS = {
    "ping": "ping",
    # GET /api/v1/me, the first call of every app: the signed-in person, their roles and children.
    "me": "me",
    "diary": "diary",
    # Students whose diary nobody has read yet (the cache is emptied before each run): a miss each.
    "diary_cold": "diary_cold",
    "journal": "journal",
    # Journals nobody has read yet (other assignments, the cache emptied before each run).
    "journal_cold": "journal_cold",
    "marks": "marks",
    "timetable": "timetable",
    "ical": "ical",
    # The same feeds with the cache emptied before each run: a calendar app polls about hourly, so
    # a fetch often finds its entry gone; mostly misses (lines are drawn at random, a few repeat).
    "ical_cold": "ical",
    "login": "login",
    # The busiest half hour of the morning from 7:00 on, the read cache empty at its start: a
    # timeline of the city's mix (diary first reads and repeats, /me, notification polls,
    # timetables, calendar feeds, journals, marks, sign-ins), sent in order in segments.
    "morning": "morning",
    # A teacher searching the library: a word (Russian case forms too), facets, by popularity.
    # Measured warm, as a search read again within minutes (by the same teacher or another: the
    # part readers share is kept for all of them, the reader's own part is searched each time).
    "library_search": "library_search",
    # The same searches with the cache emptied before each run: the first of each of its kind.
    "library_search_cold": "library_search",
    # The public catalogue without signing in: GET /api/v1/materials and the page /library/.
    "library_catalogue": "library_catalogue",
    # Students taking a test: one answer saved (PUT) at a time, into attempts in progress.
    "test_answers": "test_answers",
    # Whole attempts submitted and scored, each line another attempt (reopened before each run).
    "test_submits": "test_submits",
    # The morning burst: every student of 60 schools entering within half an hour, reported by
    # their turnstiles in batches of 250 events (each run's events deleted before the next).
    "passage_burst": "passage_burst",
    # Cash desks in a break: one sale a request, each a new sale id (deleted before each run).
    # Afterwards every account's balance is checked against the sum of its ledger entries.
    "meals_sales": "meals_sales",
    # The burst's first batches again, with the Celery worker and Redis killed and started again
    # mid-burst (bench/faults.py), on servers and a Redis of its own, before the other scenarios:
    # then counted for lost and doubled events and notifications.
    "passage_faults": "passage_burst",
}
# Scenarios whose requests carry batches of events ({"events": [...]}), reported per event too.
BATCHES = ("passage_burst",)


def batch_size(requests: Path) -> float:
    """The mean number of events a request of the file carries."""
    sizes = [len(json.loads(line.split("\t")[3])["events"]) for line in requests.open() if line.strip()]
    return sum(sizes) / len(sizes) if sizes else 0.0


# Scenarios measured with the read cache emptied before each run.
COLD = ("diary_cold", "journal_cold", "ical_cold", "library_search_cold")
# Timelines: each line sent once in the file's order, from its start with the read cache empty, in
# --morning-segments runs of wrk one after the other (each going on where the last ended, the
# cache kept), the web server keeping an access log meanwhile to count the requests by kind.
TIMELINES = ("morning",)


# --- load --------------------------------------------------------------------------------------

# Answers the read cache keeps (docs/decisions/0003-read-cache.md): these scenarios are measured
# warm — every request line is sent once before — as a family's second and later opens of the
# morning are; diary_cold and ical_cold measure the first.
CACHED = ("diary", "journal", "timetable", "ical", "library_search")


def bench_scale(args: argparse.Namespace, scale: float, wrk: str) -> dict[str, Any]:
    tag = scale_tag(scale)
    work = ROOT / "var" / "bench" / tag
    work.mkdir(parents=True, exist_ok=True)
    url = db_url(args.database, f"parta_bench_{tag}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": args.redis,
        # The broker on the next Redis database, so emptying the cache leaves the task queues alone.
        "PARTA_BROKER_URL": broker_url(args.redis),
        "PARTA_DEBUG": "false",
        "PARTA_SECRET_KEY": "parta-benchmark-only-" + "x" * 40,
        "PARTA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PARTA_SECURE_COOKIES": "false",
        # The benchmark's logins all come from 127.0.0.1; the production rate is 20/min per address.
        "PARTA_AUTH_THROTTLE": "1000000/s",
        "PARTA_DATA_DIR": str(work / "data"),
        "PARTA_LOG_LEVEL": "ERROR",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    city = build_city(scale, args.database, work, env, fresh=args.fresh)
    requests = work / "requests"
    log(f"S={scale:g}: writing requests and tokens")
    manage(env, "bench_fixtures", "--out", str(requests), "--users", str(args.users))
    import redis

    cache_db = redis.Redis.from_url(args.redis)
    cache_db.flushdb()
    redis.Redis.from_url(broker_url(args.redis)).flushdb()
    first = (requests / "ping.txt").read_text().splitlines()[0]
    checks: dict[str, Any] = {}
    if "passage_faults" in args.scenarios:
        checks["passage_faults"] = fault_run(args, env, work, requests, first)
    # First, while the database has only its own work: the raw SQL of the diary week.
    log(f"S={scale:g}: raw SQL of the diary week through psycopg")
    weeks = json.loads((requests / "rawsql.json").read_text())["weeks"]
    reference = raw_sql_reference(url, weeks, min(args.duration, 10), "week")
    log(f"S={scale:g}: raw SQL diary week p50 {reference.get('p50_ms')} ms")
    journal_reference: dict[str, Any] = {}
    pages: list[list[str]] = []
    if {"journal", "journal_cold"} & set(args.scenarios):
        pages = json.loads((requests / "rawsql_journal.json").read_text())["pages"]
        journal_reference = raw_sql_reference(url, pages, min(args.duration, 10), "page")
        log(f"S={scale:g}: raw SQL journal page p50 {journal_reference.get('p50_ms')} ms")
    # The database's own limit at the highest concurrency: the same reads sent by pgbench.
    clients = max(args.concurrency)
    for what, reads, into in (("diary weeks", weeks, reference), ("journal pages", pages, journal_reference)):
        if into and clients > 1:
            into["concurrent"] = raw_sql_throughput(url, reads, min(args.duration, 10), clients)
            log(f"S={scale:g}: raw SQL {what} at c={clients}: {into['concurrent'].get('rps')}/s")
    # Every web server of --servers in turn on the same city (one: --server's).
    measured = {
        web.key: measure_server(
            args, web, scale=scale, env=env, work=work, requests=requests, wrk=wrk, ready_line=first
        )
        for web in args.servers
    }
    main = measured[args.servers[0].key]
    replica = replica_run(args, scale=scale, env=env, work=work, requests=requests, wrk=wrk, ready_line=first)
    return {
        "scale": scale,
        "city": city,
        "scenarios": main["scenarios"],
        "raw_sql": reference,
        "raw_sql_journal": journal_reference,
        "outbox": main["outbox"],
        "outbox_morning": main["outbox_morning"],
        "checks": {**checks, **main["checks"]},
        # The comparison (--servers): each server's figures; the first one's are those above.
        **({"servers": measured} if args.compare else {}),
        **({"replica": replica} if replica else {}),
    }


# Measured again with the read replica (--replica): the scenarios whose reads may go there.
REPLICA_SCENARIOS = ("ical_cold", "morning")


def replica_run(
    args: argparse.Namespace,
    *,
    scale: float,
    env: dict[str, str],
    work: Path,
    requests: Path,
    wrk: str,
    ready_line: str,
) -> dict[str, Any]:
    """With ``--replica``: a streaming standby of the machine's cluster started (bench/replica.py),
    the scenarios of REPLICA_SCENARIOS measured again with PARTA_REPLICA_DATABASE_URL set, the
    replica's lag sampled every second meanwhile, the standby stopped and removed."""
    scenarios = [s for s in REPLICA_SCENARIOS if s in args.scenarios]
    if not args.replica or not scenarios:
        return {}
    from replica import Replica

    replica = Replica(primary_url=args.database)
    log(f"S={scale:g}: starting a read replica (a base backup of the whole cluster)")
    started = time.monotonic()
    replica.start()
    log(f"S={scale:g}: the replica streams after {time.monotonic() - started:.0f} s")
    samples: list[Any] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            samples.append(replica.lag())

    sampler = threading.Thread(target=sample, daemon=True)
    with_replica = {
        **env,
        "PARTA_REPLICA_DATABASE_URL": replica.database_url(f"parta_bench_{scale_tag(scale)}"),
    }
    sampler.start()
    try:
        measured = measure_server(
            argparse.Namespace(**{**vars(args), "scenarios": scenarios}),
            args.servers[0],
            scale=scale,
            env=with_replica,
            work=work,
            requests=requests,
            wrk=wrk,
            ready_line=ready_line,
        )
    finally:
        stop.set()
        sampler.join()
        replica.stop()
    replayed = [lag.replay_seconds for lag in samples if lag.replay_seconds is not None]
    behind = [lag.bytes for lag in samples]
    return {
        "server": measured["server"],
        "scenarios": measured["scenarios"],
        "lag": {
            "samples": len(samples),
            "streaming": sum(lag.state == "streaming" for lag in samples),
            "replay_seconds_max": max(replayed, default=0.0),
            "replay_seconds_median": statistics.median(replayed) if replayed else 0.0,
            "bytes_behind_max": max(behind, default=0),
            "bytes_behind_median": statistics.median(behind) if behind else 0,
        },
    }


def measure_server(
    args: argparse.Namespace,
    web: WebServer,
    *,
    scale: float,
    env: dict[str, str],
    work: Path,
    requests: Path,
    wrk: str,
    ready_line: str,
) -> dict[str, Any]:
    """Every scenario (but the fault run) on ``web`` and a Celery worker, started for them and
    stopped afterwards: the figures per scenario and concurrency, the outbox after the writes and
    the checks after the sales."""
    url = env["DATABASE_URL"]
    import redis

    cache_db = redis.Redis.from_url(args.redis)
    servers = Servers(env, work, args.port, web)
    results: dict[str, dict[str, Any]] = {}
    outboxes: dict[str, dict[str, Any]] = {}
    checks: dict[str, Any] = {}
    servers.start()
    try:
        servers.wait_ready(ready_line)
        log(f"S={scale:g}: {web.describe()} and Celery are up on port {args.port}")
        for scenario in (s for s in args.scenarios if s != "passage_faults"):
            file = requests / f"{SCENARIOS[scenario]}.txt"
            # A scenario whose writes must not repeat (test_submits) reads its lines once each,
            # after its rows are put back as they were (bench_fixtures writes the SQL).
            reopen = requests / f"{SCENARIOS[scenario]}.reopen.sql"
            timeline = scenario in TIMELINES
            once = reopen.exists() or timeline
            if timeline:
                servers.restart_web(ready_line, work / "logs" / f"{scenario}.access.log")
            if args.warmup:
                # Every worker serves the scenario once before anything is recorded.
                if reopen.exists():
                    run_sql(url, reopen.read_text())
                run_wrk(wrk, args.port, file, 2 * web.concurrency, args.warmup, once=once)
            if scenario in CACHED:
                started = time.monotonic()
                count = prime(args.port, file, web.concurrency)
                log(f"S={scale:g}: {scenario} primed: {count} requests in {time.monotonic() - started:.0f} s")
            results[scenario] = {}
            for concurrency in args.concurrency:
                tries = []
                for _ in range(args.repeat):
                    servers.settle(ready_line)
                    if scenario in COLD or timeline:
                        cache_db.flushdb()
                    if reopen.exists():
                        run_sql(url, reopen.read_text())
                    if timeline:
                        tries.append(
                            timeline_run(
                                wrk,
                                args.port,
                                file,
                                concurrency,
                                args.duration,
                                segments=args.morning_segments,
                                servers=servers,
                                ready_line=ready_line,
                            )
                        )
                        segments = tries[-1]["segments"]
                        log(
                            f"S={scale:g} {web.key} {scenario} c={concurrency}: segments "
                            + ", ".join(f"{run['rps']:.1f}" for run in segments)
                            + f" rps; {sum(run['logged'] for run in segments)} requests logged by kind of "
                            + f"{sum(run['requests'] for run in segments)} sent"
                        )
                    else:
                        tries.append(run_wrk(wrk, args.port, file, concurrency, args.duration, once=once))
                        lines = sum(1 for _ in file.open())
                        if once and tries[-1]["requests"] > lines:
                            log(
                                f"S={scale:g}: {scenario} sent {tries[-1]['requests']} requests "
                                f"for {lines} lines"
                            )
                figures = median_run(tries)
                if scenario in BATCHES:
                    # A request carries a batch: the rate that matters is of what it carries.
                    figures["events_per_s"] = round(figures["rps"] * batch_size(file), 1)
                    log(f"S={scale:g} {scenario} c={concurrency}: {figures['events_per_s']:,.0f} events/s")
                results[scenario][str(concurrency)] = figures
                log(
                    f"S={scale:g} {web.key} {scenario:<9} c={concurrency:<3} {figures['rps']:>8.1f} rps  "
                    f"p50 {figures['p50_ms']:>7.1f} ms  p99 {figures['p99_ms']:>8.1f} ms  "
                    f"errors {figures['errors']}"
                    + (
                        f" (first status {figures['first_bad_status']})"
                        if figures["first_bad_status"]
                        else ""
                    )
                )
            if scenario == "meals_sales":
                checks["meals_balances"] = balances_checked(env)
                log(f"S={scale:g}: meals balances: {checks['meals_balances']['found']}")
            if scenario in WRITES:
                # Before the next scenario: does one worker keep up with the writes?
                outbox = outboxes[scenario] = outbox_delivered(url, OUTBOX_WAIT_S)
                log(
                    f"S={scale:g}: {outbox['pending_after_load']} outbox events waiting after the "
                    f"{scenario}, {outbox['pending_at_end']} after {outbox['seconds']} s"
                )
            if timeline:
                servers.restart_web(ready_line, None)
    finally:
        servers.stop()
    return {
        "server": web.describe(),
        "scenarios": results,
        "outbox": outboxes.get("marks", {}),
        "outbox_morning": outboxes.get("morning", {}),
        "checks": checks,
    }


def fault_run(
    args: argparse.Namespace, env: dict[str, str], work: Path, requests: Path, ready_line: str
) -> dict[str, Any]:
    """``passage_faults`` (bench/faults.py) on the first ``--fault-batches`` lines of the burst, its
    earlier runs' events deleted first."""
    run_sql(env["DATABASE_URL"], (requests / "passage_burst.reopen.sql").read_text())
    lines = (requests / "passage_burst.txt").read_text().splitlines()[: args.fault_batches]
    log(f"passage_faults: {len(lines)} batches, the worker and Redis killed when a third is in")
    found = faults.passage_faults(
        env,
        work,
        lines,
        ready_line=ready_line,
        port=args.port + 1,
        # bench/faults.py starts gunicorn's sync workers of its own, as many as before --server.
        workers=2 * (os.cpu_count() or 1) + 1,
        devices=16,
        down_s=5,
        deliver_within_s=900,
        log=log,
    )
    log(f"passage_faults: {json.dumps(found['check'])}")
    return found


def balances_checked(env: dict[str, str]) -> dict[str, Any]:
    """After the sales: every account's balance against the sum of its ledger entries."""
    done = subprocess.run(
        [PYTHON, "manage.py", "meals_bench", "--check"],
        check=False,
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    return {"exact": done.returncode == 0, "found": (done.stdout or done.stderr).strip()[-500:]}


# The scenarios that write outbox events, and how long the benchmark waits after one for the
# worker to deliver them.
WRITES = ("marks", "morning")
OUTBOX_WAIT_S = 180


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="0.01", help="Comma-separated scale factors (default 0.01).")
    parser.add_argument("--duration", type=float, default=10, help="Seconds per scenario and concurrency.")
    parser.add_argument("--warmup", type=float, default=2, help="Unrecorded seconds before each scenario.")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Runs per scenario and concurrency; the one with the median req/s is reported (default 1).",
    )
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument(
        "--morning-segments",
        type=int,
        default=3,
        help="Runs of --duration each the morning timeline is sent in, one after the other, the cache "
        "emptied before the first only; the last one's figures are reported (default %(default)s).",
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--server",
        choices=SERVER_KINDS,
        default="granian",
        help="The web server: gunicorn's sync or gthread workers, or granian (default %(default)s, "
        "as deploy/run web).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="Its worker processes (default: the best measured, per CPU: servers.DEFAULT_SIZES; for "
        "granian one a CPU, as deploy/run web).",
    )
    parser.add_argument(
        "--threads", type=int, help="Threads per worker, for gthread and granian (default 4)."
    )
    parser.add_argument(
        "--servers",
        help="Compare web servers on the same city, one after the other, e.g. "
        "sync:5,gthread:2x8,granian:3x2 (kind:workers[xthreads]); each one's figures go to "
        "runs[].servers, the first one's also to runs[].scenarios.",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", type=int, default=2000, help="People per scenario's request file.")
    parser.add_argument(
        "--database",
        default=os.environ.get("PARTA_BENCH_DATABASE", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); the benchmark makes parta_bench_<S> there.",
    )
    parser.add_argument("--redis", default=os.environ.get("PARTA_BENCH_REDIS", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--fresh", action="store_true", help="Remake the city even if its database exists.")
    parser.add_argument(
        "--fault-batches",
        type=int,
        default=60,
        help="Batches of the burst the passage_faults run sends (default %(default)s, ~11,000 events).",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--replica",
        action="store_true",
        help="Also measure ical_cold and morning with a read replica (a streaming standby the "
        "benchmark starts and removes; bench/replica.py).",
    )
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    if args.morning_segments < 1:
        raise SystemExit("--morning-segments must be at least 1")
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"Unknown scenarios: {', '.join(sorted(unknown))}")
    cpus = os.cpu_count() or 1
    try:
        default = WebServer.default(args.server, cpus)
        args.web = WebServer(args.server, args.workers or default.workers, args.threads or default.threads)
        args.compare = bool(args.servers)
        args.servers = parse_servers(args.servers) if args.servers else [args.web]
    except ValueError as error:
        parser.error(str(error))
    scales = [float(s) for s in args.scales.split(",")]
    wrk = ensure_wrk()
    started = time.monotonic()
    load_before = os.getloadavg()
    runs = [bench_scale(args, scale, wrk) for scale in scales]
    config = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "morning_segments": args.morning_segments,
        "repeat": args.repeat,
        "concurrency": args.concurrency,
        "web_server": args.servers[0].describe(),
        **({"servers": [web.key for web in args.servers]} if args.compare else {}),
        "wrk_threads": "min(concurrency, 2)",
        "celery": "1 worker process with beat",
        "postgresql": postgres_settings(args.database),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "total_seconds": round(time.monotonic() - started, 1),
    }
    paths = report.write(runs, config, args.results)
    log("results: " + ", ".join(str(p) for p in paths))
    print((args.results / "latest.md").read_text())


if __name__ == "__main__":
    main()
