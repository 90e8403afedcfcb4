# ruff: noqa: S607 — asks psql and git for their versions
"""Results of a benchmark run: ``bench/results/<timestamp>.json``, ``latest.json`` and ``latest.md``.

    .venv/bin/python bench/report.py [bench/results/latest.json]   # print the markdown of a run again

The JSON holds the machine, the date, the configuration and, per scale, the city (schools, rows,
time to make, database size), per scenario and concurrency ``rps``, ``p50_ms``, ``p95_ms``,
``p99_ms`` and ``errors``, the raw-SQL reference and the ``ratios``:

- ``<scenario>_vs_trivial_rps`` for /me, the diary, diary_cold, journal, journal_cold,
  library_search, library_search_cold, library_catalogue, test_answers, test_submits and the
  morning: the scenario's requests/s over the trivial endpoint's (``GET /api/v1/ping``) at the
  same concurrency (target ≥ 0.5 for /me and the diary, ≥ 0.3 for the journal);
- ``library_search_p99_c16_within_100_ms``: whether the library search's p99 at concurrency 16
  (warm, as the diary's target is) is within the issue's 100 ms (judged at S = 0.2); the same for
  ``test_answers`` and ``test_submits``, with ``test_answers_rps_c16_at_least_500`` and
  ``test_submits_rps_c16_at_least_200`` (issue 20's targets on two cores);
- ``diary_p50_vs_raw_sql`` / ``diary_cold_p50_vs_raw_sql``: the median latency at concurrency 1
  over the median time of the diary week's own SQL replayed through psycopg (how much the
  framework adds); ``journal_p50_vs_raw_sql`` / ``journal_cold_p50_vs_raw_sql`` the same for the
  journal page;
- ``diary_cold_vs_raw_sql_rps`` (and the diary's, the journal's): requests/s at the highest
  concurrency over the reads/s pgbench gets from the database with the same statements on as
  many connections (``raw_sql.concurrent``): how near the database's own limit the read runs.

The morning (a timeline, ``bench/city.py``'s ``timeline_run``) also has per request kind, from
the server's access log (``kind_figures``), its last segment's and its whole run's figures.

With several scales, ``growth`` holds the largest scale's figures over the smallest's at
concurrency 16, per scenario (``rps`` and ``p50``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROWTH_SCENARIOS = (
    "me",
    "diary",
    "diary_cold",
    "journal",
    "journal_cold",
    "morning",
    "marks",
    "library_search",
    "library_search_cold",
    "library_catalogue",
    "test_answers",
    "test_submits",
    "ping",
)
# Scenarios whose throughput is reported as a ratio to ping's.
VS_TRIVIAL = (
    "me",
    "diary",
    "diary_cold",
    "journal",
    "journal_cold",
    "morning",
    "library_search",
    "library_search_cold",
    "library_catalogue",
    "test_answers",
    "test_submits",
)
# Scenarios whose p50 at concurrency 1 is set against their read's raw SQL: (scenario, the run's key).
RAW_SQL = (
    ("diary", "raw_sql"),
    ("diary_cold", "raw_sql"),
    ("journal", "raw_sql_journal"),
    ("journal_cold", "raw_sql_journal"),
)
# The issues' latency targets: (scenario, concurrency, p99 in ms at most).
P99_TARGETS = (
    ("library_search", "16", 100.0),
    ("test_answers", "16", 100.0),
    ("test_submits", "16", 100.0),
)
# The issues' throughput targets: (scenario, concurrency, requests/s at least).
RPS_TARGETS = (("test_answers", "16", 500.0), ("test_submits", "16", 200.0), ("meals_sales", "16", 300.0))


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "ram_gib": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres_version(),
    }


def _postgres_version() -> str | None:
    try:
        out = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    return out.strip() or None


def _git() -> str | None:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def ratios(run: dict[str, Any]) -> dict[str, Any]:
    scenarios = run["scenarios"]
    result: dict[str, Any] = {}
    ping = scenarios.get("ping", {})
    for name in VS_TRIVIAL:
        mine = scenarios.get(name, {})
        result[f"{name}_vs_trivial_rps"] = {
            c: round(mine[c]["rps"] / ping[c]["rps"], 3) for c in mine if c in ping and ping[c]["rps"]
        }
    for name, reference in RAW_SQL:
        c1 = scenarios.get(name, {}).get("1")
        raw = run.get(reference) or {}
        if c1 and raw.get("p50_ms"):
            result[f"{name}_p50_vs_raw_sql"] = round(c1["p50_ms"] / raw["p50_ms"], 2)
        concurrent = raw.get("concurrent") or {}
        many = scenarios.get(name, {}).get(str(concurrent.get("clients")))
        if many and concurrent.get("rps"):
            result[f"{name}_vs_raw_sql_rps"] = {
                str(concurrent["clients"]): round(many["rps"] / concurrent["rps"], 3)
            }
    for name, concurrency, limit in P99_TARGETS:
        figures = scenarios.get(name, {}).get(concurrency)
        if figures:
            result[f"{name}_p99_c{concurrency}_within_{limit:g}_ms"] = figures["p99_ms"] <= limit
    for name, concurrency, least in RPS_TARGETS:
        figures = scenarios.get(name, {}).get(concurrency)
        if figures:
            result[f"{name}_rps_c{concurrency}_at_least_{least:g}"] = figures["rps"] >= least
    burst = scenarios.get("passage_burst", {})
    if burst:
        result["passage_burst_events_per_s_at_least_2000"] = all(
            figures["events_per_s"] >= 2000 for figures in burst.values()
        )
    replica = (run.get("replica") or {}).get("scenarios", {})
    for name, by_c in replica.items():
        without = scenarios.get(name, {})
        result[f"{name}_with_replica_vs_without_rps"] = {
            c: round(f["rps"] / without[c]["rps"], 3)
            for c, f in by_c.items()
            if without.get(c, {}).get("rps")
        }
    checks = run.get("checks") or {}
    if "passage_faults" in checks:
        result["passage_faults_nothing_lost_or_doubled"] = checks["passage_faults"]["ok"]
    if "meals_balances" in checks:
        result["meals_balances_exact"] = checks["meals_balances"]["exact"]
    return result


def growth(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Largest S over smallest S, per scenario at concurrency 16: ``rps`` (below 0.8 is more than
    20 % worse) and ``p50`` (above 1.2 is)."""
    if len(runs) < 2:
        return {}
    small, large = min(runs, key=lambda r: r["scale"]), max(runs, key=lambda r: r["scale"])
    result: dict[str, Any] = {"from_scale": small["scale"], "to_scale": large["scale"]}
    for name in GROWTH_SCENARIOS:
        a, b = small["scenarios"].get(name, {}).get("16"), large["scenarios"].get(name, {}).get("16")
        if a and b and a["rps"] and a["p50_ms"]:
            result[name] = {"rps": round(b["rps"] / a["rps"], 3), "p50": round(b["p50_ms"] / a["p50_ms"], 3)}
    return result


def write(runs: list[dict[str, Any]], config: dict[str, Any], directory: Path) -> list[Path]:
    now = dt.datetime.now(dt.UTC)
    for run in runs:
        run["ratios"] = ratios(run)
        for server in run.get("servers", {}).values():
            server["ratios"] = ratios({**run, "scenarios": server["scenarios"]})
    data = {
        "date": now.isoformat(timespec="seconds"),
        "git": _git(),
        "machine": machine(),
        "config": config,
        "scales": [run["scale"] for run in runs],
        "runs": runs,
        "growth": growth(runs),
    }
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    stamped = directory / f"{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    stamped.write_text(text)
    latest = directory / "latest.json"
    latest.write_text(text)
    md = directory / "latest.md"
    md.write_text(markdown(data))
    return [stamped, latest, md]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _percentile(ordered: list[int], p: float) -> int:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _micros(duration: str) -> int | None:
    """An access log's duration: gunicorn's microseconds (``1234``) or granian's milliseconds
    (``1.234ms``); None for anything else."""
    if duration.isdigit():
        return int(duration)
    number = duration.removesuffix("ms")
    if number != duration and number.replace(".", "", 1).isdigit():
        return round(float(number) * 1000)
    return None


def kind_figures(lines: Iterable[str], seconds: float) -> dict[str, dict[str, Any]]:
    """Figures per request kind from access log lines ``KIND STATUS DURATION`` (the web server's,
    ``servers.ACCESS_LOG_FORMAT`` and ``GRANIAN_ACCESS_LOG_FORMAT``): ``requests``, ``rps`` over
    ``seconds``, ``p50_ms``, ``p95_ms`` and ``p99_ms`` of the time the request took in the server
    (no queueing before it, no network) and ``errors`` (statuses other than 2xx). ``all`` is every
    kind together. Lines without a kind (``-``: the benchmark's own pings between runs) are left
    out, and so are lines of another shape."""
    times: dict[str, list[int]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for line in lines:
        fields = line.split()
        if len(fields) != 3 or fields[0] == "-" or not fields[1].isdigit():
            continue
        kind, status, duration = fields
        micros = _micros(duration)
        if micros is None:
            continue
        for key in (kind, "all"):
            times[key].append(micros)
            errors[key] += not status.startswith("2")
    figures = {}
    for kind in sorted(times, key=lambda k: (k == "all", -len(times[k]), k)):
        ordered = sorted(times[kind])
        figures[kind] = {
            "requests": len(ordered),
            "rps": round(len(ordered) / seconds, 1) if seconds else 0.0,
            **{f"p{p}_ms": round(_percentile(ordered, p) / 1000, 2) for p in (50, 95, 99)},
            "errors": errors[kind],
        }
    return figures


def _morning(by_c: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """The morning timeline: each segment's req/s, and per request kind its last segment's figures."""
    if not by_c:
        return []
    segments = next(iter(by_c.values()))["segments"]
    lines = [
        "",
        f"Morning: the timeline in {len(segments)} segments of {config['duration_s']:g} s one after "
        "the other, the read cache emptied before the first; the row above is the last segment's "
        "(its errors those of all). Per segment req/s, and the designed share of first reads "
        "(misses) among the diary reads served:",
        "",
    ]
    for c, f in by_c.items():
        lines.append(
            f"- c={c}: "
            + ", ".join(
                f"{seg['rps']:,.1f}"
                + (f" ({seg['diary_first_share']:.0%})" if seg["diary_first_share"] is not None else "")
                for seg in f["segments"]
            )
        )
    cores = [(c, f["segments"][-1].get("cores")) for c, f in by_c.items()]
    if any(used for _c, used in cores):
        lines += ["", "Where the cores went in the last segment (CPU seconds per second, from /proc):", ""]
        lines += [
            f"- c={c}: " + ", ".join(f"{part} {share:.2f}" for part, share in used.items())
            for c, used in cores
            if used
        ]
    lines += [
        "",
        "Per request kind, the last segment (times in the server, from its access log):",
        "",
        "| kind | concurrency | req/s | share | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c, f in by_c.items():
        total = f["kinds"].get("all", {}).get("requests") or 1
        for kind, k in f["kinds"].items():
            lines.append(
                f"| {kind} | {c} | {k['rps']:,.1f} | {k['requests'] / total:.1%} | {_ms(k['p50_ms'])} | "
                f"{_ms(k['p95_ms'])} | {_ms(k['p99_ms'])} | {k['errors']} |"
            )
    return lines


def _servers(servers: dict[str, Any]) -> list[str]:
    """The comparison of web servers (``--servers``): per server and scenario, each concurrency's
    req/s with wrk's p50 and p99, and the morning's time in the server (its access log, the last
    segment, every kind)."""
    if not servers:
        return []
    concurrencies = list(
        dict.fromkeys(c for s in servers.values() for by_c in s["scenarios"].values() for c in by_c)
    )
    lines = [
        "",
        "Web servers, one after the other on this city (req/s, p50 / p99 ms; the first one's figures are "
        "those above):",
        "",
        "| server | scenario | " + " | ".join(f"c={c}" for c in concurrencies) + " | errors |",
        "|---|---|" + "---:|" * (len(concurrencies) + 1),
    ]

    def cell(f: dict[str, Any] | None) -> str:
        return f"{f['rps']:,.1f} ({_ms(f['p50_ms'])} / {_ms(f['p99_ms'])})" if f else "—"

    for key, server in servers.items():
        for name, by_c in server["scenarios"].items():
            errors = sum(f["errors"] for f in by_c.values())
            lines.append(
                f"| {key} | {name} | "
                + " | ".join(cell(by_c.get(c)) for c in concurrencies)
                + f" | {errors} |"
            )
            if name == "morning":
                inside = [by_c[c].get("kinds", {}).get("all") if c in by_c else None for c in concurrencies]
                lines.append(
                    f"| {key} | morning, in the server | " + " | ".join(cell(f) for f in inside) + " | |"
                )
    lines += [
        "",
        "Servers: " + "; ".join(f"{key}: {server['server']}" for key, server in servers.items()) + ".",
    ]
    return lines


def _replica(replica: dict[str, Any]) -> list[str]:
    """The scenarios measured again with a read replica (``--replica``), and its lag meanwhile."""
    if not replica:
        return []
    lag = replica["lag"]
    return [
        *_servers({"with replica": replica}),
        "",
        f"The replica's lag while they ran ({lag['samples']} samples a second apart, "
        f"{lag['streaming']} streaming): replay {lag['replay_seconds_median']:.3f} s median, "
        f"{lag['replay_seconds_max']:.3f} s at most; {lag['bytes_behind_median']:,.0f} bytes behind median, "
        f"{lag['bytes_behind_max']:,} at most.",
    ]


def _checks(checks: dict[str, Any]) -> list[str]:
    """The counts made after the machines' scenarios."""
    lines = []
    faults = checks.get("passage_faults")
    if faults:
        c = faults["check"]
        lines += [
            "",
            f"Passage with failures: {faults['events']:,} events in {faults['batches']} batches from "
            f"{faults['devices']} turnstiles, {faults['events_per_s']:,.0f} events/s; the Celery worker "
            f"and Redis killed at {faults.get('killed_at_s')} s, back at {faults.get('back_at_s')} s; "
            f"{faults['batches_sent_again']} batches sent again, then every batch once more. Afterwards: "
            f"lost {c.get('lost')}, doubled {c.get('doubled')}, outbox rows doubled "
            f"{c.get('outbox_doubled')}, undelivered {c.get('undelivered')}, notifications "
            f"{c.get('notifications', 0):,} (doubled {c.get('notifications_doubled')}); the outbox empty "
            f"{faults['outbox'].get('seconds_after_back')} s after the worker's return — "
            + ("OK." if faults["ok"] else "FAILED."),
        ]
    balances = checks.get("meals_balances")
    if balances:
        lines += [
            "",
            f"Meals after the sales: {balances['found']} — "
            + ("every balance the sum of its entries." if balances["exact"] else "BALANCES DIFFER."),
        ]
    return lines


def markdown(data: dict[str, Any]) -> str:
    m, config = data["machine"], data["config"]
    # Runs from before the web server could be chosen (--server) name gunicorn's sync workers.
    server = config.get("web_server") or f"gunicorn {config['gunicorn_workers']} sync workers"
    lines = [
        f"# Benchmark run {data['date']}",
        "",
        f"Machine: {m['cpu_count']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM; {m.get('postgresql') or ''}. "
        f"Commit {data.get('git') or '?'}.",
        f"Setup: {server}, PARTA_DEBUG=false, Redis cache, "
        f"{config['celery']}; wrk on the same machine, {config['duration_s']:g} s per scenario and "
        f"concurrency"
        + (f", the median of {config['repeat']} runs by req/s" if config.get("repeat", 1) > 1 else "")
        + f". Load average before/after: {config['load_average_before']} / "
        f"{config['load_average_after']}.",
    ]
    if config.get("postgresql"):
        lines.append("PostgreSQL: " + ", ".join(f"{k} {v}" for k, v in config["postgresql"].items()) + ".")
    lines.append("")
    for run in data["runs"]:
        city = run["city"]
        rows = city.get("rows", {})
        size = city.get("database_bytes")
        lines += [
            f"## S = {run['scale']:g}",
            "",
            f"City: {city['schools']} schools, {rows.get('students', 0):,} students, "
            f"{rows.get('guardians', 0):,} guardians, {rows.get('teachers', 0):,} teachers, "
            f"{rows.get('lessons', 0):,} lessons, {rows.get('marks', 0):,} marks, "
            f"{rows.get('materials', 0):,} library materials; made in "
            f"{city['seconds']['generate']:,.0f} s, database "
            + (f"{size / 2**30:,.2f} GiB." if size else "size unknown."),
            "",
            "| scenario | concurrency | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, by_c in run["scenarios"].items():
            for c, f in by_c.items():
                lines.append(
                    f"| {name} | {c} | {f['rps']:,.1f} | {_ms(f['p50_ms'])} | {_ms(f['p95_ms'])} | "
                    f"{_ms(f['p99_ms'])} | {f['errors']} |"
                )
        lines += _morning(run["scenarios"].get("morning") or {}, config)
        lines += _servers(run.get("servers") or {})
        lines += _replica(run.get("replica") or {})
        for key, unit, what in (
            ("raw_sql", "week", "diary week"),
            ("raw_sql_journal", "page", "journal page"),
        ):
            raw = run.get(key) or {}
            if raw:
                lines += [
                    "",
                    f"Raw SQL of one {what} through psycopg ({raw[f'queries_per_{unit}']} queries): "
                    f"p50 {raw['p50_ms']} ms, p95 {raw['p95_ms']} ms, p99 {raw['p99_ms']} ms, "
                    f"{raw['rps']:,.0f} {unit}s/s on one connection.",
                ]
                concurrent = raw.get("concurrent") or {}
                if concurrent.get("rps"):
                    lines[-1] += (
                        f" From pgbench on {concurrent['clients']} connections (statements prepared): "
                        f"{concurrent['rps']:,.0f} {unit}s/s, {concurrent['mean_ms']} ms each."
                    )
        for key, after in (("outbox", "the marks"), ("outbox_morning", "the morning")):
            outbox = run.get(key) or {}
            if outbox:
                lines += [
                    "",
                    f"Outbox after {after}: {outbox['pending_after_load']:,} events still to deliver; "
                    f"{outbox['pending_at_end']:,} left after {outbox['seconds']} s.",
                ]
        lines += _checks(run.get("checks") or {})
        r = run.get("ratios", {})
        lines += ["", "Ratios:", ""]
        for key in (f"{name}_vs_trivial_rps" for name in VS_TRIVIAL):
            if r.get(key):
                lines.append(f"- {key}: " + ", ".join(f"c={c}: {v:.2f}" for c, v in r[key].items()))
        for key in (f"{name}_p50_vs_raw_sql" for name, _reference in RAW_SQL):
            if key in r:
                lines.append(f"- {key} (c=1): {r[key]:.1f}×")
        for key in (f"{name}_vs_raw_sql_rps" for name, _reference in RAW_SQL):
            if r.get(key):
                lines.append(f"- {key}: " + ", ".join(f"c={c}: {v:.2f}" for c, v in r[key].items()))
        for name, concurrency, limit in P99_TARGETS:
            key = f"{name}_p99_c{concurrency}_within_{limit:g}_ms"
            if key in r:
                lines.append(f"- {name} p99 at c={concurrency} ≤ {limit:g} ms: {'yes' if r[key] else 'NO'}")
        for name, concurrency, least in RPS_TARGETS:
            key = f"{name}_rps_c{concurrency}_at_least_{least:g}"
            if key in r:
                lines.append(f"- {name} at c={concurrency} ≥ {least:g}/s: {'yes' if r[key] else 'NO'}")
        for key in (
            "passage_burst_events_per_s_at_least_2000",
            "passage_faults_nothing_lost_or_doubled",
            "meals_balances_exact",
        ):
            if key in r:
                lines.append(f"- {key}: {'yes' if r[key] else 'NO'}")
        lines.append("")
    if len(data["runs"]) > 1:
        lines += ["## As the city grows (concurrency 16)", ""]
        header = (
            "| scenario | " + " | ".join(f"S={run['scale']:g} req/s, p99 ms" for run in data["runs"]) + " |"
        )
        lines += [header, "|---|" + "---:|" * len(data["runs"])]
        for name in GROWTH_SCENARIOS:
            cells = []
            for run in data["runs"]:
                f = run["scenarios"].get(name, {}).get("16")
                cells.append(f"{f['rps']:,.1f}, {f['p99_ms']:,.1f}" if f else "—")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        g = data.get("growth") or {}
        lines += [
            "",
            f"From S = {g.get('from_scale', 0):g} to S = {g.get('to_scale', 0):g} (target: req/s ≥ 0.8×, "
            "p50 ≤ 1.2×): "
            + "; ".join(
                f"{name} {v['rps']:.2f}× req/s, {v['p50']:.2f}× p50"
                for name, v in g.items()
                if isinstance(v, dict)
            )
            + ".",
        ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "latest.json"
    print(markdown(json.loads(path.read_text())))
