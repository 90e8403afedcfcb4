# ruff: noqa: S603 — runs local processes (gunicorn, celery) with fixed arguments
"""gunicorn and a Celery worker (with beat) for the benchmark (``bench/city.py``): started in
their own process groups with the city's environment, waited for, and stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


class Servers:
    """gunicorn and a Celery worker (with beat), started and stopped by their own process ids."""

    def __init__(self, env: dict[str, str], work: Path, port: int, workers: int) -> None:
        self.env, self.work, self.port, self.workers = env, work, port, workers
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        for name in ("celery", "gunicorn"):
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
        return [
            str(VENV / "gunicorn"),
            "parta.wsgi:application",
            "--preload",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.work / "logs" / "gunicorn.log"),
        ]

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
                    raise SystemExit(f"gunicorn did not answer {path}: {error}") from error
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
