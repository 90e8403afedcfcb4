"""The two-school world with a week of lessons for 7А of school A, a city clinic's credential and
city registry numbers for the world's students."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parta.accounts.models import MachineClient, User
from parta.accounts.services import machine_client_create
from parta.accounts.signatures import sign
from parta.clinic import services
from parta.clinic.identifiers import with_check_number
from parta.clinic.services import person_identifiers_load
from parta.journal.models import AbsenceNotice, Attendance
from parta.journal.services import attendance_set
from parta.schools.models import TeachingAssignment
from parta.testing import factories as f
from parta.testing.world import MONDAY, World
from parta.timetable.models import Lesson

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
NUMBER = with_check_number(112233445)  # «112-233-445 95», world.a.student's


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class Clinic:
    world: World
    client: MachineClient
    secret: str
    # 7А's lessons by (day, number): number 2 is algebra (the subject teacher's), 4 Russian (the
    # class teacher's), Monday to Wednesday of the world's week.
    lessons: dict[tuple[dt.date, int], Lesson]
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def student(self) -> User:
        return self.world.a.student

    def lesson(self, day: dt.date, number: int) -> Lesson:
        return self.lessons[(day, number)]

    def teacher_of(self, lesson: Lesson) -> User:
        return self.world.a.subject_teacher if lesson.number == 2 else self.world.a.class_teacher

    def enter(self, day: dt.date, number: int, status: str | None, *, reason: str = "") -> Attendance | None:
        """The teacher's entry for the student, through the journal."""
        lesson = self.lesson(day, number)
        current = Attendance.objects.filter(lesson=lesson, student=self.student).first()
        return attendance_set(
            self.teacher_of(lesson),
            lesson_id=lesson.pk,
            student_id=self.student.pk,
            status=status,
            reason=reason,
            version=current.version if current else None,
        )

    def notice_entry(self, day: dt.date, number: int) -> AbsenceNotice:
        """An entry a parent's notice made (the notice service takes only coming days)."""
        notice = AbsenceNotice.objects.create(
            school=self.world.a.school,
            student=self.student,
            reported_by=self.world.a.parent,
            starts_on=day,
            ends_on=day,
            reason="к врачу",
        )
        f.AttendanceFactory.create(
            lesson=self.lesson(day, number),
            student=self.student,
            status=Attendance.Status.EXCUSED,
            source=Attendance.Source.PARENT_NOTICE,
            reason="к врачу",
            notice=notice,
            updated_by=self.world.a.parent,
        )
        return notice

    def entry(self, day: dt.date, number: int) -> tuple[str, str] | None:
        row = Attendance.objects.filter(lesson=self.lesson(day, number), student=self.student).first()
        return None if row is None else (row.status, row.source)

    def record(
        self,
        starts_on: dt.date = MONDAY,
        ends_on: dt.date = TUESDAY,
        *,
        note_id: str = "N-1",
        issued_at: dt.datetime | None = None,
        number: str = NUMBER,
        client: MachineClient | None = None,
    ) -> services.NoteAnswer:
        return services.sick_note_record(
            client or self.client,
            note_id=note_id,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            issued_at=issued_at or at(ends_on + dt.timedelta(days=1)),
        )

    def withdraw(self, note_id: str = "N-1", client: MachineClient | None = None) -> services.NoteAnswer:
        return services.sick_note_withdraw(client or self.client, note_id=note_id)

    # --- over HTTP ---

    def body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "note_id": "EMIAS-1",
            "student": "112-233-445 95",
            "from": MONDAY.isoformat(),
            "to": TUESDAY.isoformat(),
            "issued_at": "2026-09-09T09:30:00+03:00",
        }
        body.update(changes)
        return {key: value for key, value in body.items() if value is not None}

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        secret: str | None = None,
        signing_secret: str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        extra: dict[str, Any] = {
            "HTTP_AUTHORIZATION": f"Bearer {secret or self.secret}",
            "HTTP_X_PARTA_SIGNATURE": signature
            if signature is not None
            else sign(raw, signing_secret if signing_secret is not None else self.client.signing_secret),
        }
        for name, value in (headers or {}).items():
            extra[f"HTTP_{name.upper().replace('-', '_')}"] = value
        return APIClient().post(path, raw, content_type="application/json", **extra)


def city_clinic(school_id: int | None = None, name: str = "Поликлиника № 12") -> tuple[MachineClient, str]:
    return machine_client_create(
        by=None, kind="clinic", name=name, scopes=[services.SCOPE], school_id=school_id
    )


def build_clinic(world: World) -> Clinic:
    a = world.a
    russian = TeachingAssignment.objects.get(class_group=a.group, teacher=a.class_teacher)
    lessons = {(MONDAY, 2): a.lesson}
    for day in (MONDAY, TUESDAY, WEDNESDAY):
        if day != MONDAY:
            lessons[(day, 2)] = f.LessonFactory.create(assignment=a.assignment, date=day, number=2)
        lessons[(day, 4)] = f.LessonFactory.create(assignment=russian, date=day, number=4)
    client, secret = city_clinic()
    numbers = {
        "a.student": NUMBER,
        "a.classmate": with_check_number(223344556),
        "a.sibling": with_check_number(334455667),
        "b.student": with_check_number(445566778),
    }
    people = {
        "a.student": a.student,
        "a.classmate": a.classmate,
        "a.sibling": a.sibling,
        "b.student": world.b.student,
    }
    person_identifiers_load((people[name].pk, number) for name, number in numbers.items())
    return Clinic(world, client, secret, lessons, numbers)


@pytest.fixture
def clinic(world: World) -> Clinic:
    return build_clinic(world)
