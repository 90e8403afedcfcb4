"""Nobody is in two places at once (issue 17, item 11): whatever the school's classes, shared
teachers, split subjects and rooms, the weekly template and the lessons made from it never book
a teacher, a room or a class group twice at the same time (a subgroup's lesson shares its time
with the other subgroups, never with the whole class); and substitutions, cancellations and
restorations keep it so, refusing exactly the changes that would double-book a teacher."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from parta.schools.models import StaffMembership
from parta.testing import factories as f
from parta.timetable.models import Lesson, TemplateSlot, Unavailability
from parta.timetable.services import (
    lesson_cancel,
    lesson_restore,
    lesson_substitute,
    template_build,
    template_slot_save,
    timetable_publish,
)
from parta.timetable.tests.conftest import bells_for

MONDAY = dt.date(2026, 9, 7)

# One school: its class groups, each with subjects (teacher index, hours, split in two subgroups,
# the second subgroup's teacher as an offset from the first's: 0 is the same teacher for both).
subjects = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 4), st.booleans(), st.integers(0, 3)), min_size=1, max_size=3
)
schools = st.fixed_dictionaries(
    {
        "groups": st.lists(subjects, min_size=1, max_size=3),
        "rooms": st.integers(1, 4),
        "seed": st.integers(0, 10_000),
    }
)


def build(school_plan: dict[str, Any]) -> dict[str, Any]:
    """The school of ``school_plan`` with a two-week year, its template and lessons (None when the
    week cannot hold the hours: the solver refuses, which is not double-booking)."""
    school = f.SchoolFactory.create()
    year = f.AcademicYearFactory.create(
        school=school, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=13)
    )
    building = f.BuildingFactory.create(school=school)
    for _ in range(school_plan["rooms"]):
        f.RoomFactory.create(building=building)
    bells_for(school)
    teachers = [f.UserFactory.create() for _ in range(4)]
    admin = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=school, user=admin, role=StaffMembership.Role.ADMIN)
    for teacher in teachers:
        f.StaffMembershipFactory.create(school=school, user=teacher)
    letters = iter("АБВ")
    for group_subjects in school_plan["groups"]:
        group = f.ClassGroupFactory.create(year=year, building=building, grade=5, letter=next(letters))
        for index, (teacher, hours, split, offset) in enumerate(group_subjects):
            subject = f.SubjectFactory.create(code=f"s{group.pk}-{index}")
            if not split:
                f.TeachingAssignmentFactory.create(
                    class_group=group, teacher=teachers[teacher], subject=subject, hours_per_week=hours
                )
                continue
            for number in (1, 2):
                subgroup = f.SubgroupFactory.create(class_group=group, subject=subject, number=number)
                f.TeachingAssignmentFactory.create(
                    class_group=group,
                    subgroup=subgroup,
                    teacher=teachers[(teacher + (number - 1) * offset) % 4],
                    subject=subject,
                    hours_per_week=hours,
                )
    try:
        template_build(year=year, seed=school_plan["seed"])
    except ValidationError:
        assume(False)
    timetable_publish(year=year)
    return {"year": year, "teachers": teachers, "admin": admin}


def assert_nobody_in_two_places(rows: Iterable[dict[str, Any]], when: tuple[str, str]) -> None:
    """``rows``: slots or scheduled lessons with teacher_id, room_id, class_group_id, subgroup_id."""
    rows = list(rows)
    teachers = Counter((row["teacher_id"], row[when[0]], row[when[1]]) for row in rows)
    assert max(teachers.values(), default=1) == 1, teachers
    rooms = Counter((row["room_id"], row[when[0]], row[when[1]]) for row in rows if row["room_id"])
    assert max(rooms.values(), default=1) == 1, rooms
    classes: dict[tuple[Any, ...], list[int | None]] = defaultdict(list)
    for row in rows:
        classes[(row["class_group_id"], row[when[0]], row[when[1]])].append(row["subgroup_id"])
    for at, subgroups in classes.items():
        # The whole class alone, or distinct subgroups side by side.
        assert subgroups == [None] or (None not in subgroups and len(set(subgroups)) == len(subgroups)), at


FIELDS = ("teacher_id", "room_id", "class_group_id", "subgroup_id")


def assert_lessons_are_single_booked() -> None:
    assert_nobody_in_two_places(
        Lesson.objects.filter(status=Lesson.Status.SCHEDULED).values("date", "number", *FIELDS),
        ("date", "number"),
    )


def change(action: str, admin: Any, lesson: Lesson, teacher: Any) -> None:
    if action == "substitute":
        lesson_substitute(actor=admin, lesson=lesson, teacher=teacher)
    elif action == "cancel":
        lesson_cancel(actor=admin, lesson=lesson, reason="Карантин")
    else:
        lesson_restore(actor=admin, lesson=lesson)


class TestNoDoubleBooking(HypothesisTestCase):
    @hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(schools)
    def test_the_template_and_the_lessons_book_nobody_twice(self, school_plan: dict[str, Any]) -> None:
        built = build(school_plan)
        slots = TemplateSlot.objects.filter(year=built["year"]).values("weekday", "number", *FIELDS)
        assert_nobody_in_two_places(slots, ("weekday", "number"))
        assert Lesson.objects.filter(year=built["year"]).exists()
        assert_lessons_are_single_booked()

    @hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        schools,
        st.lists(
            st.tuples(
                st.sampled_from(["substitute", "cancel", "restore"]), st.integers(0, 999), st.integers(0, 3)
            ),
            min_size=1,
            max_size=12,
        ),
    )
    def test_changes_to_lessons_refuse_exactly_what_would_double_book(
        self, school_plan: dict[str, Any], steps: list[tuple[str, int, int]]
    ) -> None:
        built = build(school_plan)
        lessons = list(Lesson.objects.filter(year=built["year"]).order_by("date", "number", "pk"))
        admin = built["admin"]
        for action, lesson_index, teacher_index in steps:
            lesson = lessons[lesson_index % len(lessons)]
            lesson.refresh_from_db()
            teacher = built["teachers"][teacher_index]
            same_time = Lesson.objects.filter(
                date=lesson.date, number=lesson.number, status=Lesson.Status.SCHEDULED
            ).exclude(pk=lesson.pk)
            if action == "substitute":
                allowed = (
                    lesson.status == Lesson.Status.SCHEDULED
                    and teacher.pk != lesson.teacher_id
                    and not same_time.filter(teacher_id=teacher.pk).exists()
                )
            elif action == "cancel":
                allowed = lesson.status == Lesson.Status.SCHEDULED
            else:
                whole_or_same = same_time.filter(class_group_id=lesson.class_group_id)
                if lesson.subgroup_id is not None:
                    whole_or_same = whole_or_same.filter(subgroup__isnull=True) | whole_or_same.filter(
                        subgroup_id=lesson.subgroup_id
                    )
                allowed = (
                    lesson.status == Lesson.Status.CANCELLED
                    and not same_time.filter(teacher_id=lesson.teacher_id).exists()
                    and not (lesson.room_id and same_time.filter(room_id=lesson.room_id).exists())
                    and not whole_or_same.exists()
                )
            try:
                change(action, admin, lesson, teacher)
            except ValidationError:
                assert not allowed, (action, lesson.pk, teacher.pk)
            else:
                assert allowed, (action, lesson.pk, teacher.pk)
            assert_lessons_are_single_booked()

    @hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        schools,
        st.lists(st.tuples(st.integers(0, 3), st.integers(1, 5), st.integers(1, 7)), max_size=12),
        st.lists(
            st.tuples(st.integers(0, 999), st.integers(1, 6), st.integers(1, 7)), min_size=1, max_size=8
        ),
    )
    def test_drafts_with_blocked_times_hand_edits_and_republishing_book_nobody_twice(
        self,
        school_plan: dict[str, Any],
        blocked: list[tuple[int, int, int]],
        moves: list[tuple[int, int, int]],
    ) -> None:
        """Whatever times teachers cannot teach and whatever slots the administrator moves, the
        draft keeps clear of those times, every accepted edit leaves the week single-booked, and
        publishing it again over lessons with marks books nobody twice."""
        built = build(school_plan)
        year, teachers, admin = built["year"], built["teachers"], built["admin"]
        for teacher_index, weekday, number in blocked:
            Unavailability.objects.get_or_create(
                school=year.school, year=year, teacher=teachers[teacher_index], weekday=weekday, number=number
            )
        template_build(year=year, seed=school_plan["seed"], partial=True)
        slots = TemplateSlot.objects.filter(year=year)
        times = set(Unavailability.objects.filter(year=year).values_list("teacher_id", "weekday", "number"))
        assert not set(slots.values_list("teacher_id", "weekday", "number")) & times
        lessons = list(Lesson.objects.filter(year=year).order_by("date", "number")[::7])
        for lesson in lessons:
            f.MarkFactory.create(lesson=lesson)
        for slot_index, weekday, number in moves:
            ordered = list(slots.order_by("pk"))
            if not ordered:
                break
            slot = ordered[slot_index % len(ordered)]
            with contextlib.suppress(ValidationError):  # refused: the week stays as it was
                template_slot_save(
                    actor=admin,
                    year=year,
                    assignment_id=slot.assignment_id,
                    weekday=weekday,
                    number=number,
                    room_id=slot.room_id,
                    slot=slot,
                )
            assert_nobody_in_two_places(slots.values("weekday", "number", *FIELDS), ("weekday", "number"))
        timetable_publish(year=year, since=MONDAY + dt.timedelta(days=3))
        assert_lessons_are_single_booked()
        assert Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]).count() == len(lessons)
