"""Idempotency-Key on the journal's writes: a retried mark POST writes one mark, one history row
and one event; two at once as well (PostgreSQL, real threads and connections)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from parta.core.idempotency import HEADER, REPLAYED, IdempotentApi
from parta.core.models import IdempotencyKey
from parta.homework.api import LessonHomeworkApi
from parta.journal import services
from parta.journal.api.cells import AttendanceApi, MarkCreateApi, PeriodMarkApi
from parta.journal.api.notices import AbsenceNoticeListApi
from parta.journal.models import Attendance, JournalChange, Mark
from parta.journal.tests.conftest import Journal, build_journal, client_for
from parta.messaging.api import AnnouncementCreateApi, ConversationListApi, MessageCreateApi
from parta.outbox.models import OutboxEvent


def _mark(journal: Journal, value: int = 4) -> dict[str, Any]:
    return {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": value}


def _written() -> tuple[int, int, int]:
    return Mark.objects.count(), JournalChange.objects.count(), OutboxEvent.objects.count()


def test_a_retried_mark_post_writes_one_mark_one_change_one_event(journal) -> None:
    client = client_for(journal.teacher)
    first = client.post("/api/v1/marks", _mark(journal), format="json", headers={HEADER: "a1"})
    again = client.post("/api/v1/marks", _mark(journal), format="json", headers={HEADER: "a1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again[REPLAYED] == "true"
    assert _written() == (1, 1, 1)
    # Without the key the same body is a second mark, as before.
    client.post("/api/v1/marks", _mark(journal), format="json")
    assert _written() == (2, 2, 2)


def test_the_same_key_with_another_mark_is_a_422_and_writes_nothing(journal) -> None:
    client = client_for(journal.teacher)
    client.post("/api/v1/marks", _mark(journal, 4), format="json", headers={HEADER: "a1"})
    other = client.post("/api/v1/marks", _mark(journal, 5), format="json", headers={HEADER: "a1"})
    assert other.status_code == 422 and set(other.json()) == {"detail", "code", "errors"}
    assert _written() == (1, 1, 1)


def test_a_refused_mark_is_refused_again_from_the_stored_answer(journal) -> None:
    client = client_for(journal.teacher)
    bad = {**_mark(journal), "value": 9}
    first = client.post("/api/v1/marks", bad, format="json", headers={HEADER: "bad"})
    assert first.status_code == 400
    again = client.post("/api/v1/marks", bad, format="json", headers={HEADER: "bad"})
    assert (again.status_code, again.json(), again[REPLAYED]) == (400, first.json(), "true")
    assert _written() == (0, 0, 0)


def test_a_retried_attendance_put_answers_as_the_first_time(journal) -> None:
    client = client_for(journal.teacher)
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    first = client.put(url, {"status": "absent"}, format="json", headers={HEADER: "att"})
    # Without the key the retry would be a stale write (409): the entry exists now.
    again = client.put(url, {"status": "absent"}, format="json", headers={HEADER: "att"})
    assert (first.status_code, again.status_code, again.json()) == (200, 200, first.json())
    assert Attendance.objects.count() == 1
    assert JournalChange.objects.count() == 1 and OutboxEvent.objects.count() == 1


def test_every_create_endpoint_honours_the_key() -> None:
    """The list docs/api.md gives; an endpoint added later is added there and here."""
    honoured = {
        MarkCreateApi: "POST",
        AttendanceApi: "PUT",
        PeriodMarkApi: "PUT",
        AbsenceNoticeListApi: "POST",
        LessonHomeworkApi: "POST",
        ConversationListApi: "POST",
        MessageCreateApi: "POST",
        AnnouncementCreateApi: "POST",
    }
    for view, method in honoured.items():
        assert issubclass(view, IdempotentApi) and view.idempotent_methods == {method}, view


# The token with its user and roles, the lesson, its checks, the write (1 statement on PostgreSQL,
# 5 in a savepoint elsewhere), and with the key: its claim, the answer's store, and the request's
# transaction (BEGIN and COMMIT; counted here as the savepoint inside the test's transaction).
_MARK_WRITE = 1 if connection.vendor == "postgresql" else 5


def test_a_keyed_mark_post_costs_four_more_round_trips(journal, django_assert_num_queries) -> None:
    client = client_for(journal.teacher)
    client.post("/api/v1/marks", _mark(journal), format="json")  # the token and statements are warm
    with django_assert_num_queries(3 + _MARK_WRITE + 4):
        response = client.post("/api/v1/marks", _mark(journal), format="json", headers={HEADER: "k"})
        assert response.status_code == 201
    # A replay: the token, the claim that finds the key taken, and the stored answer.
    with django_assert_num_queries(1 + 4):
        client.post("/api/v1/marks", _mark(journal), format="json", headers={HEADER: "k"})


@pytest.mark.django_db(transaction=True)
def test_two_mark_posts_with_one_key_at_once_write_one_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second request's claim waits for the first's commit, then replays its answer."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections that wait on each other: PostgreSQL (SQLite serialises writers)")
    journal = build_journal()
    inside, go = threading.Event(), threading.Event()
    create = services.mark_create

    def slow_create(*args: Any, **kwargs: Any) -> Mark:
        inside.set()  # the key is claimed, not yet committed
        assert go.wait(10)
        return create(*args, **kwargs)

    monkeypatch.setattr(services, "mark_create", slow_create)
    answers: list[Any] = []

    def post() -> None:
        try:
            client = client_for(journal.teacher)
            answers.append(client.post("/api/v1/marks", _mark(journal), format="json", headers={HEADER: "c"}))
        finally:
            connections.close_all()

    first, second = threading.Thread(target=post), threading.Thread(target=post)
    first.start()
    assert inside.wait(10)
    second.start()
    try:
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_a_lock(), "the second claim should wait for the first"
    finally:
        go.set()
        first.join()
        second.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.get(REPLAYED, "") for a in answers) == ["", "true"]
    assert _written() == (1, 1, 1)
    assert IdempotencyKey.objects.count() == 1


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])
