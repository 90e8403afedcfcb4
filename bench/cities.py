# ruff: noqa: S603 — runs apt-get and manage.py with fixed arguments
"""The benchmark's cities (``bench/city.py``): the database ``parta_bench_<S>`` made, filled and
reused, the tools it needs (wrk, manage.py, psql-like statements) and the PostgreSQL settings
recorded with every run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from runs import log
from servers import ROOT, VENV

PYTHON = str(VENV / "python")


def scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def db_url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


# --- tools -------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package (apt-get install wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=False, env=env)
    found = shutil.which("wrk")
    if not found:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed; install it (apt-get install wrk) and run again.")
    return found


def database_exists(base_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(db_url(base_url, "postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(base_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(db_url(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement.encode())


def vacuum(url: str) -> float:
    """VACUUM ANALYZE the city's database; returns the seconds it took. The write scenarios of
    earlier runs leave dead rows (the outbox's delivered events, above all) that autovacuum would
    have cleared in production; where it is off (the machine's setting), they slowed every later
    run on a reused city."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.monotonic() - started


# The server settings the figures depend on: recorded with every run, since a city's server is
# tuned (docs/operator-guide.md) and a machine's default one is not.
POSTGRES_SETTINGS = (
    "server_version",
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "random_page_cost",
    "max_wal_size",
    "synchronous_commit",
    "autovacuum",
)


def postgres_settings(base_url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(db_url(base_url, "postgres"), autocommit=True) as conn:
        query = "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)"
        rows = conn.execute(query, [list(POSTGRES_SETTINGS)]).fetchall()
    found: dict[str, str] = dict(rows)
    return {name: found[name] for name in POSTGRES_SETTINGS if name in found}


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


# --- the city ----------------------------------------------------------------------------------


def build_city(
    scale: float, base_url: str, work: Path, env: dict[str, str], *, fresh: bool
) -> dict[str, Any]:
    name = f"parta_bench_{scale_tag(scale)}"
    city_report = work / "city.json"
    if not fresh and city_report.exists() and database_exists(base_url, name):
        log(f"S={scale:g}: reusing the city in database {name} (--fresh makes it again)")
        # Migrations added since the city was made (an index, say) must be measured too.
        manage(env, "migrate", "--verbosity", "0")
        log(f"S={scale:g}: VACUUM ANALYZE after earlier runs in {vacuum(env['DATABASE_URL']):.1f} s")
        reused: dict[str, Any] = json.loads(city_report.read_text())
        return reused
    city_report.unlink(missing_ok=True)
    log(f"S={scale:g}: creating database {name}")
    recreate_database(base_url, name)
    started = time.monotonic()
    manage(env, "migrate", "--verbosity", "0")
    migrate = time.monotonic() - started
    log(f"S={scale:g}: migrated in {migrate:.1f} s; generating the city")
    manage(env, "bench_city", "--scale", f"{scale:g}", "--report", str(city_report))
    data: dict[str, Any] = json.loads(city_report.read_text())
    data["seconds"]["migrate"] = round(migrate, 1)
    city_report.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return data
