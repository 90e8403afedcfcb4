# ruff: noqa: S603 — runs local processes (gunicorn, granian, celery) with fixed arguments
"""The web server (gunicorn's sync or gthread workers, or granian) and a Celery worker (with beat)
for the benchmark (``bench/city.py``): started in their own process groups with the city's
environment, waited for, and stopped."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


# What the web server's access log writes of a request, when it keeps one (``Servers.access_log``):
# the benchmark's kind header, the status and the time the request took in the server's Python,
# which ``report.kind_figures`` reads — gunicorn's in microseconds, granian's in milliseconds.
ACCESS_LOG_FORMAT = "%({x-bench-kind}i)s %(s)s %(D)s"
GRANIAN_ACCESS_LOG_FORMAT = "%(header{x-bench-kind})s %(status)d %(dt_ms).3fms"
SERVER_KINDS = ("sync", "gthread", "granian")


@dataclass(frozen=True)
class WebServer:
    """A web server and its size: gunicorn's ``sync`` workers, gunicorn's ``gthread`` workers with
    ``threads`` threads each, or ``granian``'s workers with ``threads`` blocking threads each (the
    Python threads that run the WSGI app). Written ``sync:5``, ``gthread:2x8``, ``granian:2x4``."""

    kind: str
    workers: int
    threads: int = 1

    def __post_init__(self) -> None:
        if self.kind not in SERVER_KINDS:
            raise ValueError(f"unknown server {self.kind!r} (one of {', '.join(SERVER_KINDS)})")
        if self.workers < 1 or self.threads < 1:
            raise ValueError(f"{self.key}: workers and threads must be at least 1")
        if self.kind == "sync" and self.threads != 1:
            # gunicorn would quietly run such workers as gthread.
            raise ValueError(
                f"{self.key}: sync workers have no threads (gthread:{self.workers}x{self.threads})"
            )

    @classmethod
    def parse(cls, text: str) -> WebServer:
        """``kind:workers`` or ``kind:workersxthreads``."""
        found = re.fullmatch(r"\s*(\w+):(\d+)(?:x(\d+))?\s*", text)
        if not found:
            raise ValueError(f"{text!r}: a server is written kind:workers or kind:workersxthreads")
        kind, workers, threads = found.groups()
        return cls(kind, int(workers), int(threads or 1))

    @classmethod
    def default(cls, kind: str, cpus: int) -> WebServer:
        """The size ``deploy/run web`` and the operator guide give a machine of ``cpus`` cores
        (measured on two: docs/performance.md)."""
        return cls(kind, *DEFAULT_SIZES[kind](cpus))

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.workers}" + (f"x{self.threads}" if self.kind != "sync" else "")

    @property
    def concurrency(self) -> int:
        """Requests it runs at once."""
        return self.workers * self.threads

    def describe(self) -> str:
        def many(count: int, word: str) -> str:
            return f"{count} {word}" + ("" if count == 1 else "s")

        if self.kind == "sync":
            return f"gunicorn {many(self.workers, 'sync worker')}"
        if self.kind == "gthread":
            return f"gunicorn {many(self.workers, 'gthread worker')} × {many(self.threads, 'thread')}"
        return f"granian {many(self.workers, 'worker')} × {many(self.threads, 'blocking thread')}"

    def command(self, port: int, logs: Path, access_log: Path | None) -> list[str]:
        if self.kind == "granian":
            return [
                str(VENV / "granian"),
                "--interface",
                "wsgi",
                "parta.wsgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                str(self.threads),
                # No --backpressure: it limits the connections a worker holds, not its requests,
                # and a kept-alive connection beyond it is never served (tried with wrk).
                "--backlog",
                "2048",
                "--no-ws",
                "--log-level",
                "warning",
                *(
                    [
                        *("--access-log", "--access-log-fmt", GRANIAN_ACCESS_LOG_FORMAT),
                        *("--log-config", str(granian_log_config(logs, access_log))),
                    ]
                    if access_log
                    else []
                ),
            ]
        return [
            str(VENV / "gunicorn"),
            "parta.wsgi:application",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.kind,
            *(["--threads", str(self.threads)] if self.kind == "gthread" else []),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--error-logfile",
            str(logs / "gunicorn.log"),
            *(
                ["--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT]
                if access_log
                else []
            ),
        ]


# Workers and threads per kind for a machine of N cores: the best of each measured on two cores
# (sync 3 of 3/5/8; gthread 2×4 of 2×4/3×8/5×4; granian 2×4 of 2×4/3×2/5×1: docs/performance.md,
# *The web server*), scaled with the cores. granian's is deploy/run web's.
DEFAULT_SIZES: dict[str, Callable[[int], tuple[int, int]]] = {
    "sync": lambda cpus: (cpus + 1, 1),
    "gthread": lambda cpus: (cpus, 4),
    "granian": lambda cpus: (cpus, 4),
}


def parse_servers(text: str) -> list[WebServer]:
    """``--servers``: ``sync:5,gthread:2x8,granian:3x2``, each once."""
    servers = [WebServer.parse(part) for part in text.split(",") if part.strip()]
    keys = [web.key for web in servers]
    if not servers or len(set(keys)) != len(keys):
        raise ValueError(f"--servers {text!r}: name each server once")
    return servers


def granian_log_config(logs: Path, access_log: Path) -> Path:
    """granian's logging configuration (``--log-config``) with its access log in ``access_log``
    and everything else in its standard output; returns the file's path."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "generic": {"()": "logging.Formatter", "fmt": "[%(levelname)s] %(message)s"},
            "access": {"()": "logging.Formatter", "fmt": "%(message)s"},
        },
        "handlers": {
            "console": {
                "formatter": "generic",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
            "access": {"formatter": "access", "class": "logging.FileHandler", "filename": str(access_log)},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
    path = logs / "granian-logging.json"
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


class Servers:
    """The web server and a Celery worker (with beat), started and stopped by their own process ids."""

    def __init__(self, env: dict[str, str], work: Path, port: int, web: WebServer | int) -> None:
        """``web``: the web server, or a number of gunicorn sync workers."""
        self.env, self.work, self.port = env, work, port
        self.web = web if isinstance(web, WebServer) else WebServer("sync", web)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        # Off unless a scenario asks for it (``restart_web``): a line costs the worker ~15 µs.
        self.access_log: Path | None = None

    def start(self) -> None:
        for name in ("celery", "web"):
            self.start_one(name)

    def command(self, name: str) -> list[str]:
        if name == "celery":
            return [
                str(VENV / "celery"),
                "-A",
                "parta",
                "worker",
                "-B",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.work / "celerybeat-schedule"),
            ]
        return self.web.command(self.port, self.work / "logs", self.access_log)

    def start_one(self, name: str) -> None:
        logs = self.work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        out = (logs / f"{name}.out").open("ab")
        self.procs[name] = subprocess.Popen(
            self.command(name),
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def cpu_seconds(self) -> dict[tuple[str, int], float]:
        """CPU seconds used so far by each process of the web server's tree, the Celery worker's,
        PostgreSQL and Redis (by part and process id), and by the benchmark's finished children
        (wrk, as process 0), from /proc: :func:`cores_used` of two samples is where a run's cores went."""
        table = _processes()
        roots = {name: proc.pid for name, proc in self.procs.items()}
        parents = {pid: ppid for pid, (_comm, ppid, _cpu) in table.items()}

        def under(pid: int) -> str | None:
            while pid > 1:
                for name, root in roots.items():
                    if pid == root:
                        return name
                pid = parents.get(pid, 0)
            return None

        found: dict[tuple[str, int], float] = {}
        for pid, (comm, _ppid, cpu) in table.items():
            part = under(pid) or {"postgres": "postgres", "redis-server": "redis"}.get(comm)
            if part is not None:
                found[(part, pid)] = cpu
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        found[("wrk", 0)] = children.ru_utime + children.ru_stime
        return found

    def restart_web(self, ready_line: str, access_log: Path | None) -> None:
        """The web server again, keeping an access log in ``access_log`` (emptied first) or none."""
        proc = self.procs.pop("web")
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        self.access_log = access_log
        if access_log:
            access_log.write_bytes(b"")
        self.start_one("web")
        self.wait_ready(ready_line)

    def kill(self, name: str) -> None:
        """SIGKILL the process and its children, as a crash or the OOM killer would: nothing is
        shut down cleanly (the fault run, ``bench/faults.py``)."""
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _request(self, token_line: str) -> tuple[str, urllib.request.Request]:
        """A request file's line (``METHOD PATH TOKEN BODY``) as a GET to this server."""
        _method, path, token, _body = token_line.rstrip("\n").split("\t")
        headers = {"Authorization": f"Bearer {token}"}
        return path, urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)

    def wait_ready(self, token_line: str, timeout: float = 60) -> None:
        path, request = self._request(token_line)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — our own server
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.web.key} did not answer {path}: {error}") from error
            for proc in self.procs.values():
                if proc.poll() is not None:
                    raise SystemExit(f"{proc.args!r} exited ({proc.returncode}); see {self.work / 'logs'}")
            time.sleep(0.5)

    def settle(self, token_line: str, timeout: float = 60) -> None:
        """Wait until the server has finished what an earlier run left queued: a ping answers fast."""
        _path, request = self._request(token_line)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    response.read()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() - started < 0.25:
                return
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = {}


def cores_used(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> dict[str, float]:
    """CPU seconds per part between two samples of ``Servers.cpu_seconds``. A process that ended
    meanwhile (a database connection closed at its age limit) takes its time with it: a part's
    figure is at most a little short, never negative."""
    used = dict.fromkeys(("web", "celery", "postgres", "redis", "wrk"), 0.0)
    for (part, pid), cpu in after.items():
        used[part] += cpu - before.get((part, pid), 0.0)
    return used


def _processes() -> dict[int, tuple[str, int, float]]:
    """Every process: its command name, parent and CPU seconds (user + system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[str, int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return table


def broker_url(redis_url: str) -> str:
    """The Redis database after the cache's (redis://host:port/13 → …/14)."""
    base, _, number = redis_url.rstrip("/").rpartition("/")
    return f"{base}/{int(number) + 1}" if number.isdigit() else f"{redis_url.rstrip('/')}/1"


def outbox_delivered(url: str, limit_s: float) -> dict[str, Any]:
    """After the load: the outbox events the worker had still to deliver, and how long it took
    (up to ``limit_s``) until none was left: whether one worker keeps up with the writes."""
    import psycopg

    # Events that failed MAX_ATTEMPTS times wait for a person and are not counted.
    query = "SELECT count(*) FROM outbox_outboxevent WHERE delivered_at IS NULL AND attempts < 20"
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        pending = first = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
        while pending and time.monotonic() - started < limit_s:
            time.sleep(1)
            pending = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return {
        "pending_after_load": first,
        "pending_at_end": pending,
        "seconds": round(time.monotonic() - started, 1),
    }
