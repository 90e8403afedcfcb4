# ruff: noqa: S603 — runs PostgreSQL's own programs (pg_basebackup, pg_ctl) with fixed arguments
"""A streaming read replica of the benchmark's PostgreSQL, on this machine (issue 22, item 6).

    .venv/bin/python bench/replica.py start     # base backup of the whole cluster, started on 5433
    .venv/bin/python bench/replica.py lag       # how far behind it is, measured on the primary
    .venv/bin/python bench/replica.py stop      # stopped, its directory removed

The benchmark's runs with a replica point ``PARTA_REPLICA_DATABASE_URL`` at it (``Replica.url``);
``parta/core/replicas.py`` decides which reads go there. Debian's packages: the programs of the
primary's major version in /usr/lib/postgresql/<major>/bin, the server running as the ``postgres``
OS user, trust authentication on 127.0.0.1. This runs as root (or as that user).

- **Replication allowed.** PostgreSQL accepts a replication connection only through a pg_hba.conf
  line naming ``replication`` ("all" does not cover it). ``start`` tries one; when it is refused it
  appends ``host replication all 127.0.0.1/32 trust`` to the primary's hba_file and reloads the
  server — as root, else it stops and says what to add.
- **Base backup.** ``pg_basebackup -R`` (standby.signal and primary_conninfo) copies the *whole
  cluster*, every database on it: the size is said first and the copy shows its progress. A city
  at S = 0.2 is about 20 GB. WAL is streamed during the copy and the checkpoint is taken at once
  (``--checkpoint=fast``); no replication slot is kept, so a replica left behind costs the primary
  no disk (one stopped for long cannot catch up: make it again).
- **Its own configuration.** The primary's settings from its configuration file (the replica
  should behave as it does, and a hot standby needs max_connections and the like at least as
  large), its own port, socket directory and pg_hba.conf.
- **Ready** once it accepts connections, is in recovery and the primary lists it as streaming.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_PRIMARY = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DIRECTORY = Path("/var/lib/postgresql/parta-bench-replica")
DEFAULT_PORT = 5433
OS_USER = "postgres"
# Its name on the primary (pg_stat_replication.application_name) and in ps.
NAME = "parta_bench_replica"
HBA_LINE = "host replication all 127.0.0.1/32 trust"
# The first line of the postgresql.conf written here: only a directory that has it is removed.
HEADER = "# Written by bench/replica.py: the primary's settings, then the replica's own."
# Settings of the primary's that are about where it is, not how it behaves.
NOT_COPIED = {
    "port",
    "listen_addresses",
    "unix_socket_directories",
    "cluster_name",
    "external_pid_file",
    "data_directory",
    "hba_file",
    "ident_file",
    "config_file",
    "hot_standby",
}
# A hot standby refuses to start with less of these than the primary has.
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "max_wal_senders",
    "max_worker_processes",
)


def log(message: str) -> None:
    print(f"[replica {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


@dataclass(frozen=True)
class Lag:
    """How far the replica is behind, measured on the primary (``pg_stat_replication``).

    ``bytes`` is the primary's WAL position less what the replica has replayed; ``sent_bytes``
    what was sent but not yet replayed. The times are PostgreSQL's own estimates of how long the
    latest WAL took to be written, flushed and replayed there; they are None once the replica has
    caught up and nothing new came (then ``bytes`` is 0)."""

    state: str
    bytes: int
    sent_bytes: int
    write_seconds: float | None
    flush_seconds: float | None
    replay_seconds: float | None


class Replica:
    def __init__(
        self,
        primary_url: str = DEFAULT_PRIMARY,
        directory: Path = DEFAULT_DIRECTORY,
        port: int = DEFAULT_PORT,
    ) -> None:
        self.primary_url, self.directory, self.port = primary_url.rstrip("/"), directory, port

    @property
    def url(self) -> str:
        """The primary's URL (with its database, if it names one) on the replica's port."""
        parts = urlsplit(self.primary_url)
        user = f"{parts.username}@" if parts.username else ""
        return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{self.port}"))

    def database_url(self, name: str) -> str:
        """A database on the replica: what PARTA_REPLICA_DATABASE_URL is set to."""
        return _database(self.url, name)

    # --- commands run as PostgreSQL's OS user --------------------------------------------------

    def _bin(self, program: str) -> str:
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            row = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()
        assert row is not None
        found = Path(f"/usr/lib/postgresql/{row[0]}/bin") / program
        if not found.exists():
            raise SystemExit(f"{found} is missing: install PostgreSQL {row[0]}'s server package.")
        return str(found)

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(_as_os_user(list(command)), check=True)

    # --- start -----------------------------------------------------------------------------

    def start(self) -> None:
        """A base backup of the primary's cluster, started as a hot standby on ``port``; returns
        once the primary lists it as streaming. A replica left in the directory is stopped and
        removed first."""
        self.stop()
        allow_replication(self.primary_url)
        self._check_space()
        started = time.monotonic()
        self._as_postgres(
            self._bin("pg_basebackup"),
            "--pgdata",
            str(self.directory),
            "--dbname",
            f"{_conninfo(self.primary_url)} application_name={NAME}",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--progress",
        )
        log(f"base backup made in {time.monotonic() - started:.0f} s")
        self._configure()
        self._as_postgres(
            self._bin("pg_ctl"),
            "start",
            "--pgdata",
            str(self.directory),
            "--log",
            str(self.directory / "replica.log"),
            "--wait",
            "--timeout",
            "600",
        )
        self._wait_streaming()
        log(f"replica streaming on port {self.port} ({time.monotonic() - started:.0f} s in all)")

    def _check_space(self) -> None:
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT datname, pg_database_size(oid) FROM pg_database ORDER BY 2 DESC"
            ).fetchall()
        total = sum(size for _name, size in rows)
        free = shutil.disk_usage(self.directory.parent).free
        largest = ", ".join(f"{name} {gib(size)}" for name, size in rows[:3])
        log(f"copying the whole cluster: {gib(total)} (largest: {largest}); {gib(free)} free")
        if total * 1.1 > free:
            raise SystemExit(f"not enough disk for the replica in {self.directory.parent}")

    def _configure(self) -> None:
        """The replica's own postgresql.conf and pg_hba.conf (replacing any the copy brought)."""
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings"
                " WHERE (source = 'configuration file' OR name = ANY(%s))"
                " AND name <> ALL(%s) AND name NOT LIKE 'ssl%%' ORDER BY name",
                [list(AT_LEAST_PRIMARY), sorted(NOT_COPIED)],
            ).fetchall()
        lines = [
            HEADER,
            *(f"{name} = '{value.replace(chr(39), chr(39) * 2)}'" for name, value in rows),
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.directory}'",
            f"cluster_name = '{NAME}'",
            "hot_standby = on",
        ]
        _write_as_os_user(self.directory / "postgresql.conf", "\n".join(lines) + "\n")
        _write_as_os_user(
            self.directory / "pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )

    def _wait_streaming(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
                    row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if not (row and row[0]):
                    raise SystemExit(f"the server on port {self.port} is not in recovery: not a replica")
                state = self.lag().state
            except psycopg.OperationalError as error:
                state = str(error).strip()
            if state == "streaming":
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"the replica is not streaming ({state}); see {self.directory}/replica.log")
            time.sleep(0.2)

    # --- lag, stop -------------------------------------------------------------------------

    def lag(self) -> Lag:
        """The replica's lag as the primary sees it; state "absent" when it is not connected."""
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,"
                " pg_wal_lsn_diff(sent_lsn, replay_lsn)::bigint, extract(epoch FROM write_lag)::float,"
                " extract(epoch FROM flush_lag)::float, extract(epoch FROM replay_lag)::float"
                " FROM pg_stat_replication WHERE application_name = %s",
                [NAME],
            ).fetchone()
        if row is None:
            return Lag("absent", 0, 0, None, None, None)
        state, behind, sent, write, flush, replay = row
        return Lag(state, behind or 0, sent or 0, write, flush, replay)

    def stop(self) -> None:
        """Stops the replica (if it runs) and removes its directory — only one this module made."""
        if not self.directory.exists():
            return
        conf = self.directory / "postgresql.conf"
        if not (conf.exists() and conf.read_text().startswith(HEADER)):
            raise SystemExit(
                f"{self.directory} is not a replica made by bench/replica.py: remove it yourself"
            )
        pg_ctl = self._bin("pg_ctl")
        status = _as_os_user([pg_ctl, "status", "--pgdata", str(self.directory)])
        running = subprocess.run(status, check=False, stdout=subprocess.DEVNULL)
        if running.returncode == 0:
            self._as_postgres(pg_ctl, "stop", "--pgdata", str(self.directory), "--mode", "fast")
            log(f"replica on port {self.port} stopped")
        shutil.rmtree(self.directory)
        log(f"{self.directory} removed")


# --- the primary's pg_hba.conf ---------------------------------------------------------------


def _replication_refused(primary_url: str) -> str | None:
    """Why a replication connection to the primary is refused, or None when it is accepted."""
    try:
        psycopg.connect(primary_url, replication="true").close()
    except psycopg.OperationalError as error:
        if "pg_hba.conf" not in str(error):
            raise
        return str(error).strip()
    return None


def allow_replication(primary_url: str) -> None:
    """Makes sure the primary accepts replication connections from 127.0.0.1: when it refuses one,
    adds ``HBA_LINE`` to its pg_hba.conf and reloads it (as root or its OS user)."""
    refused = _replication_refused(primary_url)
    if refused is None:
        return
    with psycopg.connect(primary_url, autocommit=True) as conn:
        row = conn.execute("SHOW hba_file").fetchone()
    assert row is not None
    hba = Path(row[0])
    log(f"{refused}: adding '{HBA_LINE}' to {hba}")
    try:
        with hba.open("a") as file:
            file.write(f"\n# The benchmark's read replica (bench/replica.py).\n{HBA_LINE}\n")
    except PermissionError as error:
        raise SystemExit(
            f"PostgreSQL refuses replication connections ({refused}). As root, add the line\n"
            f"    {HBA_LINE}\nto {hba} and reload the server (SELECT pg_reload_conf()), then run again."
        ) from error
    with psycopg.connect(primary_url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while (refused := _replication_refused(primary_url)) is not None:
        if time.monotonic() > deadline:
            raise SystemExit(f"still refused after adding the line to {hba}: {refused}")
        time.sleep(0.2)


# --- helpers ----------------------------------------------------------------------------------


def _as_os_user(command: list[str]) -> list[str]:
    if pwd.getpwuid(os.geteuid()).pw_name == OS_USER:
        return command
    if os.geteuid() != 0:
        raise SystemExit(f"run as root (or as {OS_USER}): PostgreSQL's programs run as {OS_USER}")
    return ["runuser", "-u", OS_USER, "--", *command]


def _write_as_os_user(path: Path, text: str) -> None:
    path.write_text(text)
    if os.geteuid() == 0:
        user = pwd.getpwnam(OS_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(0o600)


def _conninfo(url: str) -> str:
    """A URL as libpq keywords (pg_basebackup's --dbname takes either, but the keywords can be
    extended by appending)."""
    parts = urlsplit(url)
    words = {"host": parts.hostname, "port": parts.port, "user": parts.username, "password": parts.password}
    return " ".join(f"{key}={value}" for key, value in words.items() if value)


def _database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "lag", "stop"])
    parser.add_argument("--primary", default=os.environ.get("PARTA_BENCH_DATABASE", DEFAULT_PRIMARY))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args()
    replica = Replica(args.primary, args.dir, args.port)
    if args.command == "start":
        replica.start()
        print(replica.url)
    elif args.command == "lag":
        print(replica.lag())
    else:
        replica.stop()


if __name__ == "__main__":
    main()
