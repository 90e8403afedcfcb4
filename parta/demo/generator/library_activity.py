"""What the demo's teachers and students did with the library: materials given at lessons,
views, downloads and ratings, and the methodologist's reviews, as rows to write in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from parta.demo.generator.library_rows import Planned, db_time, weighted
from parta.demo.generator.library_texts import PUBLISH_COMMENTS, REVIEW_COMMENTS
from parta.library.models import Review, Status, Use
from parta.schools.models import Enrolment, StaffMembership
from parta.timetable.models import Lesson

if TYPE_CHECKING:
    from parta.demo.generator.library import _Demo

# Given at the lessons of the last four weeks and the next; used over the last six weeks.
LESSONS_BEFORE, LESSONS_AFTER = 28, 7
USAGE_DAYS = 42
STARS = ((5, 0.45), (4, 0.35), (3, 0.14), (2, 0.04), (1, 0.02))
USE_FIELDS = ("material", "kind", "user", "at", "counted")
RATING_FIELDS = ("material", "user", "stars", "updated_at")
REVIEW_FIELDS = ("material", "version", "reviewer", "decision", "comment", "created_at")
ASSIGNMENT_FIELDS = ("school", "material", "class_group", "lesson", "origin", "added_by", "added_at")


def lesson_assignments(
    demo: _Demo, by_topic: dict[int, list[Planned]], uses: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Materials given at the school's lessons of the last weeks and the next one, by the
    lesson's teacher, from those of the lesson's topic they may open; the class's students open
    them after a lesson."""
    rng, rows = demo.rng, []
    lessons = (
        Lesson.objects.filter(
            school=demo.school,
            topic_id__in=list(by_topic),
            status=Lesson.Status.SCHEDULED,
            date__gte=demo.today - dt.timedelta(days=LESSONS_BEFORE),
            date__lt=demo.today + dt.timedelta(days=LESSONS_AFTER),
        )
        .order_by("date", "number", "pk")
        .values_list("pk", "class_group_id", "teacher_id", "topic_id", "starts_at")
    )
    students: dict[int, list[int]] = defaultdict(list)
    for group, student in (
        Enrolment.objects.filter(school=demo.school)
        .order_by("pk")
        .values_list("class_group_id", "student_id")
    ):
        students[group].append(student)
    for lesson, group, teacher, topic, starts_at in lessons:
        if rng.random() >= 0.4:
            continue
        usable = [m for m in by_topic[topic] if demo.readable_by(teacher, m)]
        for material in rng.sample(usable, min(len(usable), rng.randint(1, 2))):
            added = min(demo.now, starts_at - dt.timedelta(hours=rng.randint(2, 60)))
            rows.append(
                (demo.school.pk, material.pk, group, lesson, f"lesson:{lesson}", teacher, db_time(added))
            )
            uses.append((material.pk, Use.Kind.LESSON, teacher, added))
            if starts_at < demo.now:
                members = students.get(group, [])
                for student in rng.sample(members, rng.randint(0, len(members) // 3)):
                    seen = min(demo.now, starts_at + dt.timedelta(hours=rng.randint(1, 30)))
                    uses.append((material.pk, Use.Kind.VIEW, student, seen))
    return rows


def usage_and_ratings(demo: _Demo, uses: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Views and downloads over the last weeks (a few materials read often, most seldom) and
    teachers' ratings of what others made; returns the ratings."""
    rng = demo.rng
    teachers = list(
        StaffMembership.objects.filter(school=demo.school, role=StaffMembership.Role.TEACHER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    readers = teachers + list(
        Enrolment.objects.filter(school=demo.school).order_by("pk").values_list("student_id", flat=True)
    )
    ratings = []
    for material in demo.materials:
        if not material.published:
            continue
        views = min(300, int(rng.paretovariate(1.2) * 4) - 2)
        files = bool(material.file) or material.sort == "textbook"
        for _ in range(max(0, views)):
            reader, at = rng.choice(readers), demo.when(rng.randint(0, USAGE_DAYS))
            uses.append((material.pk, Use.Kind.VIEW, reader, at))
            if files and rng.random() < 0.3:
                uses.append((material.pk, Use.Kind.DOWNLOAD, reader, at))
        raters = [t for t in teachers if t != material.owner]
        for rater in rng.sample(
            raters, min(len(raters), weighted(rng, ((0, 0.35), (1, 0.25), (2, 0.2), (4, 0.12), (7, 0.08))))
        ):
            ratings.append(
                (material.pk, rater, weighted(rng, STARS), db_time(demo.when(rng.randint(0, USAGE_DAYS))))
            )
    return ratings


def reviews_of(demo: _Demo) -> list[tuple[Any, ...]]:
    rows = []
    for m in demo.materials:
        if m.stored:
            continue
        if m.published:
            comment = demo.rng.choice(PUBLISH_COMMENTS)
            rows.append(
                (
                    m.pk,
                    m.version_pk,
                    demo.methodologist.pk,
                    Review.Decision.PUBLISHED,
                    comment,
                    db_time(m.published_at),
                )
            )
        elif m.status == Status.RETURNED:
            returned = min(demo.now, m.created_at + dt.timedelta(days=2))
            rows.append(
                (
                    m.pk,
                    m.version_pk,
                    demo.methodologist.pk,
                    Review.Decision.RETURNED,
                    demo.rng.choice(REVIEW_COMMENTS),
                    db_time(returned),
                )
            )
    return rows
