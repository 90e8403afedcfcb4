"""``rows.insert`` writes what ``save()`` writes, in one statement, and tells the same listeners."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from parta.core import rows
from parta.journal.models import JournalChange, Mark
from parta.outbox.models import OutboxEvent
from parta.testing.factories import LessonFactory, MarkFactory, SchoolFactory, UserFactory
from parta.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _columns(row: Any) -> dict[str, Any]:
    """Every stored column but the key and the clock's."""
    data = model_to_dict(row)
    for name in ("id", "created_at", "updated_at"):
        data.pop(name, None)
    return data


def _mark(lesson: Any, **changes: Any) -> Mark:
    values = {
        "school_id": lesson.school_id,
        "lesson": lesson,
        "student_id": lesson.teacher_id,
        "subject_id": lesson.subject_id,
        "date": lesson.date,
        "value": None,
        "owed_until": dt.date(2030, 1, 31),
        "weight": 3,
        "comment": "Контрольная",
        "created_by_id": lesson.teacher_id,
    }
    return Mark(**{**values, **changes})


def test_a_row_is_stored_as_save_stores_it_in_one_statement() -> None:
    lesson = LessonFactory()
    saved = _mark(lesson)
    saved.save()
    inserted = _mark(lesson)
    with CaptureQueriesContext(connection) as queries:
        rows.insert(inserted)
    assert len(queries) == 1
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    stored = Mark.objects.get(pk=inserted.pk)
    assert _columns(stored) == _columns(Mark.objects.get(pk=saved.pk))
    assert stored.created_at is not None and stored.created_at == inserted.created_at  # auto_now_add
    assert stored.version == 1  # the field's default


def test_json_and_defaults_are_prepared_as_the_fields_prepare_them() -> None:
    payload = {"mark_id": 7, "names": ["Аня", "Борис"], "nested": {"value": None}}
    event = OutboxEvent(kind="journal.mark", payload=payload, school_id=None)
    rows.insert(event)
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert stored.payload == payload
    assert (stored.kind, stored.school_id) == ("journal.mark", None)
    assert (stored.attempts, stored.last_error) == (0, "")
    assert stored.delivered_at is None


@pytest.fixture
def signals() -> Iterator[list[tuple[str, Any, bool | None]]]:
    heard: list[tuple[str, Any, bool | None]] = []

    def before(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre_save", instance.pk, None))

    def after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post_save", instance.pk, created))

    pre_save.connect(before, sender=Mark)
    post_save.connect(after, sender=Mark)
    yield heard
    pre_save.disconnect(before, sender=Mark)
    post_save.disconnect(after, sender=Mark)


def test_the_save_signals_are_sent_before_and_after_the_row_is_written(
    signals: list[tuple[str, Any, bool | None]],
) -> None:
    mark = _mark(LessonFactory())
    rows.insert(mark)
    assert signals == [("pre_save", None, None), ("post_save", mark.pk, True)]


def test_an_existing_row_is_refused() -> None:
    mark = MarkFactory.create()
    with pytest.raises(ValueError, match="only new rows"):
        rows.insert(mark)
    assert Mark.objects.count() == 1


def _loaded(row: Any, *path: str) -> Any:
    """The row at the end of ``path`` as loaded, raising if reaching it would need a query."""
    for name in path:
        field = type(row)._meta.get_field(name)
        assert field.is_cached(row), f"{name} was not read with the row"
        row = getattr(row, name)
    return row


def test_by_key_reads_a_row_and_what_its_keys_point_to_as_select_related_does() -> None:
    lesson = LessonFactory.create(subgroup=None)
    related = ("assignment__class_group", "subject", "subgroup", "topic")
    expected = Lesson.objects.select_related(*related).get(pk=lesson.pk)
    with CaptureQueriesContext(connection) as queries:
        found = rows.by_key(Lesson, lesson.pk, *related)
        assert found is not None
        assert model_to_dict(found) == model_to_dict(expected)  # dates and times converted
        assert (found.date, found.starts_at) == (expected.date, expected.starts_at)
        assert found.starts_at.tzinfo is not None
        class_group = _loaded(found, "assignment", "class_group")
        assert model_to_dict(class_group) == model_to_dict(expected.assignment.class_group)
        assert _loaded(found, "subject").name_ru == expected.subject.name_ru
        assert _loaded(found, "subgroup") is None and _loaded(found, "topic") is None  # null keys
        assert not found._state.adding and found._state.db == "default"
    assert len(queries) == 1
    assert not type(found)._meta.get_field("teacher").is_cached(found)  # not asked for


def test_by_key_finds_nothing_for_a_missing_or_impossible_key() -> None:
    lesson = LessonFactory.create()
    with CaptureQueriesContext(connection) as queries:
        assert rows.by_key(Lesson, lesson.pk + 1, "assignment") is None
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert rows.by_key(Lesson, 10**30, "assignment") is None
        assert rows.by_key(Lesson, -(10**30)) is None
    assert not queries


def test_by_key_follows_only_foreign_keys() -> None:
    with pytest.raises(ValueError, match="not a foreign key"):
        rows.by_key(Lesson, 1, "marks")  # a reverse relation


def _linked(lesson: Any) -> tuple[Mark, JournalChange, OutboxEvent]:
    mark = _mark(lesson, value=4, owed_until=None)
    change = JournalChange(
        school_id=lesson.school_id,
        kind=JournalChange.Kind.MARK,
        object_id=rows.NEW_KEY,
        lesson=lesson,
        student_id=mark.student_id,
        subject_id=lesson.subject_id,
        actor_id=lesson.teacher_id,
        new={"value": 4},
    )
    event = OutboxEvent(kind="journal.mark", payload={"mark_id": rows.NEW_KEY, "value": 4}, school_id=None)
    return mark, change, event


def test_rows_written_together_name_the_first_rows_new_key(
    signals: list[tuple[str, Any, bool | None]],
) -> None:
    mark, change, event = _linked(LessonFactory.create())
    with CaptureQueriesContext(connection) as queries:
        rows.insert_together(mark, change, event)
    # PostgreSQL: one statement; elsewhere a savepoint around the three.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 5)
    assert signals == [("pre_save", None, None), ("post_save", mark.pk, True)]
    assert Mark.objects.filter(pk=mark.pk).exists()
    stored = JournalChange.objects.get(pk=change.pk)
    assert (stored.object_id, change.object_id) == (mark.pk, mark.pk)
    assert (stored.new, stored.reason, stored.at) == ({"value": 4}, "", change.at)
    assert OutboxEvent.objects.get(pk=event.pk).payload == {"mark_id": mark.pk, "value": 4}
    assert event.payload == {"mark_id": mark.pk, "value": 4}
    assert not event._state.adding


def test_rows_written_together_are_written_all_or_none() -> None:
    mark, change, event = _linked(LessonFactory.create())
    change.kind = None  # type: ignore[assignment]  # the history refuses the row: not null
    # On PostgreSQL a failed statement spoils the test's transaction, so it runs in a savepoint of
    # the test's own; elsewhere the rows are written one by one and only insert_together's
    # transaction can undo the first.
    outer = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
    with pytest.raises(IntegrityError), outer:
        rows.insert_together(mark, change, event)
    assert not Mark.objects.exists() and not OutboxEvent.objects.exists()


def test_by_unique_reads_the_row_of_a_unique_column_and_refuses_another() -> None:
    from parta.passage.models import Card

    card = Card.objects.create(school=SchoolFactory.create(), holder=UserFactory.create(), number="C-1")
    expected = model_to_dict(Card.objects.get(pk=card.pk))
    with CaptureQueriesContext(connection) as queries:
        found = rows.by_unique(Card, "number", "C-1", "holder")
        assert found is not None and model_to_dict(found) == expected
        assert _loaded(found, "holder").pk == card.holder_id
        assert rows.by_unique(Card, "number", "C-2") is None
    assert len(queries) == 2
    with pytest.raises(ValueError, match="not unique"):
        rows.by_unique(Card, "status", "active")
