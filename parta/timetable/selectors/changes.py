"""Reads for substitutions and cancellations: who may take a lesson over, a lesson's history, and
a school's lessons of a day for the administrator's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from parta.core.names import short_name
from parta.schools.models import StaffMembership, TeachingAssignment
from parta.timetable.models import Lesson, LessonChange


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    teaches_subject: bool


def substitute_candidates(lesson: Lesson) -> list[Candidate]:
    """The school's teachers free at the lesson's time, those who teach its subject this year first
    (then by name); the lesson's own teacher is left out. Three queries."""
    busy = Lesson.objects.filter(
        date=lesson.date, number=lesson.number, status=Lesson.Status.SCHEDULED
    ).values("teacher_id")
    teachers = (
        StaffMembership.objects.filter(school_id=lesson.school_id, role=StaffMembership.Role.TEACHER)
        .exclude(Q(user_id__in=busy) | Q(user_id=lesson.teacher_id))
        .values_list("user_id", "user__last_name", "user__first_name", "user__middle_name")
        .distinct()
    )
    subject_teachers = set(
        TeachingAssignment.objects.filter(year_id=lesson.year_id, subject_id=lesson.subject_id).values_list(
            "teacher_id", flat=True
        )
    )
    rows = [
        Candidate(pk, short_name(last, first, middle), pk in subject_teachers)
        for pk, last, first, middle in teachers
    ]
    return sorted(rows, key=lambda c: (not c.teaches_subject, c.name, c.id))


@dataclass(frozen=True)
class ChangeRow:
    id: int
    kind: str
    kind_label: str
    teacher: str
    previous_teacher: str
    note: str
    actor: str
    created_at: dt.datetime


def lesson_changes(lesson_id: int) -> list[ChangeRow]:
    """A lesson's substitutions, hand-backs, cancellations and restorations, oldest first."""
    rows = LessonChange.objects.filter(lesson_id=lesson_id).select_related(
        "teacher", "previous_teacher", "actor"
    )
    return [
        ChangeRow(
            id=c.pk,
            kind=c.kind,
            kind_label=str(c.get_kind_display()),
            teacher=c.teacher.short_name,
            previous_teacher=c.previous_teacher.short_name,
            note=c.note,
            actor=c.actor.short_name,
            created_at=c.created_at,
        )
        for c in rows
    ]
