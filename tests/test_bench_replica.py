"""The benchmark's read replica (bench/replica.py) and the router's lag guard against a real standby.

A throwaway primary is made with initdb on a free port (not the machine's cluster, whose copy would
take minutes), without the pg_hba.conf line replication needs; ``Replica`` adds it, copies the
cluster and starts the standby. Then, in a process of its own with the primary and the standby as
its databases, ``parta.core.replicas`` sends an offloaded read to the standby while it has caught
up, to the primary while it is behind or lags more than PARTA_REPLICA_MAX_LAG_SECONDS, and again
to the standby once it has replayed — and to the primary when it is gone. Needs root (PostgreSQL's
programs run as its OS user) and Debian's PostgreSQL server package; a few seconds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_replica", ROOT / "bench" / "replica.py")
assert _spec is not None and _spec.loader is not None
replica = sys.modules["bench_replica"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replica)
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not BINARIES, reason="needs root and PostgreSQL's server programs"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def as_postgres(*command: str) -> None:
    subprocess.run([RUNUSER, "-u", "postgres", "--", *command], check=True, capture_output=True)  # noqa: S603


@pytest.fixture
def primary() -> Iterator[tuple[str, Path]]:
    """A new cluster's URL and the directory to put its standby in."""
    work = Path(tempfile.mkdtemp(prefix="parta-replica-test-"))
    shutil.chown(work, "postgres", "postgres")
    data, port, bin_dir = work / "primary", free_port(), BINARIES[-1].parent
    as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    hba = data / "pg_hba.conf"
    hba.write_text("".join(line for line in hba.read_text().splitlines(True) if "replication" not in line))
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n")
    as_postgres(str(bin_dir / "pg_ctl"), "start", "-D", str(data), "-l", str(work / "primary.log"), "-w")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", work / "replica"
    finally:
        as_postgres(str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate")
        shutil.rmtree(work)


def wait_for(read: Any, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


# What the router does in a process whose replica is the standby: the alias each step's read went
# to, and the lag it measured.
GUARD = """
import json, subprocess, sys, time
import django, psycopg
django.setup()
from django.db import router
from parta.accounts.models import User
from parta.core import replicas

replicas.CHECK_SECONDS = 0.2
standby_url, primary_url, stop = sys.argv[1], sys.argv[2], sys.argv[3:]
seen = {}

def step(name):
    seen[name] = [replicas.offload(lambda: router.db_for_read(User)), replicas._health.lag_seconds]

step("caught_up")
with psycopg.connect(standby_url, autocommit=True) as standby:
    standby.execute("SELECT pg_wal_replay_pause()")
    with psycopg.connect(primary_url, autocommit=True) as primary:
        primary.execute("INSERT INTO probe VALUES (2)")
    step("behind")
    time.sleep(1.5)
    step("lagging")
    standby.execute("SELECT pg_wal_replay_resume()")
time.sleep(0.5)
step("replayed")
subprocess.run(stop, check=True, capture_output=True)
time.sleep(0.3)
step("gone")
print(json.dumps(seen))
"""


def test_a_standby_is_made_streams_and_is_read_only_while_it_keeps_up(primary: tuple[str, Path]) -> None:
    url, directory = primary
    standby = replica.Replica(url, directory, free_port())
    standby.start()
    try:
        assert replica.HBA_LINE in Path(_show(url, "hba_file")).read_text()
        assert standby.lag().state == "streaming"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE probe (n int)")
            conn.execute("INSERT INTO probe VALUES (1)")
        with psycopg.connect(standby.database_url("postgres"), autocommit=True) as conn:
            assert wait_for(lambda: _rows(conn)) == [(1,)]
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        lag = wait_for(lambda: (found := standby.lag()).bytes == 0 and found)
        assert lag.state == "streaming" and lag.sent_bytes == 0

        pg_ctl = str(BINARIES[-1].parent / "pg_ctl")
        stop = [RUNUSER, "-u", "postgres", "--", pg_ctl, "stop", "-D", str(directory), "-m", "immediate"]
        env = {
            "PATH": "/usr/bin:/bin",
            "PARTA_DEBUG": "1",
            "PARTA_DATA_DIR": str(directory.parent),
            "DJANGO_SETTINGS_MODULE": "parta.settings",
            "DATABASE_URL": url,
            "PARTA_REPLICA_DATABASE_URL": standby.database_url("postgres"),
            "PARTA_REPLICA_MAX_LAG_SECONDS": "1",
        }
        result = subprocess.run(  # noqa: S603 — our own interpreter
            [sys.executable, "-c", GUARD, standby.database_url("postgres"), url, *stop],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        seen = json.loads(result.stdout)
        assert seen["caught_up"] == ["replica", 0]
        # Not replayed within the wait: the primary, though the lag last measured was small.
        assert seen["behind"] == ["default", 0]
        where, lag_seconds = seen["lagging"]
        assert where == "default" and lag_seconds > 1
        assert seen["replayed"] == ["replica", 0]
        assert seen["gone"] == ["default", None]
    finally:
        standby.stop()
    assert not directory.exists()


def _show(url: str, name: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f"SHOW {name}").fetchone()
    assert row is not None
    return str(row[0])


def _rows(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    try:
        return conn.execute("SELECT n FROM probe").fetchall()
    except psycopg.errors.UndefinedTable:
        return []
