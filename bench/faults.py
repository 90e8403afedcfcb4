# ruff: noqa: S603 — runs local processes (manage.py) with fixed arguments
"""The morning burst with its failures (``passage_faults``): turnstiles post their batches while the
Celery worker and Redis are killed and started again mid-burst; afterwards every event is counted.

The run has servers and a Redis of its own (``parta.testing.redis_server``: the machine's Redis is
never killed): gunicorn and a Celery worker with beat whose cache and broker are that Redis. The
turnstiles are threads that behave as the devices do: a batch whose answer did not come (a
connection refused or reset, a 5xx) is sent again after a pause until it is accepted, and when the
burst is over every batch is sent once more, as a device does that lost its answers. When a third
of the events are in, the worker (with its beat) and Redis are killed with SIGKILL; they start
again after ``down_s``. Then the benchmark waits until the outbox is empty and counts, in the
database (``manage.py passage_bench``): events sent but not stored (lost), stored twice (doubled),
outbox rows and notifications made twice for one passage and guardian. The target is 0 of each.
"""

from __future__ import annotations

import http.client
import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from servers import ROOT, Servers, broker_url, outbox_delivered

from parta.testing.redis_server import RedisServer

PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Answers a device takes as "not received": it keeps the batch and sends it again.
RETRY_PAUSE_S = 0.5


def _events(line: str) -> int:
    return len(json.loads(line.split("\t")[3])["events"])


class Turnstiles:
    """``devices`` threads sending the lines' batches, each until it is accepted (200)."""

    def __init__(self, port: int, lines: list[str], devices: int) -> None:
        self.port, self.lines, self.devices = port, lines, devices
        self.accepted_events = 0
        self.retries = 0
        self.refused: list[str] = []  # a 4xx other than 429: the batch itself is wrong
        self._lock = threading.Lock()

    def _post(self, conn: http.client.HTTPConnection, line: str) -> tuple[int, bytes]:
        _method, path, token, body = line.rstrip("\n").split("\t")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            conn.request("POST", path, body=body.encode(), headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            conn.close()  # reconnects on the next request
            return 0, b""

    def _device(self, batches: queue.SimpleQueue[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while True:
            try:
                line = batches.get_nowait()
            except queue.Empty:
                conn.close()
                return
            while True:
                status, body = self._post(conn, line)
                if status == 200:
                    with self._lock:
                        self.accepted_events += int(json.loads(body)["accepted"])
                    break
                if 400 <= status < 500 and status != 429:
                    with self._lock:
                        self.refused.append(f"{status} {body[:200]!r}")
                    break
                with self._lock:
                    self.retries += 1
                time.sleep(RETRY_PAUSE_S)

    def send(self) -> float:
        """Send every line; the seconds it took."""
        batches: queue.SimpleQueue[str] = queue.SimpleQueue()
        for line in self.lines:
            batches.put(line)
        started = time.monotonic()
        threads = [threading.Thread(target=self._device, args=(batches,)) for _ in range(self.devices)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def _break_and_mend(
    servers: Servers, redis: RedisServer, devices: Turnstiles, *, at_events: int, down_s: float, log: Any
) -> dict[str, float]:
    """When ``at_events`` are accepted: kill the worker (with its beat) and Redis, start them again
    ``down_s`` later. Returns when (seconds into the burst) each happened."""
    started = time.monotonic()
    while devices.accepted_events < at_events:
        time.sleep(0.05)
    killed = time.monotonic() - started
    servers.kill("celery")
    assert redis.process is not None
    redis.process.kill()
    redis.process.wait()
    log(f"passage_faults: worker and Redis killed at {killed:.1f} s ({devices.accepted_events:,} events in)")
    time.sleep(down_s)
    redis.start()
    servers.start_one("celery")
    back = time.monotonic()
    log(f"passage_faults: Redis and the worker started again at {back - started:.1f} s")
    return {"killed_at_s": round(killed, 1), "back_at_s": round(back - started, 1), "back_at": back}


def passage_faults(
    env: dict[str, str],
    work: Path,
    lines: list[str],
    *,
    ready_line: str,
    port: int,
    workers: int,
    devices: int,
    down_s: float,
    deliver_within_s: float,
    log: Any,
) -> dict[str, Any]:
    """The run: its own Redis and servers, the burst with the failure, the count afterwards."""
    (work / "fault-redis").mkdir(parents=True, exist_ok=True)
    redis = RedisServer(work / "fault-redis", "--appendonly", "no")
    redis.start()
    mine = {**env, "REDIS_URL": redis.url, "PARTA_BROKER_URL": broker_url(redis.url)}
    servers = Servers(mine, work / "faults", port, workers)
    sent = sum(_events(line) for line in lines)
    try:
        servers.start()
        servers.wait_ready(ready_line)
        turnstiles = Turnstiles(port, lines, devices)
        fault: dict[str, float] = {}
        breaker = threading.Thread(
            target=lambda: fault.update(
                _break_and_mend(servers, redis, turnstiles, at_events=sent // 3, down_s=down_s, log=log)
            )
        )
        breaker.start()
        seconds = turnstiles.send()
        breaker.join()
        log(f"passage_faults: {sent:,} events in {seconds:.1f} s, {turnstiles.retries} batches sent again")
        # Every batch once more, as a device that lost its answers: nothing may be stored twice.
        again = Turnstiles(port, lines, devices)
        again.send()
        delivery = outbox_delivered(mine["DATABASE_URL"], deliver_within_s)
        # From the worker's and Redis's return until the outbox was empty.
        delivery["seconds_after_back"] = round(time.monotonic() - fault.pop("back_at"), 1)
        log(
            f"passage_faults: {delivery['pending_after_load']:,} outbox events waiting, "
            f"{delivery['pending_at_end']:,} after {delivery['seconds']} s"
        )
    finally:
        servers.stop()
        redis.stop()
    counted = subprocess.run(
        [PYTHON, "manage.py", "passage_bench", "--run", lines_run(lines), "--sent", str(sent)],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    check: dict[str, Any] = (
        json.loads(counted.stdout) if counted.stdout.strip() else {"error": counted.stderr}
    )
    return {
        "batches": len(lines),
        "events": sent,
        "devices": devices,
        "seconds": round(seconds, 1),
        "events_per_s": round(sent / seconds, 1) if seconds else 0.0,
        "batches_sent_again": turnstiles.retries,
        "batches_refused": turnstiles.refused[:10],
        "resent_all_accepted": again.retries == 0 and not again.refused,
        "down_s": down_s,
        **fault,
        "outbox": delivery,
        "check": check,
        "ok": bool(check.get("ok")) and not turnstiles.refused and delivery["pending_at_end"] == 0,
    }


def lines_run(lines: list[str]) -> str:
    """The run's prefix of the event ids (``<run>-<device>-<n>``, ``parta.passage.bench``)."""
    first = json.loads(lines[0].split("\t")[3])["events"][0]["event_id"]
    return str(first).split("-", 1)[0]
