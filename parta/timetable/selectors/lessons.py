"""Timetable reads: one query for the lessons of a person or a class group in a date range,
returned as plain data for pages, the API and the iCalendar feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from parta.core import statements, versions
from parta.core.i18n import picker
from parta.core.names import class_group_name, room_label, short_name, subgroup_name
from parta.schools.models import ClassGroup, Enrolment, Subgroup, SubgroupMembership
from parta.timetable.models import Bell, Lesson, TemplateSlot

# A person's timetable is asked for a week or a month; a year is the most a client may ask at once.
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class LessonRow:
    id: int
    date: dt.date
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    subject_code: str
    subject: str
    class_group_id: int
    class_group: str
    subgroup_id: int | None
    subgroup: str | None
    teacher_id: int
    teacher: str
    replaced_teacher_id: int | None
    replaced_teacher: str | None
    room: str | None
    topic_code: str | None
    topic: str | None
    status: str
    note: str
    online_link: str

    @property
    def is_cancelled(self) -> bool:
        return self.status == Lesson.Status.CANCELLED

    @property
    def is_substitution(self) -> bool:
        return self.replaced_teacher_id is not None

    @property
    def room_label(self) -> str | None:
        """«каб. 204» or «Спортивный зал 1»: what pages and the calendar feed show for the room."""
        return room_label(self.room)


@dataclass
class Day:
    date: dt.date
    lessons: list[LessonRow] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


# A lesson's columns; its class group's name and subgroup's number are read apart (_rows).
_FIELDS = (
    "id",
    "date",
    "number",
    "starts_at",
    "ends_at",
    "status",
    "note",
    "online_link",
    "subject__code",
    "subject__name_ru",
    "subject__name_en",
    "class_group_id",
    "subgroup_id",
    "teacher_id",
    "teacher__last_name",
    "teacher__first_name",
    "teacher__middle_name",
    "replaced_teacher_id",
    "replaced_teacher__last_name",
    "replaced_teacher__first_name",
    "replaced_teacher__middle_name",
    "room__name",
    "topic__code",
    "topic__title_ru",
    "topic__title_en",
)


@dataclass(frozen=True)
class _RowContext:
    """What turning rows into LessonRows needs of the request, asked once per read (each is a
    context lookup): the language's names and the time zone."""

    pick: Callable[[str, str], str]
    zone: dt.tzinfo

    @classmethod
    def now(cls) -> _RowContext:
        return cls(picker(), timezone.get_current_timezone())


def _student_row(
    v: dict[str, Any], group: str, subgroup_number: int | None, context: _RowContext
) -> LessonRow:
    pick = context.pick
    return LessonRow(
        id=v["id"],
        date=v["date"],
        number=v["number"],
        starts_at=v["starts_at"].astimezone(context.zone),
        ends_at=v["ends_at"].astimezone(context.zone),
        subject_code=v["subject__code"],
        subject=pick(v["subject__name_ru"], v["subject__name_en"]),
        class_group_id=v["class_group_id"],
        class_group=group,
        subgroup_id=v["subgroup_id"],
        subgroup=subgroup_name(group, subgroup_number),
        teacher_id=v["teacher_id"],
        teacher=short_name(v["teacher__last_name"], v["teacher__first_name"], v["teacher__middle_name"]),
        replaced_teacher_id=v["replaced_teacher_id"],
        replaced_teacher=short_name(
            v["replaced_teacher__last_name"],
            v["replaced_teacher__first_name"],
            v["replaced_teacher__middle_name"],
        )
        if v["replaced_teacher_id"] is not None
        else None,
        room=v["room__name"],
        topic_code=v["topic__code"],
        topic=pick(v["topic__title_ru"], v["topic__title_en"]) if v["topic__code"] else None,
        status=v["status"],
        note=v["note"],
        online_link=v["online_link"],
    )


# ``school_ids`` is the reader's scope from ``access.person_school_scope``: None reads every school.
SchoolScope = frozenset[int] | None


def _rows(
    lessons: QuerySet[Lesson] | list[dict[str, Any]],
    date_from: dt.date,
    date_to: dt.date,
    school_ids: SchoolScope = None,
) -> list[LessonRow]:
    """The lessons' rows in order (date, number, subgroup number with whole-class lessons last).

    The class groups' names and the subgroups' numbers are read by a second, small query rather
    than joined: PostgreSQL plans the eight-table join in 5-7 ms (the work itself takes 0.3 ms),
    the six-table one in 1 ms."""
    if isinstance(lessons, list):  # the lessons' values, read already
        values = lessons
    else:
        if school_ids is not None:
            lessons = lessons.filter(school_id__in=school_ids)
        values = list(
            lessons.filter(date__gte=date_from, date__lte=date_to).order_by("date", "number").values(*_FIELDS)
        )
    group_ids = {v["class_group_id"] for v in values}
    subgroup_ids = {v["subgroup_id"] for v in values if v["subgroup_id"] is not None}
    group_names = {
        pk: class_group_name(grade, letter) for pk, grade, letter in _GROUP_NAMES.rows(sorted(group_ids))
    }
    subgroup_numbers: dict[int, int] = dict(_SUBGROUP_NUMBERS.rows(sorted(subgroup_ids)))
    context = _RowContext.now()
    rows = [
        _student_row(
            v, group_names[v["class_group_id"]], subgroup_numbers.get(v["subgroup_id"] or 0), context
        )
        for v in values
    ]
    rows.sort(key=_timetable_order(subgroup_numbers))
    return rows


def _timetable_order(subgroup_numbers: Mapping[int, int]) -> Callable[[LessonRow], tuple[Any, ...]]:
    """Date, number, then PostgreSQL's order for ``subgroup__number`` (whole-class lessons after
    the split ones), on every database."""
    return lambda row: (
        row.date,
        row.number,
        row.subgroup_id is None,
        subgroup_numbers.get(row.subgroup_id or 0, 0),
    )


def lessons_in_groups(
    group_names: Mapping[int, str],
    subgroup_numbers: Mapping[int, int],
    date_from: dt.date,
    date_to: dt.date,
    *,
    school_ids: SchoolScope = None,
) -> list[LessonRow]:
    """The lessons of these class groups (id → name) that are whole-class or of these subgroups
    (id → number), in timetable order: one query, for a caller that has read the groups already.

    The class groups' names and the subgroups' numbers come from the caller: joining them here
    too would make PostgreSQL plan a nine-table join (8 ms of planning for 1 ms of work at
    S = 0.01); with seven tables it plans in 2 ms."""
    found = _GROUP_LESSONS.dicts(
        list(group_names),
        list(subgroup_numbers),
        date_from,
        date_to,
        sorted(school_ids or ()),
        scoped=school_ids is not None,
    )
    context = _RowContext.now()
    return sorted(
        (
            _student_row(
                v, group_names[v["class_group_id"]], subgroup_numbers.get(v["subgroup_id"] or 0), context
            )
            for v in found
        ),
        key=_timetable_order(subgroup_numbers),
    )


def _group_lessons(
    group_ids: list[int],
    subgroup_ids: list[int],
    date_from: dt.date,
    date_to: dt.date,
    school_ids: list[int],
    *,
    scoped: bool,
) -> QuerySet[Lesson, Any]:
    lessons = Lesson.objects.filter(
        Q(subgroup_id__isnull=True) | Q(subgroup_id__in=subgroup_ids),
        class_group_id__in=group_ids,
        date__gte=date_from,
        date__lte=date_to,
    )
    if scoped:
        lessons = lessons.filter(school_id__in=school_ids)
    return lessons.values(*_FIELDS)  # type: ignore[no-any-return]


# Every student's timetable and diary read it: compiled once (``parta.core.statements``).
_GROUP_LESSONS = statements.Statement(Lesson, _group_lessons)


def lessons_for_student(
    student_id: int, date_from: dt.date, date_to: dt.date, *, school_ids: SchoolScope = None
) -> list[LessonRow]:
    """The student's class group lessons, keeping of the split lessons only the student's subgroups."""
    return lessons_for_students([student_id], date_from, date_to, school_ids=school_ids)[student_id]


def lessons_for_students(
    student_ids: list[int], date_from: dt.date, date_to: dt.date, *, school_ids: SchoolScope = None
) -> dict[int, list[LessonRow]]:
    """Each student's lessons, in three queries however many students (a family's children)."""
    groups: dict[int, set[int]] = {student_id: set() for student_id in student_ids}
    subgroups: dict[int, set[int]] = {student_id: set() for student_id in student_ids}
    group_names: dict[int, str] = {}
    subgroup_numbers: dict[int, int] = {}
    for student_id, group_id, grade, letter in _ENROLMENTS.rows(student_ids):
        groups[student_id].add(group_id)
        group_names[group_id] = class_group_name(grade, letter)
    for student_id, subgroup_id, number in _MEMBERSHIPS.rows(student_ids):
        subgroups[student_id].add(subgroup_id)
        subgroup_numbers[subgroup_id] = number
    rows = lessons_in_groups(group_names, subgroup_numbers, date_from, date_to, school_ids=school_ids)
    return {
        student_id: [
            row
            for row in rows
            if row.class_group_id in groups[student_id]
            and (row.subgroup_id is None or row.subgroup_id in subgroups[student_id])
        ]
        for student_id in student_ids
    }


def _taught(
    teacher_id: int, date_from: dt.date, date_to: dt.date, school_ids: list[int], *, scoped: bool
) -> QuerySet[Lesson, Any]:
    lessons = Lesson.objects.filter(
        Q(teacher_id=teacher_id) | Q(replaced_teacher_id=teacher_id), date__gte=date_from, date__lte=date_to
    )
    if scoped:
        lessons = lessons.filter(school_id__in=school_ids)
    return lessons.order_by("date", "number").values(*_FIELDS)  # type: ignore[no-any-return]


# Every person's timetable and calendar feed read these: built once (``parta.core.statements``).
_TAUGHT = statements.Statement(Lesson, _taught)
_GROUP_NAMES = statements.Statement(
    ClassGroup,
    lambda ids: ClassGroup.objects.filter(pk__in=ids).order_by().values_list("pk", "grade", "letter"),
)
_SUBGROUP_NUMBERS = statements.Statement(
    Subgroup, lambda ids: Subgroup.objects.filter(pk__in=ids).order_by().values_list("pk", "number")
)
_ENROLMENTS = statements.Statement(
    Enrolment,
    lambda ids: Enrolment.objects.filter(student_id__in=ids).values_list(
        "student_id", "class_group_id", "class_group__grade", "class_group__letter"
    ),
)
_MEMBERSHIPS = statements.Statement(
    SubgroupMembership,
    lambda ids: SubgroupMembership.objects.filter(student_id__in=ids).values_list(
        "student_id", "subgroup_id", "subgroup__number"
    ),
)


def lessons_for_teacher(
    teacher_id: int, date_from: dt.date, date_to: dt.date, *, school_ids: SchoolScope = None
) -> list[LessonRow]:
    """What the teacher teaches, and the lessons a substitute took over from them."""
    found = _TAUGHT.dicts(
        teacher_id, date_from, date_to, sorted(school_ids or ()), scoped=school_ids is not None
    )
    return _rows(found, date_from, date_to)


def lessons_for_class_group(class_group: ClassGroup, date_from: dt.date, date_to: dt.date) -> list[LessonRow]:
    return _rows(Lesson.objects.filter(class_group_id=class_group.pk), date_from, date_to)


def lessons_for_person(
    person_id: int, date_from: dt.date, date_to: dt.date, *, school_ids: SchoolScope = None
) -> list[LessonRow]:
    """A person's lessons whatever their role: a teacher's teaching, a student's learning."""
    teaching = lessons_for_teacher(person_id, date_from, date_to, school_ids=school_ids)
    learning = lessons_for_student(person_id, date_from, date_to, school_ids=school_ids)
    return sorted(teaching + learning, key=lambda row: (row.starts_at, row.class_group))


def shown_tokens(
    date_from: dt.date,
    date_to: dt.date,
    *,
    teacher_ids: Collection[int] = (),
    student_ids: Collection[int] = (),
    school_ids: SchoolScope = None,
) -> list[str]:
    """The class group and school tokens of what a timetable of these dates shows: the lessons
    the teachers teach or handed over, and the students' class groups. They cover the rooms, the
    class names and subgroups, and a lesson taken from a teacher (its class group's token)."""
    pairs: set[tuple[int, int]] = set()
    if teacher_ids:
        taught = Lesson.objects.filter(
            Q(teacher_id__in=teacher_ids) | Q(replaced_teacher_id__in=teacher_ids),
            date__gte=date_from,
            date__lte=date_to,
        )
        if school_ids is not None:
            taught = taught.filter(school_id__in=school_ids)
        pairs.update(taught.values_list("class_group_id", "school_id").distinct())
    if student_ids:
        enrolments = Enrolment.objects.filter(student_id__in=student_ids)
        if school_ids is not None:
            enrolments = enrolments.filter(school_id__in=school_ids)
        pairs.update(enrolments.values_list("class_group_id", "school_id"))
    return [
        token
        for group, school in sorted(pairs)
        for token in (versions.class_group(group), versions.school(school))
    ]


def timetable_reading(
    person_id: int, date_from: dt.date, date_to: dt.date, school_ids: SchoolScope
) -> versions.Reading:
    """How a person's timetable (:func:`lessons_for_person`) for these dates and this reader's
    scope is cached (``parta.core.versions``), once the reader may open it.

    It shows the lessons the person teaches or handed over (their ``teacher`` token, which every
    save of a lesson naming them and the bulk writes renew) and those of their class groups (their
    enrolments and subgroups are their ``student`` token), with names (``EVERYTHING``) and what
    :func:`shown_tokens` finds when the answer is made."""
    reader = "all" if school_ids is None else ",".join(str(pk) for pk in sorted(school_ids))
    return versions.Reading(
        key=f"timetable:{person_id}:{reader}:{date_from}:{date_to}",
        depends_on=(versions.EVERYTHING, versions.student(person_id), versions.teacher(person_id)),
        also_depends_on=lambda: shown_tokens(
            date_from, date_to, teacher_ids=[person_id], student_ids=[person_id], school_ids=school_ids
        ),
    )


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_days(rows: list[LessonRow], monday: dt.date, *, days: int = 6) -> list[Day]:
    """The school week Monday to Saturday, each day with its lessons (Saturday only if it has any)."""
    by_date: dict[dt.date, Day] = {
        monday + dt.timedelta(days=i): Day(monday + dt.timedelta(days=i)) for i in range(days)
    }
    for row in rows:
        if row.date in by_date:
            by_date[row.date].lessons.append(row)
    result = list(by_date.values())
    if days == 6 and not result[-1].lessons:
        result.pop()
    return result


# --- the bell schedule ---------------------------------------------------------------------


@dataclass(frozen=True)
class BellRow:
    id: int
    number: int
    starts_at: dt.time
    ends_at: dt.time
    # Minutes from the end of the lesson before (None for the first).
    break_minutes: int | None
    in_template: bool

    @property
    def minutes(self) -> int:
        return _minutes(self.ends_at) - _minutes(self.starts_at)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def bell_rows(school_id: int) -> list[BellRow]:
    """The school's lesson times in order, each with the break before it and whether the weekly
    timetable uses its number: two queries."""
    used = set(TemplateSlot.objects.filter(school_id=school_id).values_list("number", flat=True).distinct())
    rows: list[BellRow] = []
    previous: dt.time | None = None
    for pk, number, starts_at, ends_at in (
        Bell.objects.filter(school_id=school_id)
        .order_by("number")
        .values_list("pk", "number", "starts_at", "ends_at")
    ):
        rows.append(
            BellRow(
                id=pk,
                number=number,
                starts_at=starts_at,
                ends_at=ends_at,
                break_minutes=_minutes(starts_at) - _minutes(previous) if previous else None,
                in_template=number in used,
            )
        )
        previous = ends_at
    return rows


def changed_lessons(school_id: int, date_from: dt.date, date_to: dt.date) -> list[LessonRow]:
    """The school's substituted and cancelled lessons in a date range: what the administrator's
    substitutions page lists for a day."""
    lessons = Lesson.objects.filter(
        Q(replaced_teacher_id__isnull=False) | Q(status=Lesson.Status.CANCELLED), school_id=school_id
    )
    return _rows(lessons, date_from, date_to)


def lesson_row(lesson: Lesson) -> LessonRow:
    """One lesson as pages and the API show it."""
    return _rows(Lesson.objects.filter(pk=lesson.pk), lesson.date, lesson.date)[0]
