"""A class: who is in the building now, and the turnstile's flags at its lessons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from parta.core.i18n import pick
from parta.core.names import class_group_name
from parta.journal.access import can_write_lesson
from parta.journal.models import Attendance
from parta.passage.models import FlagDecision, PassageEvent
from parta.passage.selectors.common import IN, person_name
from parta.passage.selectors.days import PersonDay, days_of, holders_with_cards
from parta.schools.models import Building, ClassGroup, Enrolment, SubgroupMembership
from parta.timetable.models import Lesson

# --- a class: who is in the building, and the flags ----------------------------------------


@dataclass(frozen=True)
class StudentPresence:
    id: int
    name: str
    day: PersonDay
    has_card: bool


@dataclass(frozen=True)
class Flag:
    """What the turnstile says against the journal at one lesson: ``absent_but_entered`` (marked
    absent, yet in the building — ``suggested`` is present, None, or late when they came during the
    lesson) or ``present_but_not_entered`` (no absence marked, yet never through the turnstile —
    ``suggested`` is absent)."""

    kind: str
    lesson_id: int
    lesson_number: int
    lesson_starts: dt.datetime
    subject: str
    group: str
    student_id: int
    student: str
    entered_at: dt.datetime | None
    suggested: str | None
    version: int | None  # the attendance entry's version the suggestion replaces (None: no entry)
    can_accept: bool


ABSENT_BUT_ENTERED = "absent_but_entered"
PRESENT_BUT_NOT_ENTERED = "present_but_not_entered"
FLAG_KINDS = (ABSENT_BUT_ENTERED, PRESENT_BUT_NOT_ENTERED)


@dataclass(frozen=True)
class ClassPresence:
    group_id: int
    group_name: str
    day: dt.date
    now: dt.datetime
    students: list[StudentPresence]
    flags: list[Flag]
    turnstiles_today: bool  # the class's school had passages today at all

    @property
    def inside(self) -> list[StudentPresence]:
        return [s for s in self.students if s.day.inside]

    @property
    def outside(self) -> list[StudentPresence]:
        return [s for s in self.students if not s.day.inside]


def _students(group_id: int) -> list[tuple[int, str]]:
    rows = (
        Enrolment.objects.filter(class_group_id=group_id)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
        )
    )
    return [(pk, person_name(tuple(parts))) for pk, *parts in rows]


def turnstiles_had_passages(school_id: int, day: dt.date) -> bool:
    """Any passage in the school's buildings that day (a school without turnstiles, or whose
    turnstiles were down, raises no "never came" flags): one query on passage_building_day."""
    buildings = Building.objects.filter(school_id=school_id).values("pk")
    return PassageEvent.objects.filter(building_id__in=buildings, day=day).exists()


def lesson_flags(
    user: Any,
    lessons: list[Lesson],
    students: dict[int, str],
    days: dict[int, PersonDay],
    carded: set[int],
    *,
    now: dt.datetime,
    turnstiles_today: bool | set[int],
    groups: dict[int, set[int]] | None = None,
) -> list[Flag]:
    """The flags at these lessons (begun by ``now``) for these students (``groups``: each class
    group's, when the lessons are of several; ``turnstiles_today``: the schools whose turnstiles
    reported today, or whether the one school's did). Three queries: the subgroups' members, the
    attendance entries, the decisions already taken."""
    lessons = [
        lesson for lesson in lessons if lesson.starts_at <= now and lesson.status != Lesson.Status.CANCELLED
    ]
    if not lessons or not students:
        return []
    subgroups = {lesson.subgroup_id for lesson in lessons if lesson.subgroup_id}
    members: dict[int, set[int]] = defaultdict(set)
    if subgroups:
        for subgroup_id, student_id in SubgroupMembership.objects.filter(
            subgroup_id__in=subgroups
        ).values_list("subgroup_id", "student_id"):
            members[subgroup_id].add(student_id)
    entries = {
        (lesson_id, student_id): (status, version)
        for lesson_id, student_id, status, version in Attendance.objects.filter(
            lesson_id__in=[lesson.pk for lesson in lessons], student_id__in=list(students)
        ).values_list("lesson_id", "student_id", "status", "version")
    }
    decided = set(
        FlagDecision.objects.filter(lesson_id__in=[lesson.pk for lesson in lessons]).values_list(
            "lesson_id", "student_id", "flag"
        )
    )
    flags: list[Flag] = []
    for lesson in sorted(lessons, key=lambda lesson: (lesson.starts_at, lesson.number)):
        writes = can_write_lesson(user, lesson)
        subject = pick(lesson.subject.name_ru, lesson.subject.name_en)
        group = class_group_name(lesson.class_group.grade, lesson.class_group.letter)
        start, end = timezone.localtime(lesson.starts_at), timezone.localtime(lesson.ends_at)
        reported = (
            lesson.school_id in turnstiles_today if isinstance(turnstiles_today, set) else turnstiles_today
        )
        for student_id, name in students.items():
            if groups is not None and student_id not in groups.get(lesson.class_group_id, set()):
                continue
            if lesson.subgroup_id and student_id not in members[lesson.subgroup_id]:
                continue
            day = days.get(student_id) or PersonDay([])
            entry = entries.get((lesson.pk, student_id))
            found: tuple[str, dt.datetime | None, str | None] | None = None
            if entry is not None and entry[0] == Attendance.Status.ABSENT:
                if (lesson.pk, student_id, ABSENT_BUT_ENTERED) in decided:
                    continue
                if day.state_at(start) == IN:
                    found = (ABSENT_BUT_ENTERED, day.first_in, None)
                elif (came := day.entered_between(start, end)) is not None:
                    found = (ABSENT_BUT_ENTERED, came, Attendance.Status.LATE)
            elif entry is None and reported and student_id in carded:
                if (lesson.pk, student_id, PRESENT_BUT_NOT_ENTERED) in decided:
                    continue
                # Never through the turnstile today, by the lesson's end (or now, during it).
                if day.first_in is None or day.first_in > min(end, now):
                    found = (PRESENT_BUT_NOT_ENTERED, None, Attendance.Status.ABSENT)
            if found is not None:
                flags.append(
                    Flag(
                        kind=found[0],
                        lesson_id=lesson.pk,
                        lesson_number=lesson.number,
                        lesson_starts=start,
                        subject=subject,
                        group=group,
                        student_id=student_id,
                        student=name,
                        entered_at=found[1],
                        suggested=found[2],
                        version=entry[1] if entry else None,
                        can_accept=writes,
                    )
                )
    return flags


def class_presence(user: Any, group: ClassGroup, now: dt.datetime | None = None) -> ClassPresence:
    """Who of the class is in the building now (whose last passage today is an entry), each
    student's first entry and last exit, and the flags at today's lessons begun so far. A fixed
    number of queries whatever the class's size."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    people = _students(group.pk)
    ids = [pk for pk, _name in people]
    days = days_of(ids, today)
    carded = holders_with_cards(ids)
    turnstiles = turnstiles_had_passages(group.school_id, today)
    lessons = list(
        Lesson.objects.filter(class_group_id=group.pk, date=today)
        .select_related("assignment", "subject", "class_group")
        .order_by("starts_at", "number")
    )
    flags = lesson_flags(user, lessons, dict(people), days, carded, now=now, turnstiles_today=turnstiles)
    return ClassPresence(
        group_id=group.pk,
        group_name=class_group_name(group.grade, group.letter),
        day=today,
        now=now,
        students=[StudentPresence(pk, name, days[pk], pk in carded) for pk, name in people],
        flags=flags,
        turnstiles_today=turnstiles,
    )


@dataclass(frozen=True)
class TeacherFlags:
    now: dt.datetime
    flags: list[Flag]
    lessons: int  # today's lessons of the teacher begun so far


def teacher_flags(user: Any, now: dt.datetime | None = None) -> TeacherFlags:
    """The flags at the lessons the user teaches today (their own, or as a substitute), for every
    class at once: a fixed number of queries whatever the number of lessons and classes."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    lessons = list(
        Lesson.objects.filter(date=today, starts_at__lte=now)
        .filter(Q(teacher_id=user.pk) | Q(assignment__teacher_id=user.pk))
        .exclude(status=Lesson.Status.CANCELLED)
        .select_related("assignment", "subject", "class_group")
        .order_by("starts_at", "number")
    )
    lessons = [lesson for lesson in lessons if can_write_lesson(user, lesson)]
    if not lessons:
        return TeacherFlags(now, [], 0)
    groups: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for group_id, student_id, *parts in (
        Enrolment.objects.filter(class_group_id__in={lesson.class_group_id for lesson in lessons})
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list(
            "class_group_id",
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
        )
    ):
        groups[group_id].add(student_id)
        names[student_id] = person_name(tuple(parts))
    reported = {
        school_id
        for school_id in {lesson.school_id for lesson in lessons}
        if turnstiles_had_passages(school_id, today)
    }
    flags = lesson_flags(
        user,
        lessons,
        names,
        days_of(names, today),
        holders_with_cards(names),
        now=now,
        turnstiles_today=reported,
        groups=groups,
    )
    return TeacherFlags(now, flags, len(lessons))
