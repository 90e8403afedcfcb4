"""Reads of the clinic app: the school's sick notes for its administrators and class teachers,
one note with its lessons and versions, and what the clinic's API answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from parta.clinic.access import access_note, notes_readable_by
from parta.clinic.models import SickNote, SickNoteChange, SickNoteLesson
from parta.core.i18n import picker
from parta.core.names import class_group_name, short_name
from parta.journal.models import Attendance
from parta.schools.models import Enrolment

# The list shows the newest notes; older ones are in the back office.
MAX_NOTES = 200


@dataclass(frozen=True)
class NoteRow:
    id: int
    student_id: int
    student: str
    group_name: str
    clinic: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    # Lessons the note holds as sick now; a withdrawn note's: how many it gave back.
    lessons: int
    amended: bool
    received_at: dt.datetime

    @property
    def is_withdrawn(self) -> bool:
        return self.status == SickNote.Status.WITHDRAWN


def _groups(pairs: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """The class group each (student, day) fell in: one query."""
    if not pairs:
        return {}
    days: dict[int, set[dt.date]] = {}
    for student, day in pairs:
        days.setdefault(student, set()).add(day)
    rows = Enrolment.objects.filter(student_id__in=days).values_list(
        "student_id", "year__starts_on", "year__ends_on", "class_group__grade", "class_group__letter"
    )
    return {
        (student, day): class_group_name(grade, letter)
        for student, starts, ends, grade, letter in rows
        for day in days[student]
        if starts <= day <= ends
    }


def notes_for(user: Any) -> list[NoteRow]:
    """The sick notes the user may read, the latest days first: two to three queries."""
    return _rows(SickNote.objects.filter(notes_readable_by(user)))


def _rows(notes: QuerySet[SickNote]) -> list[NoteRow]:
    rows = list(
        notes.annotate(held=Count("lessons", filter=Q(lessons__released_at__isnull=True)))
        .order_by("-starts_on", "-id")
        .values(
            "id",
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "clinic__name",
            "starts_on",
            "ends_on",
            "status",
            "version",
            "created_at",
            "held",
        )[:MAX_NOTES]
    )
    withdrawn = [r["id"] for r in rows if r["status"] == SickNote.Status.WITHDRAWN]
    restored = (
        dict(
            SickNoteChange.objects.filter(
                note_id__in=withdrawn, kind=SickNoteChange.Kind.WITHDRAWN
            ).values_list("note_id", "lessons_restored")
        )
        if withdrawn
        else {}
    )
    groups = _groups({(r["student_id"], r["starts_on"]) for r in rows})
    labels = dict(SickNote.Status.choices)
    return [
        NoteRow(
            id=r["id"],
            student_id=r["student_id"],
            student=short_name(r["student__last_name"], r["student__first_name"], r["student__middle_name"]),
            group_name=groups.get((r["student_id"], r["starts_on"]), ""),
            clinic=r["clinic__name"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            status=r["status"],
            status_label=str(labels[r["status"]]),
            lessons=restored.get(r["id"], 0) if r["id"] in restored else r["held"],
            amended=r["version"] > (2 if r["status"] == SickNote.Status.WITHDRAWN else 1),
            received_at=r["created_at"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class NoteLessonRow:
    date: dt.date
    number: int
    subject: str
    before: str  # what the cell held before the note ("" for no entry)
    now: str  # what it holds now ("" for no entry: present)
    # held: the note's entry stands; changed: held, but the school has changed the cell since;
    # or the outcome of letting go (restored, kept, handed_over).
    state: str
    state_label: str


@dataclass(frozen=True)
class NoteVersionRow:
    version: int
    kind: str
    kind_label: str
    starts_on: dt.date
    ends_on: dt.date
    issued_at: dt.datetime
    lessons_marked: int
    lessons_restored: int
    at: dt.datetime


@dataclass(frozen=True)
class NotePage:
    note: NoteRow
    note_id: str
    issued_at: dt.datetime
    lessons: list[NoteLessonRow]
    versions: list[NoteVersionRow]


def _entry_label(status: str | None, source: str | None) -> str:
    if not status:
        return ""
    text = str(dict(Attendance.Status.choices).get(status, status))
    if source:
        text += f" ({dict(Attendance.Source.choices).get(source, source)})"
    return text


def note_page(user: Any, note_pk: int) -> NotePage:
    """One note the user may read (404 otherwise): its lessons, each with what it held before and
    holds now, and its versions. Seven queries at most."""
    note = access_note(user, note_pk)
    (row,) = _rows(SickNote.objects.filter(pk=note.pk))
    holds = list(
        SickNoteLesson.objects.filter(note=note)
        .order_by("date", "lesson__number", "id")
        .values(
            "lesson_id",
            "date",
            "lesson__number",
            "lesson__subject__name_ru",
            "lesson__subject__name_en",
            "before",
            "version",
            "released_at",
            "outcome",
        )
    )
    now = {
        lesson_id: (status, source, version)
        for lesson_id, status, source, version in Attendance.objects.filter(
            student_id=note.student_id, lesson_id__in=[h["lesson_id"] for h in holds]
        ).values_list("lesson_id", "status", "source", "version")
    }
    pick = picker()
    outcomes = dict(SickNoteLesson.Outcome.choices)
    states = {"held": _("marked sick by the note"), "changed": _("changed by the school since")}
    lessons = []
    for h in holds:
        status, source, version = now.get(h["lesson_id"], (None, None, None))
        before = h["before"] or {}
        if h["released_at"] is not None:
            state, label = h["outcome"], str(outcomes.get(h["outcome"], h["outcome"]))
        else:
            state = "held" if (source, version) == (Attendance.Source.CLINIC, h["version"]) else "changed"
            label = str(states[state])
        lessons.append(
            NoteLessonRow(
                date=h["date"],
                number=h["lesson__number"],
                subject=pick(h["lesson__subject__name_ru"], h["lesson__subject__name_en"]),
                before=_entry_label(before.get("status"), before.get("source")),
                now=_entry_label(status, source),
                state=state,
                state_label=label,
            )
        )
    kinds = dict(SickNoteChange.Kind.choices)
    versions = [
        NoteVersionRow(
            version=c.version,
            kind=c.kind,
            kind_label=str(kinds[c.kind]),
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            issued_at=c.issued_at,
            lessons_marked=c.lessons_marked,
            lessons_restored=c.lessons_restored,
            at=c.at,
        )
        for c in note.changes.order_by("version")
    ]
    return NotePage(row, note.note_id, note.issued_at, lessons, versions)
