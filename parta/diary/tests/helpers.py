"""Builders for the diary's tests: a week of lessons with marks, attendance and homework."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parta.curriculum.models import Section, Topic
from parta.journal.models import Attendance, Mark
from parta.schools.models import TeachingAssignment
from parta.testing import factories as f
from parta.testing.world import MONDAY, SchoolWorld
from parta.timetable.models import Lesson


def topic_for(lesson: Lesson, *, code: str = "ALG-07-01-01") -> Topic:
    section = Section.objects.create(
        subject=lesson.subject, grade=7, code=code[:9], title_ru="Числа", title_en="Numbers", order=1
    )
    return Topic.objects.create(
        section=section,
        subject=lesson.subject,
        grade=7,
        code=code,
        title_ru="Дроби",
        title_en="Fractions",
        hours=2,
        order=1,
    )


def week_of_lessons(school: SchoolWorld, *, per_day: int = 5, monday: dt.date = MONDAY) -> list[Lesson]:
    """``per_day`` lessons Monday to Friday for the school's 7А (numbers 4…), alternating the two subjects."""
    taught = list(TeachingAssignment.objects.filter(class_group=school.group).order_by("pk"))
    lessons = []
    for day in range(5):
        for n in range(per_day):
            lessons.append(
                f.LessonFactory.create(
                    assignment=taught[(day + n) % len(taught)],
                    date=monday + dt.timedelta(days=day),
                    number=4 + n,
                )
            )
    return lessons


def marks_for(lessons: list[Lesson], students: list[Any], *, per_lesson: int = 1) -> list[Mark]:
    form = None
    marks = []
    for lesson in lessons:
        if form is None:
            form = f.ControlFormFactory.create(
                school=lesson.school, code="test", name_en="Test", name_ru="Тест"
            )
        for student in students:
            for i in range(per_lesson):
                marks.append(
                    f.MarkFactory.create(
                        lesson=lesson, student=student, value=3 + (i % 3), weight=1 + i % 2, control_form=form
                    )
                )
    return marks


def absences_for(lessons: list[Lesson], student: Any) -> list[Attendance]:
    return [
        f.AttendanceFactory.create(
            lesson=lesson, student=student, status=Attendance.Status.SICK, reason="flu"
        )
        for lesson in lessons
    ]
