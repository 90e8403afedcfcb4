"""A redis-server of a test's own, never the machine's: on a free port, with its files in a
directory of the test's, stopped and started again on the same port and files (a restart that
keeps what its append-only file holds)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    def __init__(self, directory: Path, *options: str) -> None:
        if not Path(REDIS_SERVER).exists():
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.directory, self.options, self.port = directory, options, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        where = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory), "--save", ""]
        self.process = subprocess.Popen(  # noqa: S603 - the machine's redis-server, our own options
            [REDIS_SERVER, *where, *self.options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): what the server acknowledged is in its files."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self.process = None


class RoundTrips:
    """Counts a Redis client's round trips: redis-py takes a connection from the pool for each
    command, and one for a whole pipeline."""

    def __init__(self, client: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        pool = client.connection_pool
        taken = pool.get_connection

        def get_connection(*args: object, **kwargs: object) -> object:
            self.count += 1
            return taken(*args, **kwargs)

        monkeypatch.setattr(pool, "get_connection", get_connection)
