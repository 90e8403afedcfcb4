"""Drafting the weekly template, editing it by hand and publishing it into the year's lessons
(issue 18, item 3): the times teachers cannot teach, unplaced hours, clashes refused with field
errors, and publishing again that changes only future lessons without records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.schools.models import StaffMembership, TeachingAssignment
from parta.testing import factories as f
from parta.timetable.models import Lesson, Publication, TemplateSlot, Unavailability
from parta.timetable.selectors import template_problems
from parta.timetable.services import (
    publication_execute,
    publication_start,
    template_build,
    template_slot_delete,
    template_slot_save,
    timetable_publish,
    unavailability_set,
)
from parta.timetable.solver import Part, Unit, template_solve

pytestmark = pytest.mark.django_db


# --- the solver -------------------------------------------------------------------------------


def test_the_solver_keeps_clear_of_the_times_a_teacher_cannot_teach() -> None:
    units = [Unit(1, 1, 7, (Part(10, 100, 5),)), Unit(1, 2, 7, (Part(11, 101, 4),))]
    # Teacher 100 (one lesson a day) cannot teach the first three lessons on Monday and Tuesday.
    blocked = frozenset({(100, day, n) for day in (1, 2) for n in (1, 2, 3)})
    placements = template_solve(units=units, blocked=blocked)
    mine = [(p.weekday, p.number) for p in placements if p.teacher_id == 100]
    assert len(mine) == 5
    assert not {(100, day, number) for day, number in mine} & blocked


def test_a_week_too_small_is_refused_or_drafted_with_the_rest_left_out() -> None:
    # 7 lessons a day at most for grade 5: 36 hours do not fit into 35 places.
    units = [Unit(1, s, 7, (Part(s, 100 + s, 6),)) for s in range(6)]
    with pytest.raises(ValidationError):
        template_solve(units=units, attempts=3)
    placements = template_solve(units=units, attempts=3, partial=True)
    assert 30 <= len(placements) <= 35
    assert len({(p.weekday, p.number) for p in placements}) == len(placements)


# --- drafting and the problems list ----------------------------------------------------------------


def test_a_partial_draft_shows_the_hours_it_could_not_place(small: dict[str, Any]) -> None:
    year, math = small["year"], small["math"]
    teacher = small["teachers"][0]
    # Math's teacher can teach only the first lessons of Monday and Tuesday: 3 of 5 hours have no place.
    times = [(day, n) for day in range(1, 6) for n in range(1, 8) if (day, n) not in {(1, 1), (2, 1)}]
    Unavailability.objects.bulk_create(
        Unavailability(school=year.school, year=year, teacher=teacher, weekday=d, number=n) for d, n in times
    )
    with pytest.raises(ValidationError):
        template_build(year=year)
    assert not TemplateSlot.objects.filter(year=year).exists()

    template_build(year=year, partial=True)

    assert set(TemplateSlot.objects.filter(assignment=math).values_list("weekday", "number")) == {
        (1, 1),
        (2, 1),
    }
    problems = template_problems(year.pk, year.school_id)
    assert [(p.kind, p.assignment_id) for p in problems] == [("unplaced", math.pk)]
    assert "3 of 5 weekly lessons" in problems[0].message


def test_the_problems_list_names_lessons_at_blocked_times_without_bells_and_extra_hours(
    small: dict[str, Any], admin: Any
) -> None:
    year, math = small["year"], small["math"]
    template_build(year=year)
    slot = TemplateSlot.objects.filter(assignment=math).order_by("weekday", "number").first()
    assert slot is not None
    Unavailability.objects.create(
        school=year.school, year=year, teacher=small["teachers"][0], weekday=slot.weekday, number=slot.number
    )
    TemplateSlot.objects.create(
        school=year.school, year=year, assignment=math, weekday=6, number=9, teacher=math.teacher,
        class_group=math.class_group,
    )  # fmt: skip
    kinds = {(p.kind, p.slot_id or p.assignment_id) for p in template_problems(year.pk, year.school_id)}
    saturday = TemplateSlot.objects.get(weekday=6).pk
    assert kinds == {("unavailable", slot.pk), ("extra", math.pk), ("no_bell", saturday)}


# --- editing one slot ------------------------------------------------------------------------------


def test_a_slot_moves_to_a_free_time_and_clashes_are_refused_with_field_errors(
    small: dict[str, Any], admin: Any
) -> None:
    year, math = small["year"], small["math"]
    template_build(year=year)
    slot = TemplateSlot.objects.filter(assignment=math).first()
    assert slot is not None
    taken = TemplateSlot.objects.exclude(assignment=math).filter(subgroup__isnull=True).first()
    assert taken is not None
    with pytest.raises(ValidationError) as error:
        template_slot_save(
            actor=admin, year=year, assignment_id=math.pk, weekday=taken.weekday, number=taken.number,
            room_id=None, slot=slot,
        )  # fmt: skip
    assert error.value.message_dict == {"number": ["The class has another lesson at this time."]}
    with pytest.raises(ValidationError) as error:
        template_slot_save(actor=admin, year=year, assignment_id=math.pk, weekday=7, number=99, room_id=None)
    assert set(error.value.message_dict) == {"weekday", "number"}
    assert TemplateSlot.objects.get(pk=slot.pk).weekday == slot.weekday

    moved = template_slot_save(
        actor=admin, year=year, assignment_id=math.pk, weekday=6, number=1, room_id=None, slot=slot
    )
    assert (moved.pk, moved.weekday, moved.number) == (slot.pk, 6, 1)


def test_a_slot_is_refused_where_its_room_or_its_teacher_is_busy_or_blocked(
    small: dict[str, Any], admin: Any
) -> None:
    year, math = small["year"], small["math"]
    other_group = f.ClassGroupFactory.create(year=year, grade=6, letter="Б")
    other = f.TeachingAssignmentFactory.create(
        class_group=other_group, teacher=math.teacher, subject=math.subject, hours_per_week=1
    )
    room = f.RoomFactory.create(building=small["group"].building, name="305")
    template_slot_save(actor=admin, year=year, assignment_id=math.pk, weekday=3, number=2, room_id=room.pk)
    with pytest.raises(ValidationError) as error:
        template_slot_save(
            actor=admin, year=year, assignment_id=other.pk, weekday=3, number=2, room_id=room.pk
        )
    assert error.value.message_dict == {
        "number": ["The teacher has another lesson at this time."],
        "room": ["The room is taken at this time."],
    }
    unavailability_set(actor=admin, year=year, teacher_id=math.teacher_id, times=[(4, 4)])
    with pytest.raises(ValidationError) as error:
        template_slot_save(actor=admin, year=year, assignment_id=other.pk, weekday=4, number=4, room_id=None)
    assert error.value.message_dict == {"number": ["The teacher cannot teach at this time."]}


def test_subgroups_share_a_time_but_never_with_the_whole_class(small: dict[str, Any], admin: Any) -> None:
    year = small["year"]
    first, second = TeachingAssignment.objects.filter(year=year, subgroup__isnull=False).order_by("pk")
    template_slot_save(actor=admin, year=year, assignment_id=first.pk, weekday=2, number=3, room_id=None)
    template_slot_save(actor=admin, year=year, assignment_id=second.pk, weekday=2, number=3, room_id=None)
    with pytest.raises(ValidationError) as error:
        template_slot_save(
            actor=admin, year=year, assignment_id=small["math"].pk, weekday=2, number=3, room_id=None
        )
    assert error.value.message_dict == {"number": ["The class has another lesson at this time."]}
    with pytest.raises(ValidationError):
        template_slot_save(actor=admin, year=year, assignment_id=first.pk, weekday=2, number=3, room_id=None)


def test_only_the_schools_administrators_edit_its_template(small: dict[str, Any]) -> None:
    year, math = small["year"], small["math"]
    template_build(year=year)
    slot = TemplateSlot.objects.filter(assignment=math).first()
    assert slot is not None
    other_admin = f.UserFactory.create()
    f.StaffMembershipFactory.create(role=StaffMembership.Role.ADMIN, user=other_admin)
    for actor in (math.teacher, other_admin):
        with pytest.raises(Http404):
            template_slot_save(
                actor=actor, year=year, assignment_id=math.pk, weekday=6, number=1, room_id=None
            )
        with pytest.raises(Http404):
            template_slot_delete(actor=actor, slot=slot)
        with pytest.raises(Http404):
            unavailability_set(actor=actor, year=year, teacher_id=math.teacher_id, times=[])
    assert TemplateSlot.objects.filter(pk=slot.pk).exists()


def test_unavailable_times_are_replaced_whole_and_checked(small: dict[str, Any], admin: Any) -> None:
    year, teacher = small["year"], small["teachers"][1]
    assert (
        unavailability_set(actor=admin, year=year, teacher_id=teacher.pk, times=[(1, 1), (1, 2), (1, 1)]) == 2
    )
    assert unavailability_set(actor=admin, year=year, teacher_id=teacher.pk, times=[(5, 7)]) == 1
    assert list(Unavailability.objects.filter(teacher=teacher).values_list("weekday", "number")) == [(5, 7)]
    with pytest.raises(ValidationError) as error:
        unavailability_set(actor=admin, year=year, teacher_id=teacher.pk, times=[(1, 8)])
    assert "times" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        unavailability_set(actor=admin, year=year, teacher_id=admin.pk, times=[])
    assert "teacher" in error.value.message_dict
    assert Unavailability.objects.filter(teacher=teacher).count() == 1


# --- publishing ------------------------------------------------------------------------------------


def _move_math(year: Any, math: Any, admin: Any) -> TemplateSlot:
    slot = TemplateSlot.objects.filter(assignment=math).order_by("weekday", "number").first()
    assert slot is not None
    return template_slot_save(
        actor=admin, year=year, assignment_id=math.pk, weekday=6, number=1, room_id=None, slot=slot
    )


def test_publishing_again_changes_only_future_lessons_without_records(
    small: dict[str, Any], admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    year, math = small["year"], small["math"]
    template_build(year=year)
    first = timetable_publish(year=year)
    assert first.created == Lesson.objects.filter(year=year).count() > 0
    today = dt.date(2026, 11, 18)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    before = dict(Lesson.objects.filter(year=year).values_list("pk", "date"))
    moved_from = TemplateSlot.objects.filter(assignment=math).order_by("weekday", "number").first()
    assert moved_from is not None
    old_at = (moved_from.weekday, moved_from.number)
    future = Lesson.objects.filter(
        assignment=math, date__gt=today, number=old_at[1], date__week_day=old_at[0] % 7 + 1
    ).order_by("date")
    with_mark, with_homework, plain = future[0], future[1], future[2]
    moved = future.count()
    f.MarkFactory.create(lesson=with_mark)
    f.HomeworkFactory.create(lesson=with_homework)
    _move_math(year, math, admin)

    again = timetable_publish(year=year)

    after = set(Lesson.objects.filter(year=year).values_list("pk", flat=True))
    # The past is untouched, and so is every future lesson the template still has.
    assert {pk for pk, day in before.items() if day <= today} <= after
    assert with_mark.pk in after and with_homework.pk in after
    assert plain.pk not in after
    saturdays = Lesson.objects.filter(assignment=math, date__gt=today, date__week_day=7)
    assert saturdays.exists() and not Lesson.objects.filter(
        assignment=math, date__lte=today, date__week_day=7
    )
    assert (again.kept, again.removed, again.created) == (2, moved - 2, saturdays.count())
    assert again.unchanged == len([pk for pk, day in before.items() if day > today]) - again.removed - 2


def test_publishing_unchanged_template_changes_nothing_and_keeps_substitutions(
    small: dict[str, Any], admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parta.timetable.services import lesson_substitute

    year = small["year"]
    template_build(year=year)
    timetable_publish(year=year)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 18))
    lesson = Lesson.objects.filter(year=year, date=dt.date(2026, 11, 20), subgroup__isnull=True).first()
    assert lesson is not None
    substitute = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=year.school, user=substitute)
    lesson_substitute(actor=admin, lesson=lesson, teacher=substitute)
    snapshot = set(Lesson.objects.filter(year=year).values_list("pk", "teacher_id", "room_id", "topic_id"))

    result = timetable_publish(year=year)

    # The substituted lesson has its history, so it is kept as it is; the rest are unchanged.
    assert (result.created, result.removed, result.kept, result.skipped) == (0, 0, 1, 0)
    assert (
        set(Lesson.objects.filter(year=year).values_list("pk", "teacher_id", "room_id", "topic_id"))
        == snapshot
    )


def test_a_changed_bell_retimes_the_future_lessons_without_records(
    small: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    year = small["year"]
    template_build(year=year)
    timetable_publish(year=year)
    today = dt.date(2026, 11, 18)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    marked = Lesson.objects.filter(year=year, number=1, date__gt=today).order_by("date").first()
    assert marked is not None
    f.AttendanceFactory.create(lesson=marked)
    year.school.bells.filter(number=1).update(starts_at=dt.time(8, 0), ends_at=dt.time(8, 45))

    timetable_publish(year=year)

    firsts = Lesson.objects.filter(year=year, number=1)
    assert {
        lesson.starts_at.astimezone(dt.UTC).time()
        for lesson in firsts.filter(date__gt=today).exclude(pk=marked.pk)
    } == {dt.time(5, 0)}
    assert {lesson.starts_at.astimezone(dt.UTC).time() for lesson in firsts.filter(date__lte=today)} == {
        dt.time(5, 30)
    }
    assert Lesson.objects.get(pk=marked.pk).starts_at.astimezone(dt.UTC).time() == dt.time(5, 30)


def test_a_kept_lesson_holds_its_time_against_the_new_template(
    small: dict[str, Any], admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    year, math = small["year"], small["math"]
    template_build(year=year)
    timetable_publish(year=year)
    today = dt.date(2026, 11, 18)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    slot = TemplateSlot.objects.filter(assignment=math).order_by("weekday", "number").first()
    assert slot is not None
    held = Lesson.objects.filter(
        assignment=math, date__gt=today, number=slot.number, date__week_day=slot.weekday % 7 + 1
    ).first()
    assert held is not None
    f.MarkFactory.create(lesson=held)
    # Russian takes math's old time; math goes to Saturday.
    _move_math(year, math, admin)
    russian = TemplateSlot.objects.exclude(assignment=math).filter(subgroup__isnull=True).first()
    assert russian is not None
    template_slot_save(
        actor=admin, year=year, assignment_id=russian.assignment_id, weekday=slot.weekday, number=slot.number,
        room_id=None, slot=russian,
    )  # fmt: skip

    result = timetable_publish(year=year)

    assert result.skipped == 1
    at_held = Lesson.objects.filter(class_group=small["group"], date=held.date, number=held.number)
    assert list(at_held.values_list("pk", flat=True)) == [held.pk]


# --- the page's publication (a task with progress) ---------------------------------------------------


def test_a_publication_runs_once_and_keeps_what_it_did(
    small: dict[str, Any],
    admin: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    year = small["year"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: year.starts_on)
    with pytest.raises(ValidationError) as error:
        publication_start(actor=admin, year=year, since=year.starts_on)
    assert "since" in error.value.message_dict  # no template yet
    template_build(year=year)
    for since in (year.starts_on - dt.timedelta(days=1), year.ends_on + dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            publication_start(actor=admin, year=year, since=since)
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_start(actor=admin, year=year, since=year.starts_on)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE
    assert publication.result["created"] == Lesson.objects.filter(year=year).count() > 0
    publication_execute(publication.pk)  # a repeated delivery of the task does nothing
    assert Lesson.objects.filter(year=year).count() == publication.result["created"]
    with pytest.raises(Http404):
        publication_start(actor=small["teachers"][0], year=year, since=year.starts_on)


def test_a_failed_publication_says_why_and_changes_nothing(
    small: dict[str, Any], admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = small["year"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: year.starts_on)
    template_build(year=year)
    publication = Publication.objects.create(
        school=year.school, year=year, started_by=admin, since=year.starts_on
    )
    year.school.bells.all().delete()
    publication_execute(publication.pk)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.FAILED
    assert "bell schedule" in publication.result["errors"][0]
    assert not Lesson.objects.filter(year=year).exists()


# --- the operator's command ----------------------------------------------------------------------------


def test_the_command_drafts_lists_the_problems_and_publishes(small: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    year, math = small["year"], small["math"]
    Unavailability.objects.bulk_create(
        Unavailability(school=year.school, year=year, teacher=math.teacher, weekday=d, number=n)
        for d in range(1, 6)
        for n in range(1, 8)
        if d > 3
    )
    out = StringIO()
    call_command("timetable_build", "--school", str(year.school_id), "--publish", stdout=out)
    text = out.getvalue()
    assert "14 weekly lessons in the template" in text
    assert "2 of 5 weekly lessons are not in the week" in text
    assert "Published: lessons created" in text
    assert Lesson.objects.filter(year=year).count() > 0
    with pytest.raises(CommandError, match="could not be built"):
        call_command("timetable_build", "--school", str(year.school_id), "--strict", stdout=StringIO())
    with pytest.raises(CommandError, match="No school"):
        call_command("timetable_build", "--school", "999999", stdout=StringIO())
