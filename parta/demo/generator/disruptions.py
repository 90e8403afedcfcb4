"""A few substitutions and cancellations every week, made through the timetable services
as a school administrator would make them; kept in each lesson's history but told to nobody, since
the whole year's changes are made at once (nobody would be told of May's in September)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from parta.accounts.models import User
from parta.schools.models import AcademicYear, StaffMembership, TeachingAssignment
from parta.timetable.models import Lesson
from parta.timetable.selectors import week_start
from parta.timetable.services import lesson_cancel, lesson_substitute

# Reasons as a Russian school writes them: data that families read, not interface text.
SUBSTITUTION_NOTES = (
    "Основной учитель на курсах повышения квалификации",
    "Основной учитель на больничном",
    "Основной учитель сопровождает учеников на олимпиаду",
    "Основной учитель в составе экзаменационной комиссии",
)
CANCELLATION_REASONS = (
    "Класс на экскурсии",
    "Плановый медицинский осмотр класса",
    "Учитель на больничном, замена не найдена",
    "Технические работы в кабинете",
)


def disruptions_make(
    *,
    year: AcademicYear,
    admin: User,
    rng: random.Random,
    substitutions_per_week: int,
    cancellations_per_week: int,
) -> tuple[int, int]:
    """Substitute and cancel randomly chosen lessons of each week; returns (substituted, cancelled).

    A substitute comes from the teachers of the same subject when one is free at that time,
    otherwise from any free teacher of the school.
    """
    lessons = list(
        Lesson.objects.filter(year=year, status=Lesson.Status.SCHEDULED)
        .order_by("date", "number", "class_group__grade", "class_group__letter", "subgroup__number")
        .values_list("pk", "date", "number", "teacher_id", "subject_id")
    )
    busy = {(teacher, date, number) for _pk, date, number, teacher, _subject in lessons}
    by_subject: dict[int, list[int]] = defaultdict(list)
    for teacher_id, subject_id in (
        TeachingAssignment.objects.filter(year=year)
        .order_by("teacher_id")
        .values_list("teacher_id", "subject_id")
        .distinct()
    ):
        by_subject[subject_id].append(teacher_id)
    everyone = sorted(
        StaffMembership.objects.filter(
            school_id=year.school_id, role=StaffMembership.Role.TEACHER
        ).values_list("user_id", flat=True)
    )
    weeks: dict[dt.date, list[tuple[int, dt.date, int, int, int]]] = defaultdict(list)
    for row in lessons:
        weeks[week_start(row[1])].append(row)

    plan: list[tuple[int, int | None, str]] = []  # (lesson, substitute or None to cancel, note)
    for _monday, week in sorted(weeks.items()):
        count = min(len(week), substitutions_per_week + cancellations_per_week)
        chosen = rng.sample(week, count)
        for i, (pk, date, number, teacher, subject) in enumerate(chosen):
            if i >= substitutions_per_week:
                plan.append((pk, None, rng.choice(CANCELLATION_REASONS)))
                continue
            same_subject = [t for t in by_subject[subject] if t != teacher and (t, date, number) not in busy]
            anyone = [t for t in everyone if t != teacher and (t, date, number) not in busy]
            pool = sorted(set(same_subject)) or anyone
            if not pool:
                continue
            substitute = rng.choice(pool)
            busy.add((substitute, date, number))
            busy.discard((teacher, date, number))
            plan.append((pk, substitute, rng.choice(SUBSTITUTION_NOTES)))

    lesson_objects = Lesson.objects.in_bulk([pk for pk, _t, _n in plan])
    teachers = User.objects.in_bulk([t for _pk, t, _n in plan if t is not None])
    substituted = cancelled = 0
    for pk, chosen_teacher, note in plan:
        if chosen_teacher is None:
            lesson_cancel(actor=admin, lesson=lesson_objects[pk], reason=note, tell=False)
            cancelled += 1
        else:
            lesson_substitute(
                actor=admin,
                lesson=lesson_objects[pk],
                teacher=teachers[chosen_teacher],
                note=note,
                tell=False,
            )
            substituted += 1
    return substituted, cancelled
