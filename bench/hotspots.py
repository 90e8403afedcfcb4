"""Profile one benchmark scenario in process: what a request of it costs, where the time goes.

    .venv/bin/python bench/hotspots.py diary                 # S = 0.01, 200 requests
    .venv/bin/python bench/hotspots.py journal --scale 0.2 -n 500 --top 40

Sends the scenario's request lines (``var/bench/<S>/requests/<scenario>.txt``, written by a
benchmark run) through Django's test client against the benchmark's database with its
production settings, then prints the mean time per request, the queries per request and their
time, the slowest query shapes and cProfile's top functions. For finding what to tune; the
figures to quote come from ``bench/city.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario")
    parser.add_argument("--scale", default="0.01")
    parser.add_argument("-n", type=int, default=200, help="Requests to send (default 200).")
    parser.add_argument("--top", type=int, default=25, help="Functions to list (default 25).")
    parser.add_argument(
        "--warm", action="store_true", help="Send the measured requests once first (cache hits)."
    )
    parser.add_argument("--redis", default=os.environ.get("PARTA_BENCH_REDIS", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--dump", type=Path, help="Also write the profile here (for pstats or snakeviz).")
    args = parser.parse_args()
    tag = f"{float(args.scale):g}".replace(".", "_")
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/parta_bench_{tag}",
            "REDIS_URL": args.redis,
            "PARTA_DEBUG": "false",
            "PARTA_SECRET_KEY": "parta-benchmark-only-" + "x" * 40,
            "PARTA_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "PARTA_AUTH_THROTTLE": "1000000/s",
            "DJANGO_SETTINGS_MODULE": "parta.settings",
        }
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    lines = (ROOT / "var" / "bench" / tag / "requests" / f"{args.scenario}.txt").read_text().splitlines()
    client = Client()

    def send(line: str) -> int:
        method, path, token, body = line.split("\t")[:4]
        headers = {"Authorization": f"Bearer {token}"} if token != "-" else {}  # noqa: S105
        data = "" if body == "-" else body
        response = client.generic(method, path, data, content_type="application/json", headers=headers)
        return response.status_code

    for line in lines[:20]:  # warm the connection and imports
        send(line)
    if args.warm:
        for i in range(args.n):
            send(lines[(20 + i) % len(lines)])
    started = time.perf_counter()
    for i in range(args.n):
        send(lines[(20 + i) % len(lines)])
    plain = time.perf_counter() - started
    statuses: Counter[int] = Counter()
    shapes: Counter[str] = Counter()
    shape_time: dict[str, float] = defaultdict(float)
    profile = cProfile.Profile()
    queries = 0
    query_seconds = 0.0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        for i in range(args.n):
            line = lines[(20 + i) % len(lines)]
            profile.enable()
            statuses[send(line)] += 1
            profile.disable()
    elapsed = time.perf_counter() - started
    for query in captured.captured_queries:
        queries += 1
        seconds = float(query["time"])
        query_seconds += seconds
        shape = query["sql"][:160]
        shapes[shape] += 1
        shape_time[shape] += seconds
    print(f"{args.scenario}: {args.n} requests, statuses {dict(statuses)}")
    print(
        f"  {1000 * plain / args.n:.2f} ms per request ({1000 * elapsed / args.n:.2f} profiled), "
        f"{queries / args.n:.1f} queries, {1000 * query_seconds / args.n:.2f} ms in the database per request"
    )
    print("  slowest query shapes (total ms per request, count per request):")
    for shape, seconds in sorted(shape_time.items(), key=lambda item: -item[1])[:12]:
        print(f"   {1000 * seconds / args.n:7.2f} ms  ×{shapes[shape] / args.n:4.1f}  {shape}")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    if args.dump:
        profile.dump_stats(args.dump)


if __name__ == "__main__":
    main()
