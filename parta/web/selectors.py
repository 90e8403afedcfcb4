"""Reads for the home page of each role: plain data, a few queries per block.

The caller passes the user's ``Roles`` (already read by the request), so nothing here widens
what a user reaches: each block is built only from the ids their roles carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from parta.core.home import ShownPanel, child_panels
from parta.core.i18n import pick
from parta.curriculum.models import Outcome, Topic
from parta.homework.selectors import HomeworkRow, homework_list
from parta.messaging.notifications import NotificationRow, unread_about_students
from parta.messaging.selectors import UnreadThread, unread_threads
from parta.schools.access import Roles
from parta.schools.models import City, ClassGroup, Enrolment, School, StaffMembership, TeachingAssignment
from parta.schools.selectors import children_of, current_years, student_placement
from parta.timetable.models import Lesson
from parta.timetable.selectors import (
    LessonRow,
    lessons_for_students,
    lessons_for_teacher,
)

# A family's home looks this far ahead for the next school day (a holiday of two weeks at most).
NEXT_DAY_HORIZON = 14
HOMEWORK_NEXT = 3
# Homework left undone longer ago than this no longer shows as overdue on the home page.
OVERDUE_DAYS = 30
NEWS_SHOWN = 5


@dataclass(frozen=True)
class ChildHome:
    """What a student, or a parent for each child, sees first: never an empty card. The day's
    lessons (today's, or the next school day's when today has none), what is new since the last
    visit (unread notifications about the child: marks, absences, remarks…), the unread
    conversations about the child or their class, the homework due next and what is overdue."""

    id: int
    name: str
    class_group_id: int | None
    class_group: str | None
    day: dt.date | None
    lessons: list[LessonRow]
    news: list[NotificationRow]
    news_more: int
    messages: list[UnreadThread]
    homework_next: list[HomeworkRow]
    overdue: list[HomeworkRow]
    # What other apps add (core.home): passages today, the meal account…
    panels: list[ShownPanel] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def _next_day(rows: list[LessonRow], today: dt.date) -> tuple[dt.date | None, list[LessonRow]]:
    """Today's lessons if there are any, else the first later day's (None: nothing ahead)."""
    days = sorted({row.date for row in rows if row.date >= today})
    if not days:
        return None, []
    return days[0], [row for row in rows if row.date == days[0]]


@dataclass(frozen=True)
class FamilyHome:
    cards: list[ChildHome]
    # A guardian's unread conversations about none of the children (a student's are on their card).
    other_messages: list[UnreadThread]


def _about(thread: UnreadThread, student_id: int, class_group_id: int | None) -> bool:
    """The conversation is about the child, or is an announcement to the child's class."""
    if thread.student_id is not None:
        return thread.student_id == student_id
    return class_group_id is not None and thread.class_group_id == class_group_id


def family_home(user: Any, roles: Roles, today: dt.date, *, children: bool) -> FamilyHome:
    """The cards of a student (``children`` false: their own) or of a guardian's children. A few
    queries per child (its class, its homework); the lessons, the news and the unread
    conversations of all of them at once."""
    if children:
        people = [
            (c.pk, c.first_name or c.username)
            for c in children_of(roles).only("pk", "first_name", "username")
        ]
    else:
        people = [(roles.user_id, "")]
    ids = [pk for pk, _name in people]
    lessons = lessons_for_students(ids, today, today + dt.timedelta(days=NEXT_DAY_HORIZON))
    news = unread_about_students(user, ids)
    threads = unread_threads(user)
    panels = child_panels(user, ids, today)
    cards = []
    for pk, name in people:
        placement = student_placement(pk, today)
        day, day_lessons = _next_day(lessons[pk], today)
        todo = homework_list(user, pk, status="todo", date_from=today - dt.timedelta(days=OVERDUE_DAYS))
        group_id = placement.class_group_id if placement else None
        cards.append(
            ChildHome(
                id=pk,
                name=name,
                class_group_id=group_id,
                class_group=placement.class_group if placement else None,
                day=day,
                lessons=day_lessons,
                news=news[pk][:NEWS_SHOWN],
                news_more=max(0, len(news[pk]) - NEWS_SHOWN),
                messages=[t for t in threads if not children or _about(t, pk, group_id)],
                homework_next=[h for h in todo if h.due_on >= today][:HOMEWORK_NEXT],
                overdue=[h for h in todo if h.due_on < today],
                panels=panels[pk],
            )
        )
    shown = {t.id for card in cards for t in card.messages}
    return FamilyHome(cards, [t for t in threads if t.id not in shown])


@dataclass
class TaughtGroup:
    id: int
    name: str
    subjects: list[str] = field(default_factory=list)
    hours: int = 0


@dataclass(frozen=True)
class Homeroom:
    id: int
    name: str
    student_count: int


@dataclass(frozen=True)
class TeacherHome:
    lessons: list[LessonRow]
    groups: list[TaughtGroup]
    homerooms: list[Homeroom]


def teacher_home(roles: Roles, today: dt.date) -> TeacherHome:
    """Today's lessons, the class groups taught this year and the homeroom class: four queries."""
    years = current_years(roles.teacher_school_ids, today)
    year_ids = [y.pk for y in years.values()]
    groups: dict[int, TaughtGroup] = {}
    assignments = (
        TeachingAssignment.objects.filter(teacher_id=roles.user_id, year_id__in=year_ids)
        .order_by("class_group__grade", "class_group__letter", "subject__order")
        .values_list(
            "class_group_id",
            "class_group__grade",
            "class_group__letter",
            "subgroup__number",
            "subject__name_ru",
            "subject__name_en",
            "hours_per_week",
        )
    )
    for group_id, grade, letter, subgroup, name_ru, name_en, hours in assignments:
        group = groups.setdefault(group_id, TaughtGroup(id=group_id, name=f"{grade}{letter}"))
        subject = pick(name_ru, name_en)
        group.subjects.append(f"{subject} ({subgroup})" if subgroup else subject)
        group.hours += hours
    homerooms = [
        Homeroom(id=g.pk, name=g.name, student_count=g.student_count)
        for g in ClassGroup.objects.filter(class_teacher_id=roles.user_id, year_id__in=year_ids)
        .annotate(student_count=Count("enrolments"))
        .order_by("grade", "letter")
    ]
    return TeacherHome(
        lessons=lessons_for_teacher(roles.user_id, today, today),
        groups=list(groups.values()),
        homerooms=homerooms,
    )


@dataclass(frozen=True)
class SchoolSummary:
    id: int
    name: str
    year: str | None
    class_groups: int
    students: int
    teachers: int
    lessons_today: int
    substitutions_today: int
    cancellations_today: int


def school_summaries(school_ids: frozenset[int], today: dt.date) -> list[SchoolSummary]:
    """Counts for the administrator's dashboard: five queries, however many schools."""
    ids = sorted(school_ids)
    years = current_years(ids, today)
    year_ids = [y.pk for y in years.values()]
    groups = dict(
        ClassGroup.objects.filter(year_id__in=year_ids)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    students = dict(
        Enrolment.objects.filter(year_id__in=year_ids)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    teachers = dict(
        StaffMembership.objects.filter(school_id__in=ids, role=StaffMembership.Role.TEACHER)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    lessons: dict[int, tuple[int, int, int]] = {
        row["school_id"]: (row["scheduled"], row["substituted"], row["cancelled"])
        for row in Lesson.objects.filter(school_id__in=ids, date=today)
        .values("school_id")
        .annotate(
            scheduled=Count("pk", filter=Q(status=Lesson.Status.SCHEDULED)),
            substituted=Count("pk", filter=Q(status=Lesson.Status.SCHEDULED, replaced_teacher__isnull=False)),
            cancelled=Count("pk", filter=Q(status=Lesson.Status.CANCELLED)),
        )
    }
    return [
        SchoolSummary(
            id=school.pk,
            name=school.name,
            year=years[school.pk].name if school.pk in years else None,
            class_groups=groups.get(school.pk, 0),
            students=students.get(school.pk, 0),
            teachers=teachers.get(school.pk, 0),
            lessons_today=lessons.get(school.pk, (0, 0, 0))[0],
            substitutions_today=lessons.get(school.pk, (0, 0, 0))[1],
            cancellations_today=lessons.get(school.pk, (0, 0, 0))[2],
        )
        for school in School.objects.filter(pk__in=ids).order_by("name")
    ]


CITY_SCHOOLS_SHOWN = 12


@dataclass(frozen=True)
class CitySchool:
    id: int
    name: str
    district: str


@dataclass(frozen=True)
class SubjectTopics:
    subject: str
    sections: int
    topics: int
    grades: str


@dataclass(frozen=True)
class CityOverview:
    cities: list[str]
    schools: list[CitySchool]
    school_total: int
    subjects: list[SubjectTopics]
    topic_total: int
    outcome_total: int


def city_overview(roles: Roles) -> CityOverview:
    """The methodologist's city: its schools and the topic framework by subject: five queries.
    A city has hundreds of schools, so the home page lists the first few and counts the rest."""
    city_ids = list(roles.methodologist_city_ids)
    city_schools = School.objects.filter(city_id__in=city_ids)
    schools = [
        CitySchool(id=s.pk, name=s.name, district=s.district.name)
        for s in city_schools.select_related("district").order_by("district__name", "name")[
            :CITY_SCHOOLS_SHOWN
        ]
    ]
    subjects = [
        SubjectTopics(
            subject=pick(row["subject__name_ru"], row["subject__name_en"]),
            sections=row["sections"],
            topics=row["topics"],
            grades=f"{row['first']}–{row['last']}" if row["first"] != row["last"] else str(row["first"]),
        )
        for row in Topic.objects.values(
            "subject_id", "subject__name_ru", "subject__name_en", "subject__order"
        )
        .annotate(
            topics=Count("pk"),
            sections=Count("section", distinct=True),
            first=Min("grade"),
            last=Max("grade"),
        )
        .order_by("subject__order", "subject__name_ru")
    ]
    return CityOverview(
        cities=list(City.objects.filter(pk__in=city_ids).order_by("name").values_list("name", flat=True)),
        schools=schools,
        school_total=city_schools.count(),
        subjects=subjects,
        topic_total=sum(s.topics for s in subjects),
        outcome_total=Outcome.objects.count(),
    )


def header_school(roles: Roles) -> str | None:
    """The name in the page header: the school one works in, or the children's school."""
    if roles.staff_school_ids:
        return (
            School.objects.filter(pk__in=roles.staff_school_ids)
            .order_by("pk")
            .values_list("short_name", flat=True)
            .first()
        )
    family = roles.child_ids | {roles.user_id}
    if roles.is_student or roles.is_guardian:
        return (
            Enrolment.objects.filter(student_id__in=family)
            .order_by("-year__starts_on")
            .values_list("school__short_name", flat=True)
            .first()
        )
    if roles.is_methodologist:
        return (
            City.objects.filter(pk__in=roles.methodologist_city_ids)
            .order_by("name")
            .values_list("name", flat=True)
            .first()
        )
    return None
