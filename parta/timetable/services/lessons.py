"""The year's lessons: made from the weekly template when it is published, and their topics.

Publishing from a date brings the lessons from that date in line with the template and changes
nothing else: a lesson the template still has at the same time, in the same room and with the
same times stays as it is (its topic, substitution or cancellation included); a lesson anything
refers to (a mark, attendance, homework, a substitution's history: whatever an app keeps about
it) is never removed or changed; the rest is removed and made again from the template.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import versions
from parta.curriculum.models import PlanItem
from parta.outbox import handlers
from parta.outbox.models import OutboxEvent
from parta.schools.models import AcademicYear, TeachingAssignment
from parta.timetable.models import Bell, Lesson, TemplateSlot

BATCH_SIZE = 2000
T = TypeVar("T")
Progress = Callable[[int, int], None]
# (date, lesson number, teaching assignment): what a lesson is to the template.
Key = tuple[dt.date, int, int]


@dataclass
class PublishResult:
    created: int = 0
    removed: int = 0
    unchanged: int = 0
    # Lessons something refers to (marks, attendance, homework), left as they are, and the
    # template's lessons that could not be made because such a lesson holds their time.
    kept: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def school_days(
    year: AcademicYear, *, since: dt.date | None = None, weekdays: Iterable[int] = range(1, 6)
) -> list[dt.date]:
    """The year's dates that fall on the given ISO weekdays and not in a holiday."""
    holidays = list(year.holidays.values_list("starts_on", "ends_on"))
    wanted = set(weekdays) - {7}
    day = max(since or year.starts_on, year.starts_on)
    days = []
    while day <= year.ends_on:
        if day.isoweekday() in wanted and not any(start <= day <= end for start, end in holidays):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def lessons_with_records(year: AcademicYear, since: dt.date) -> set[int]:
    """The year's lessons from ``since`` that any row refers to. Read through the model's reverse
    relations, so the timetable names none of the apps built on it (marks, attendance, homework)."""
    held: set[int] = set()
    for relation in Lesson._meta.related_objects:
        name = relation.field.name
        if relation.many_to_many:
            rows = Lesson.objects.filter(year=year, date__gte=since).exclude(
                **{f"{relation.name}__isnull": True}
            )
            held.update(rows.values_list("pk", flat=True))
            continue
        related = relation.related_model._default_manager.filter(
            **{f"{name}__year_id": year.pk, f"{name}__date__gte": since}
        )
        held.update(related.values_list(name, flat=True).distinct())
    return held


class _Occupied:
    """Who and what the lessons that stay occupy, day by day, so a new one never double-books."""

    def __init__(self) -> None:
        self.teacher: set[tuple[int, dt.date, int]] = set()
        self.room: set[tuple[int, dt.date, int]] = set()
        self.whole: set[tuple[int, dt.date, int]] = set()
        self.subgroups: dict[tuple[int, dt.date, int], set[int]] = defaultdict(set)

    def add(self, lesson: dict[str, Any]) -> None:
        at = (lesson["date"], lesson["number"])
        self.teacher.add((lesson["teacher_id"], *at))
        if lesson["room_id"]:
            self.room.add((lesson["room_id"], *at))
        group = (lesson["class_group_id"], *at)
        if lesson["subgroup_id"] is None:
            self.whole.add(group)
        else:
            self.subgroups[group].add(lesson["subgroup_id"])

    def holds(self, lesson: dict[str, Any]) -> bool:
        at = (lesson["date"], lesson["number"])
        group = (lesson["class_group_id"], *at)
        if (lesson["teacher_id"], *at) in self.teacher or group in self.whole:
            return True
        if lesson["room_id"] and (lesson["room_id"], *at) in self.room:
            return True
        taken = self.subgroups.get(group, set())
        return bool(taken) and (lesson["subgroup_id"] is None or lesson["subgroup_id"] in taken)


def _same(existing: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a lesson already is what the template wants (a substitute may teach it)."""
    planned = existing["replaced_teacher_id"] or existing["teacher_id"]
    return bool(
        planned == wanted["teacher_id"]
        and existing["room_id"] == wanted["room_id"]
        and existing["starts_at"] == wanted["starts_at"]
        and existing["ends_at"] == wanted["ends_at"]
    )


_LESSON_FIELDS = (
    "pk",
    "date",
    "number",
    "assignment_id",
    "teacher_id",
    "replaced_teacher_id",
    "room_id",
    "class_group_id",
    "subgroup_id",
    "starts_at",
    "ends_at",
    "status",
)


@transaction.atomic
def timetable_publish(
    *, year: AcademicYear, since: dt.date | None = None, progress: Progress | None = None
) -> PublishResult:
    """Make the year's lessons from ``since`` (by default the year's first day while it has no
    lessons, tomorrow in the city's zone once it has) what the weekly template says: see the
    module's docstring for what stays. Weekends and holidays get no lessons; times come from the
    school's bells in the city's zone (TIME_ZONE), so a changed bell re-times the lessons it
    may change. ``progress(done, total)`` is called as the lessons are made.
    """
    slots: list[dict[str, Any]] = [
        dict(row)
        for row in TemplateSlot.objects.filter(year=year).values(
            "assignment_id",
            "assignment__subject_id",
            "weekday",
            "number",
            "teacher_id",
            "class_group_id",
            "subgroup_id",
            "room_id",
        )
    ]
    if not slots:
        raise ValidationError({"year": _("The year has no timetable template yet: build it first.")})
    bells = {bell.number: bell for bell in Bell.objects.filter(school_id=year.school_id)}
    missing = sorted({slot["number"] for slot in slots} - set(bells))
    if missing:
        raise ValidationError(
            {
                "bells": _("The bell schedule has no time for lesson %(numbers)s.")
                % {"numbers": ", ".join(map(str, missing))}
            }
        )
    if since is None:
        has_lessons = Lesson.objects.filter(year=year).exists()
        since = timezone.localdate() + dt.timedelta(days=1) if has_lessons else year.starts_on
    result = PublishResult()
    existing: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row in Lesson.objects.filter(year=year, date__gte=since).values(*_LESSON_FIELDS):
        existing[(row["date"], row["number"], row["assignment_id"])].append(row)
    held = lessons_with_records(year, since) if existing else set()
    stays = _Occupied()
    for rows in existing.values():
        for row in rows:
            if row["pk"] in held:
                result.kept += 1
                if row["status"] == Lesson.Status.SCHEDULED:
                    stays.add(row)

    by_weekday: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot["weekday"]].append(slot)
    zone = ZoneInfo(settings.TIME_ZONE)
    days = school_days(year, since=since, weekdays=by_weekday)
    remove: list[dict[str, Any]] = []
    create: list[dict[str, Any]] = []
    for day in days:
        for slot in by_weekday[day.isoweekday()]:
            bell = bells[slot["number"]]
            wanted = slot | {
                "date": day,
                "starts_at": dt.datetime.combine(day, bell.starts_at, tzinfo=zone),
                "ends_at": dt.datetime.combine(day, bell.ends_at, tzinfo=zone),
            }
            there = existing.pop((day, slot["number"], slot["assignment_id"]), [])
            free = [row for row in there if row["pk"] not in held]
            if len(free) == 1 and len(there) == 1 and _same(free[0], wanted):
                result.unchanged += 1
                stays.add(free[0])
                continue
            remove += free
            # A kept lesson of the same assignment at this time is the template's lesson already.
            if len(free) == len(there):
                create.append(wanted)
    # Lessons on days or at times the template no longer has.
    remove += [row for rows in existing.values() for row in rows if row["pk"] not in held]
    for batch in _batches((row["pk"] for row in remove), BATCH_SIZE):
        Lesson.objects.filter(pk__in=batch).delete()
    result.removed = len(remove)

    def lessons() -> Iterator[Lesson]:
        for wanted in create:
            if stays.holds(wanted):
                result.skipped += 1
                continue
            yield Lesson(
                school_id=year.school_id,
                year_id=year.pk,
                assignment_id=wanted["assignment_id"],
                date=wanted["date"],
                number=wanted["number"],
                starts_at=wanted["starts_at"],
                ends_at=wanted["ends_at"],
                class_group_id=wanted["class_group_id"],
                subgroup_id=wanted["subgroup_id"],
                subject_id=wanted["assignment__subject_id"],
                teacher_id=wanted["teacher_id"],
                room_id=wanted["room_id"],
            )

    total = max(len(create), 1)
    for batch in _batches(lessons(), BATCH_SIZE):
        Lesson.objects.bulk_create(batch)
        result.created += len(batch)
        if progress is not None:
            progress(result.created + result.skipped, total)
    # bulk writes send no signals: every cached diary and journal of the school is remade, and
    # the timetable of every teacher given lessons (one that showed none of the school's before
    # depends on no token of it).
    teachers = {slot["teacher_id"] for slot in slots} | {row["teacher_id"] for row in remove}
    versions.touch([versions.school(year.school_id), *(versions.teacher(pk) for pk in sorted(teachers))])
    return result


@transaction.atomic
def _topics_assign(assignments: Q, since: dt.date | None = None) -> int:
    chosen = TeachingAssignment.objects.filter(assignments).values("pk")
    sequence: dict[int, list[int]] = defaultdict(list)
    items = PlanItem.objects.filter(plan__assignment__in=chosen).order_by("plan__assignment_id", "order")
    for assignment_id, item_topic_id, hours in items.values_list("plan__assignment_id", "topic_id", "hours"):
        sequence[assignment_id].extend([item_topic_id] * hours)
    position: Counter[int] = Counter()
    changed: dict[int | None, list[int]] = defaultdict(list)
    lessons = Lesson.objects.filter(assignment__in=chosen).order_by("assignment_id", "date", "number")
    for pk, assignment_id, status, current, day in lessons.values_list(
        "pk", "assignment_id", "status", "topic_id", "date"
    ):
        topic_id: int | None = None
        if status == Lesson.Status.SCHEDULED:
            topics = sequence.get(assignment_id, [])
            index = position[assignment_id]
            topic_id = topics[index] if index < len(topics) else None
            position[assignment_id] += 1
        # Lessons before ``since`` keep what they had, but still take their place in the plan.
        if current != topic_id and (since is None or day >= since):
            changed[topic_id].append(pk)
    # One UPDATE per topic: parallel classes share topics, so this is far fewer statements (and
    # far less SQL to build) than bulk_update's CASE per lesson.
    for topic_id, pks in changed.items():
        for batch in _batches(pks, 500):
            Lesson.objects.filter(pk__in=batch).update(topic_id=topic_id)
    if changed:  # QuerySet.update sends no signals
        schools = TeachingAssignment.objects.filter(assignments).values_list("school_id", flat=True)
        versions.touch(versions.school(pk) for pk in set(schools))
    return sum(len(pks) for pks in changed.values())


def lessons_assign_topics(*, assignment: TeachingAssignment, since: dt.date | None = None) -> int:
    """Give the assignment's lessons the topics of its thematic plan, in date order.

    Each plan item covers as many lessons as it has hours. Cancelled lessons get no topic (the
    plan moves on to the next lesson); lessons beyond the end of the plan get none either, as
    reserve hours the teacher fills. Every lesson from ``since`` on is rewritten (no ``since``:
    every lesson, past ones too); earlier ones keep their topics. Returns the number of lessons
    whose topic changed.
    """
    return _topics_assign(Q(pk=assignment.pk), since)


def lessons_assign_topics_for_year(*, year: AcademicYear, since: dt.date | None = None) -> int:
    """``lessons_assign_topics`` for every assignment of the year in one pass."""
    return _topics_assign(Q(year_id=year.pk), since)


def lessons_follow_plans(events: Sequence[OutboxEvent]) -> None:
    """A teacher changed thematic plans (``curriculum.plan_changed``): the lessons of those
    assignments from today on take the plans' topics; the lessons given are left as they were."""
    ids = handlers.payload_ids(events, "assignment")
    if ids:
        _topics_assign(Q(pk__in=ids), timezone.localdate())
