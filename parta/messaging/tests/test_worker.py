"""The real thing: a Celery worker process (with its beat) against a Redis broker of our own.

1. The broker is down: a teacher's mark is saved all the same (the request does not fail); its
   outbox row stays pending and nobody is told yet.
2. The broker comes up and the worker starts: the beat's sweeper delivers the pending event and
   the family's notifications appear.
3. With the worker running, the next mark is delivered through the broker within seconds.
4. Redis killed under writes and started again: the worker and the beat (separate processes, as
   in production) carry on by themselves and deliver every event once (parta/core/broker.py).

The worker is another process, so it must see the test database: PostgreSQL's test database, or
on SQLite a file (the root conftest makes the test database a file when worker tests run).
The machine's own Redis is left alone: this test starts and stops a redis-server of its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from parta.messaging.models import Notification
from parta.outbox.models import OutboxEvent
from parta.testing.world import World

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url() -> str:
    """The URL of the test database as the subprocesses must see it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the test database is in memory; a worker process cannot see it")
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (apt-get install redis-server): no real worker test")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PARTA_", "REDIS_URL", "CELERY"))}
    redis = f"redis://127.0.0.1:{free_port()}/0"
    environ |= {
        "DJANGO_SETTINGS_MODULE": "parta.settings",
        "PARTA_SECRET_KEY": "parta-worker-test-only-" + "x" * 40,
        "DATABASE_URL": database_url(),
        # As in production: Redis is the broker and the shared cache (writers share one wake-up).
        "REDIS_URL": redis,
        "PARTA_BROKER_URL": redis,
        "PARTA_TASKS_EAGER": "0",
        "PARTA_OUTBOX_SWEEP_SECONDS": "1",
        "PARTA_DATA_DIR": str(tmp_path),
        "PARTA_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    return environ


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    # The worker first (a warm shutdown), then the broker.
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def write_mark(world: World, env: dict[str, str], value: int) -> subprocess.CompletedProcess[str]:
    """A teacher's mark, written by another process through the journal's service (or, before it
    exists, an outbox event written directly in a transaction)."""
    a = world.a
    script = f"""
from parta.accounts.models import User
try:
    from parta.journal.services import mark_create
except ImportError:
    from django.db import transaction
    from parta.outbox.services import emit
    with transaction.atomic():
        emit("journal.mark", {{"mark_id": 0, "student_id": {a.student.pk}, "lesson_id": {a.lesson.pk},
             "subject_id": {a.lesson.subject_id}, "date": "2026-09-07", "value": {value}, "old_value": None,
             "weight": 1, "control_form_id": None, "change": "created", "actor_id": {a.subject_teacher.pk}}},
             school_id={a.school.pk})
else:
    mark_create(User.objects.get(pk={a.subject_teacher.pk}), lesson_id={a.lesson.pk},
                student_id={a.student.pk}, value={value})
print("saved")
"""
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_for(condition: Callable[[], bool], seconds: float, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out after {seconds} s; worker log:\n{logs.read_text(errors='replace')[-6000:]}")


def told(world: World, value: int) -> set[int]:
    return set(
        Notification.objects.filter(kind="mark", payload__value=value).values_list("recipient_id", flat=True)
    )


def test_nothing_is_lost_while_the_broker_is_down_and_the_worker_delivers(
    world: World, env: dict[str, str], processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    family = {world.a.student.pk, world.a.parent.pk}
    port = env["PARTA_BROKER_URL"].rsplit(":", 1)[1].split("/")[0]

    # 1. Broker down: the write succeeds, the event waits.
    started = time.monotonic()
    result = write_mark(world, env, 5)
    assert result.returncode == 0, result.stderr
    assert "saved" in result.stdout
    assert "could not publish event" in result.stderr
    assert time.monotonic() - started < 60
    event = OutboxEvent.objects.get()
    assert event.delivered_at is None
    assert not Notification.objects.exists()

    # 2. Broker and worker (with beat) up: the sweeper delivers the waiting event.
    redis = subprocess.Popen(  # noqa: S603
        [REDIS_SERVER, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    logs = tmp_path / "worker.log"
    with logs.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "parta",
                "worker",
                "-B",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    processes += [worker, redis]
    wait_for(lambda: told(world, 5) == family, 90, logs)
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert event.attempts == 1
    assert not told(world, 5) & {world.b.parent.pk, world.a.sibling.pk, world.a.subject_teacher.pk}

    # 3. With the broker up, the next mark wakes the worker, which drains the outbox at once.
    result = write_mark(world, env, 4)
    assert result.returncode == 0, result.stderr
    assert "could not publish" not in result.stderr
    wait_for(lambda: told(world, 4) == family, 30, logs)
    assert "outbox.drain" in logs.read_text(errors="replace")
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 0
    assert Notification.objects.count() == 4  # each event once per recipient, however it was delivered
    assert worker.poll() is None, logs.read_text(errors="replace")[-4000:]
    _: Any = None


def start_redis(port: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [REDIS_SERVER, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def deploy_run(env: dict[str, str], log: Path, process: str) -> subprocess.Popen[bytes]:
    """The worker or the beat, started as the systemd units start them (deploy/run)."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [str(ROOT / "deploy" / "run"), process],
            cwd=ROOT,
            env=env | {"PARTA_VENV": sys.prefix},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def write_marks(world: World, env: dict[str, str], count: int, pause: float) -> subprocess.Popen[str]:
    """A teacher writing ``count`` marks, one every ``pause`` seconds, in another process."""
    a = world.a
    script = f"""
import time
from parta.accounts.models import User
from parta.journal.services import mark_create
from parta.outbox.tasks import deliver_task
# A retry the worker holds unacknowledged until its time comes, as after a failed delivery.
deliver_task.apply_async((0,), countdown=30)
teacher = User.objects.get(pk={a.subject_teacher.pk})
for i in range({count}):
    mark_create(teacher, lesson_id={a.lesson.pk}, student_id={a.student.pk}, value=1 + i % 5)
    print("saved", i, flush=True)
    time.sleep({pause})
"""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_losing_redis_under_writes_loses_and_doubles_nothing(
    world: World, env: dict[str, str], processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """Redis killed (SIGKILL) while marks are written, then started again: the worker and the beat,
    separate processes as in production, carry on by themselves, and every event is delivered once."""
    port = env["PARTA_BROKER_URL"].rsplit(":", 1)[1].split("/")[0]
    family = {world.a.student.pk, world.a.parent.pk}
    logs = tmp_path / "celery.log"
    redis = start_redis(port)
    worker = deploy_run(env, logs, "worker")
    beat = deploy_run(env, logs, "beat")
    processes += [worker, beat, redis]
    wait_for(lambda: "ready." in logs.read_text(errors="replace"), 120, logs)

    writer = write_marks(world, env, 80, 0.05)
    wait_for(lambda: OutboxEvent.objects.filter(delivered_at__isnull=False).count() >= 10, 30, logs)
    redis.kill()
    redis.wait()
    time.sleep(3)
    redis = start_redis(port)
    processes.append(redis)
    _, errors = writer.communicate(timeout=300)
    assert writer.returncode == 0, errors
    assert "could not publish" in errors  # the writes did meet the dead broker

    events = set(OutboxEvent.objects.values_list("id", flat=True))
    assert len(events) == 80

    def all_delivered() -> bool:
        return not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()

    wait_for(all_delivered, 60, logs)
    notified = list(Notification.objects.filter(kind="mark").values_list("event_id", "recipient_id"))
    assert len(notified) == len(set(notified)) == 2 * len(events)
    assert {event for event, _ in notified} == events
    assert {recipient for _, recipient in notified} == family
    assert worker.poll() is None, logs.read_text(errors="replace")[-6000:]
    assert beat.poll() is None, logs.read_text(errors="replace")[-6000:]
