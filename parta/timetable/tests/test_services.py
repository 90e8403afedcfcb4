import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.core import versions
from parta.curriculum.models import PlanItem, Section, ThematicPlan, Topic
from parta.schools.models import Holiday, StaffMembership
from parta.testing import factories as f
from parta.timetable.models import Lesson, TemplateSlot
from parta.timetable.services import (
    lesson_cancel,
    lesson_restore,
    lesson_substitute,
    lessons_assign_topics,
    template_build,
    timetable_publish,
)


def test_template_places_every_hour_and_spreads_subjects(small):
    assert template_build(year=small["year"]) == 5 + 5 + 3 + 3
    slots = list(TemplateSlot.objects.filter(year=small["year"]).select_related("assignment"))
    for assignment_id in {s.assignment_id for s in slots}:
        mine = [s for s in slots if s.assignment_id == assignment_id]
        assert len(mine) == mine[0].assignment.hours_per_week
        # Five hours of a subject: one every day; three: never two on one day.
        assert len({s.weekday for s in mine}) == len(mine)
    assert all(1 <= s.weekday <= 5 and 1 <= s.number <= 7 for s in slots)


def test_split_subgroups_share_a_slot_in_different_rooms(small):
    template_build(year=small["year"])
    english = TemplateSlot.objects.filter(year=small["year"], subgroup__isnull=False).select_related(
        "subgroup"
    )
    by_slot: dict[tuple[int, int], list[TemplateSlot]] = {}
    for slot in english:
        by_slot.setdefault((slot.weekday, slot.number), []).append(slot)
    assert len(by_slot) == 3
    for pair in by_slot.values():
        assert {s.subgroup.number for s in pair if s.subgroup} == {1, 2}
        assert len({s.room_id for s in pair}) == 2
        assert len({s.teacher_id for s in pair}) == 2
    whole = set(
        TemplateSlot.objects.filter(year=small["year"], subgroup__isnull=True).values_list(
            "weekday", "number"
        )
    )
    assert not whole & set(by_slot)


def test_template_build_is_deterministic_and_replaces_the_old_template(small):
    template_build(year=small["year"], seed=7)
    first = sorted(TemplateSlot.objects.values_list("assignment_id", "weekday", "number", "room_id"))
    template_build(year=small["year"], seed=7)
    assert sorted(TemplateSlot.objects.values_list("assignment_id", "weekday", "number", "room_id")) == first


def test_template_build_refuses_a_week_that_cannot_hold_the_hours(small):
    group, year = small["group"], small["year"]
    for code in ("physics", "chemistry"):
        f.TeachingAssignmentFactory(
            class_group=group, teacher=f.UserFactory(), subject=f.SubjectFactory(code=code), hours_per_week=12
        )
    with pytest.raises(ValidationError) as error:
        template_build(year=year)
    assert "class_group" in error.value.message_dict
    assert not TemplateSlot.objects.filter(year=year).exists()


def test_template_build_refuses_a_year_without_assignments(db):
    with pytest.raises(ValidationError) as error:
        year: Any = f.AcademicYearFactory()
        template_build(year=year)
    assert "year" in error.value.message_dict


def test_lessons_skip_weekends_and_holidays_and_start_by_the_bell(small):
    year = small["year"]
    Holiday.objects.create(
        school=year.school,
        year=year,
        name="Осенние каникулы",
        starts_on=dt.date(2026, 10, 24),
        ends_on=dt.date(2026, 11, 1),
    )
    Holiday.objects.create(
        school=year.school,
        year=year,
        name="День народного единства",
        starts_on=dt.date(2026, 11, 4),
        ends_on=dt.date(2026, 11, 4),
    )
    template_build(year=year)
    created = timetable_publish(year=year).created
    assert created == Lesson.objects.filter(year=year).count() > 0
    dates = set(Lesson.objects.filter(year=year).values_list("date", flat=True))
    assert all(d.isoweekday() <= 5 for d in dates)
    assert not any(dt.date(2026, 10, 24) <= d <= dt.date(2026, 11, 1) for d in dates)
    assert dt.date(2026, 11, 4) not in dates
    assert min(dates) == dt.date(2026, 9, 1) and max(dates) <= dt.date(2027, 5, 31)
    first = Lesson.objects.filter(year=year, number=1).order_by("date").first()
    assert first is not None
    # 8:30 in Moscow is 5:30 UTC.
    assert first.starts_at == dt.datetime(2026, 9, 1, 5, 30, tzinfo=dt.UTC)
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=45)


def test_regenerating_replaces_only_future_lessons(small, settings, monkeypatch):
    year = small["year"]
    template_build(year=year)
    timetable_publish(year=year)
    total = Lesson.objects.filter(year=year).count()
    today = dt.date(2026, 11, 18)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    past_ids = set(Lesson.objects.filter(year=year, date__lte=today).values_list("pk", flat=True))
    timetable_publish(year=year)
    assert set(Lesson.objects.filter(year=year, date__lte=today).values_list("pk", flat=True)) == past_ids
    assert Lesson.objects.filter(year=year).count() == total
    assert not Lesson.objects.filter(year=year, date__gt=today, pk__in=past_ids).exists()


def test_publishing_needs_a_template_and_bells(small):
    year = small["year"]
    with pytest.raises(ValidationError) as error:
        timetable_publish(year=year)
    assert "year" in error.value.message_dict
    template_build(year=year)
    year.school.bells.filter(number__gte=2).delete()
    with pytest.raises(ValidationError) as error:
        timetable_publish(year=year)
    assert "bells" in error.value.message_dict
    assert not Lesson.objects.filter(year=year).exists()


def _plan(assignment, hours_list):
    section = Section.objects.create(
        subject=assignment.subject,
        grade=assignment.class_group.grade,
        code=f"S-{assignment.pk}",
        title_ru="Раздел",
        title_en="Section",
        order=1,
    )
    plan = ThematicPlan.objects.create(school=assignment.school, assignment=assignment)
    topics = []
    for order, hours in enumerate(hours_list, start=1):
        topic = Topic.objects.create(
            section=section,
            subject=assignment.subject,
            grade=section.grade,
            code=f"T-{assignment.pk}-{order}",
            title_ru=f"Тема {order}",
            title_en=f"Topic {order}",
            hours=hours,
            order=order,
        )
        PlanItem.objects.create(school=assignment.school, plan=plan, order=order, topic=topic, hours=hours)
        topics.append(topic)
    return topics


def test_topics_follow_the_plan_in_date_order_and_skip_cancelled_lessons(world):
    assignment = world.a.assignment
    monday = world.a.lesson.date
    lessons = [world.a.lesson] + [
        f.LessonFactory(assignment=assignment, date=monday + dt.timedelta(days=i), number=2)
        for i in range(1, 5)
    ]
    topics = _plan(assignment, [2, 1])
    lesson_cancel(actor=world.a.admin, lesson=lessons[1], reason="Экскурсия")
    assert lessons_assign_topics(assignment=assignment) == 3
    got = [Lesson.objects.get(pk=lesson.pk).topic_id for lesson in lessons]
    # The cancelled lesson gets none and the plan moves on; past the plan's end there is none.
    assert got == [topics[0].pk, None, topics[0].pk, topics[1].pk, None]
    assert lessons_assign_topics(assignment=assignment) == 0


def test_admin_substitutes_a_free_teacher_of_the_school(world):
    lesson = world.a.lesson
    planned = lesson.teacher
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher, note="Курсы")
    lesson.refresh_from_db()
    assert (lesson.teacher, lesson.replaced_teacher, lesson.note) == (world.a.class_teacher, planned, "Курсы")


def test_a_second_substitution_keeps_the_planned_teacher_and_handing_back_ends_it(world):
    lesson = world.a.lesson
    planned = lesson.teacher
    third: Any = f.UserFactory()
    f.StaffMembershipFactory(school=world.a.school, user=third)
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher)
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=third)
    lesson.refresh_from_db()
    assert (lesson.teacher, lesson.replaced_teacher) == (third, planned)
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=planned)
    lesson.refresh_from_db()
    assert (lesson.teacher, lesson.replaced_teacher) == (planned, None)


@pytest.mark.parametrize("who", ["other_admin", "teacher", "parent", "outsider"])
def test_only_the_schools_admin_may_change_a_lesson(world, who):
    actor = {
        "other_admin": world.b.admin,
        "teacher": world.a.class_teacher,
        "parent": world.a.parent,
        "outsider": world.outsider,
    }[who]
    lesson = world.a.lesson
    with pytest.raises(Http404):
        lesson_substitute(actor=actor, lesson=lesson, teacher=world.a.class_teacher)
    with pytest.raises(Http404):
        lesson_cancel(actor=actor, lesson=lesson, reason="Причина")
    with pytest.raises(Http404):
        lesson_restore(actor=actor, lesson=lesson)
    lesson.refresh_from_db()
    assert (lesson.teacher, lesson.status) == (world.a.subject_teacher, Lesson.Status.SCHEDULED)


def test_the_substitute_must_be_a_teacher_of_that_school(world):
    for stranger in (world.b.class_teacher, world.a.parent, world.a.admin):
        with pytest.raises(ValidationError) as error:
            lesson_substitute(actor=world.a.admin, lesson=world.a.lesson, teacher=stranger)
        assert "teacher" in error.value.message_dict
    world.a.lesson.refresh_from_db()
    assert world.a.lesson.replaced_teacher is None


def test_the_substitute_must_be_free_at_that_time(world):
    lesson = world.a.lesson
    # The class teacher teaches 9Б at that time.
    f.LessonFactory(assignment=world.a.other_lesson.assignment, date=lesson.date, number=lesson.number)
    with pytest.raises(ValidationError) as error:
        lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher)
    assert "teacher" in error.value.message_dict
    lesson.refresh_from_db()
    assert lesson.teacher == world.a.subject_teacher


def test_a_cancelled_lesson_cannot_be_substituted(world):
    lesson_cancel(actor=world.a.admin, lesson=world.a.lesson, reason="Карантин")
    with pytest.raises(ValidationError) as error:
        lesson_substitute(actor=world.a.admin, lesson=world.a.lesson, teacher=world.a.class_teacher)
    assert "lesson" in error.value.message_dict


def test_substituting_the_same_teacher_or_a_long_note_is_refused(world):
    with pytest.raises(ValidationError) as error:
        lesson_substitute(actor=world.a.admin, lesson=world.a.lesson, teacher=world.a.subject_teacher)
    assert "teacher" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lesson_substitute(
            actor=world.a.admin, lesson=world.a.lesson, teacher=world.a.class_teacher, note="x" * 301
        )
    assert "note" in error.value.message_dict


def test_cancel_needs_a_reason_and_cannot_repeat(world):
    lesson = world.a.lesson
    with pytest.raises(ValidationError) as error:
        lesson_cancel(actor=world.a.admin, lesson=lesson, reason="   ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lesson_cancel(actor=world.a.admin, lesson=lesson, reason="x" * 301)
    assert "reason" in error.value.message_dict
    lesson_cancel(actor=world.a.admin, lesson=lesson, reason=" Экскурсия ")
    lesson.refresh_from_db()
    assert (lesson.status, lesson.note) == (Lesson.Status.CANCELLED, "Экскурсия")
    with pytest.raises(ValidationError) as error:
        lesson_cancel(actor=world.a.admin, lesson=lesson, reason="Ещё раз")
    assert "lesson" in error.value.message_dict


def test_restore_brings_a_cancelled_lesson_back(world):
    lesson = world.a.lesson
    with pytest.raises(ValidationError):
        lesson_restore(actor=world.a.admin, lesson=lesson)
    lesson_cancel(actor=world.a.admin, lesson=lesson, reason="Экскурсия")
    lesson_restore(actor=world.a.admin, lesson=lesson)
    lesson.refresh_from_db()
    assert (lesson.status, lesson.note) == (Lesson.Status.SCHEDULED, "")


def test_restore_is_refused_when_the_teacher_was_given_another_lesson_meanwhile(world):
    lesson = world.a.lesson
    lesson_cancel(actor=world.a.admin, lesson=lesson, reason="Экскурсия")
    # The freed teacher takes over another class's lesson at that time.
    other: Any = f.LessonFactory(
        assignment=world.a.other_lesson.assignment, date=lesson.date, number=lesson.number
    )
    lesson_substitute(actor=world.a.admin, lesson=other, teacher=world.a.subject_teacher)
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=world.a.admin, lesson=lesson)
    assert "teacher" in error.value.message_dict
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.CANCELLED


def test_restore_is_refused_when_the_class_or_room_is_taken(world):
    lesson = world.a.lesson
    room = f.RoomFactory(building=world.a.group.building)
    Lesson.objects.filter(pk=lesson.pk).update(room=room)
    lesson_cancel(actor=world.a.admin, lesson=lesson, reason="Экскурсия")
    russian = world.a.group.teaching_assignments.get(subject__code="russian")
    stand_in: Any = f.LessonFactory(assignment=russian, date=lesson.date, number=lesson.number, room=room)
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=world.a.admin, lesson=lesson)
    assert "room" in error.value.message_dict
    Lesson.objects.filter(pk=stand_in.pk).update(room=None)
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=world.a.admin, lesson=lesson)
    assert "class_group" in error.value.message_dict


def test_the_superuser_may_substitute_in_any_school(world):
    root: Any = f.UserFactory(is_superuser=True)
    lesson_substitute(actor=root, lesson=world.b.lesson, teacher=world.b.class_teacher)
    world.b.lesson.refresh_from_db()
    assert world.b.lesson.teacher == world.b.class_teacher
    assert StaffMembership.objects.filter(user=root).count() == 0


def test_generated_lessons_renew_the_schools_cached_reads(small, django_capture_on_commit_callbacks):
    """bulk_create sends no signals: timetable_publish renews the school's version token itself,
    once the transaction commits, so cached diaries and journals of the school are made again,
    and the token of every teacher it gave lessons, whose timetables are."""
    year = small["year"]
    template_build(year=year)
    teachers = set(TemplateSlot.objects.filter(year=year).values_list("teacher_id", flat=True))
    keys = [versions.school(year.school_id), *(versions.teacher(pk) for pk in teachers)]
    bystander = versions.teacher(f.UserFactory.create().pk)
    for key in (*keys, bystander):
        cache.set(key, "before", timeout=None)
    with django_capture_on_commit_callbacks(execute=True):
        timetable_publish(year=year)
        assert all(cache.get(key) == "before" for key in keys)  # not before the commit
    assert all(cache.get(key) not in {"before", None} for key in keys)
    assert cache.get(bystander) == "before"
