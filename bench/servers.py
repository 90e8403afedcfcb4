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

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


class Servers:
    """gunicorn and a Celery worker (with beat), started and stopped by their own process ids."""

    def __init__(self, env: dict[str, str], work: Path, port: int, workers: int) -> None:
        self.env, self.work, self.port, self.workers = env, work, port, workers
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        logs = self.work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        celery = [
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
        gunicorn = [
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
            str(logs / "gunicorn.log"),
        ]
        for name, command in (("celery", celery), ("gunicorn", gunicorn)):
            out = (logs / f"{name}.out").open("ab")
            self.procs.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

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
            for proc in self.procs:
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
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = []
