"""Rules of the timetable's services that no other test pinned down, found by issue 17's mutation
run over ``parta/timetable/services.py`` (docs/decisions/0008-test-blind-spots.md): which room the
template gives each lesson, what generating the year's lessons keeps and makes, the order in
which lessons take their plan's topics, and the edges of substituting, cancelling and restoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from parta.core import versions
from parta.curriculum.models import PlanItem, Section, ThematicPlan, Topic
from parta.schools.models import Room
from parta.testing import factories as f
from parta.timetable import services
from parta.timetable.models import Lesson, TemplateSlot
from parta.timetable.services import (
    lesson_cancel,
    lesson_restore,
    lesson_substitute,
    lessons_assign_topics,
    lessons_assign_topics_for_year,
    template_build,
    timetable_publish,
)

pytestmark = pytest.mark.django_db

BELLS = [(8, 30), (9, 25), (10, 30), (11, 35), (12, 30), (13, 25), (14, 20)]


def _bells(school: Any) -> None:
    for number, (hour, minute) in enumerate(BELLS, start=1):
        start = dt.datetime(2000, 1, 1, hour, minute, tzinfo=dt.UTC)
        f.BellFactory.create(
            school=school,
            number=number,
            starts_at=start.time(),
            ends_at=(start + dt.timedelta(minutes=45)).time(),
        )


def _teacher(school: Any) -> Any:
    user = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=school, user=user)
    return user


def _teach(group: Any, teacher: Any, subject: Any, hours: int = 2, subgroup: Any = None) -> Any:
    return f.TeachingAssignmentFactory.create(
        class_group=group, teacher=teacher, subject=subject, hours_per_week=hours, subgroup=subgroup
    )


def _rooms_of(year: Any, assignment: Any) -> set[int | None]:
    return set(
        TemplateSlot.objects.filter(year=year, assignment=assignment).values_list("room_id", flat=True)
    )


# --- the template's rooms ------------------------------------------------------------------


def test_a_primary_class_stays_in_its_room_and_an_older_one_goes_to_the_teachers_cabinet():
    """Grade 4 is taught in its home room, grade 5 in the teacher's cabinet; a class without a home
    room in the cabinet too; a teacher without a class gets a free classroom (not a lab) as cabinet;
    PE without a gym or hall gets no room, and every other lesson gets one."""
    year = f.AcademicYearFactory.create()
    school = year.school
    building = f.BuildingFactory.create(school=school)
    f.RoomFactory.create(building=building, name="Лаборатория", kind=Room.Kind.LAB)
    cabinet = f.RoomFactory.create(building=building, name="303")
    home4 = f.RoomFactory.create(building=building, name="101")
    home5 = f.RoomFactory.create(building=building, name="102")
    grade4 = f.ClassGroupFactory.create(year=year, building=building, grade=4, letter="А", home_room=home4)
    grade5 = f.ClassGroupFactory.create(year=year, building=building, grade=5, letter="А", home_room=home5)
    homeless = f.ClassGroupFactory.create(year=year, building=building, grade=3, letter="Б")
    teacher = _teacher(school)
    math = f.SubjectFactory.create(code="math")
    in_grade4, in_grade5, in_homeless = (_teach(group, teacher, math) for group in (grade4, grade5, homeless))
    pe = _teach(grade5, _teacher(school), f.SubjectFactory.create(code="pe"))

    template_build(year=year)

    assert _rooms_of(year, in_grade4) == {home4.pk}
    assert _rooms_of(year, in_grade5) == {cabinet.pk}
    assert _rooms_of(year, in_homeless) == {cabinet.pk}
    assert _rooms_of(year, pe) == {None}


def test_class_teachers_teach_in_their_classes_rooms_and_the_others_share_the_free_ones_in_turn():
    year = f.AcademicYearFactory.create()
    school = year.school
    building = f.BuildingFactory.create(school=school)
    home = f.RoomFactory.create(building=building, name="101")
    free = [f.RoomFactory.create(building=building, name=name) for name in ("201", "202", "203")]
    first, second, third = (_teacher(school) for _ in range(3))
    class_teacher = _teacher(school)  # the last id: the turn would reach them last
    group = f.ClassGroupFactory.create(
        year=year, building=building, grade=5, letter="А", home_room=home, class_teacher=class_teacher
    )
    # A class teacher of a class without a home room gets a free classroom like the others.
    homeless = f.ClassGroupFactory.create(
        year=year, building=building, grade=6, letter="Б", class_teacher=first
    )
    other = f.ClassGroupFactory.create(year=year, building=building, grade=6, letter="А")
    lessons = {
        teacher: _teach(group, teacher, f.SubjectFactory.create(code=code))
        for teacher, code in ((first, "math"), (second, "russian"), (third, "history"))
    }
    elsewhere = _teach(other, class_teacher, f.SubjectFactory.create(code="literature"))
    in_homeless = _teach(homeless, first, f.SubjectFactory.create(code="geography"))

    template_build(year=year)

    assert _rooms_of(year, elsewhere) == {home.pk}
    assert _rooms_of(year, in_homeless) == {free[0].pk}
    assert [_rooms_of(year, lessons[teacher]) for teacher in (first, second, third)] == [
        {free[0].pk},
        {free[1].pk},
        {free[2].pk},
    ]


def test_subjects_go_to_their_own_kind_of_room_and_labs_are_shared_out():
    """English in the language room, PE in the gym, and physics, chemistry and biology each
    starting from its own lab; a class without a room of its own takes a classroom, never a lab."""
    year = f.AcademicYearFactory.create()
    school = year.school
    building = f.BuildingFactory.create(school=school)
    home = f.RoomFactory.create(building=building, name="101")
    labs = [f.RoomFactory.create(building=building, name=f"Л{i}", kind=Room.Kind.LAB) for i in (1, 2, 3)]
    gym = f.RoomFactory.create(building=building, name="Спортзал", kind=Room.Kind.GYM)
    language = f.RoomFactory.create(building=building, name="Кабинет языков", kind=Room.Kind.LANGUAGE)
    group = f.ClassGroupFactory.create(
        year=year, building=building, grade=8, letter="А", home_room=home, class_teacher=_teacher(school)
    )
    by_code = {
        code: _teach(group, _teacher(school), f.SubjectFactory.create(code=code), hours=1)
        for code in ("physics", "chemistry", "biology", "pe", "english")
    }
    # Every classroom is a class teacher's: this teacher has no cabinet of their own.
    roomless = f.ClassGroupFactory.create(year=year, building=building, grade=6, letter="Б")
    math = _teach(roomless, _teacher(school), f.SubjectFactory.create(code="math"))

    template_build(year=year)

    assert {code: _rooms_of(year, a) for code, a in by_code.items()} == {
        "physics": {labs[0].pk},
        "chemistry": {labs[1].pk},
        "biology": {labs[2].pk},
        "pe": {gym.pk},
        "english": {language.pk},
    }
    assert _rooms_of(year, math) == {home.pk}


def test_a_week_too_small_for_a_class_names_the_class():
    year = f.AcademicYearFactory.create()
    group = f.ClassGroupFactory.create(year=year, grade=2, letter="В")
    for code in ("math", "russian", "reading"):
        _teach(group, _teacher(year.school), f.SubjectFactory.create(code=code), hours=10)
    with pytest.raises(ValidationError) as error:
        template_build(year=year)
    [message] = error.value.message_dict["class_group"]
    assert message.startswith("2В has 30 lessons a week")


# --- the year's lessons --------------------------------------------------------------------


@pytest.fixture
def built() -> dict[str, Any]:
    """A grade-5 class with a built template: math and Russian, each in a room."""
    year = f.AcademicYearFactory.create()
    school = year.school
    _bells(school)
    building = f.BuildingFactory.create(school=school)
    home = f.RoomFactory.create(building=building, name="101")
    f.RoomFactory.create(building=building, name="102")
    group = f.ClassGroupFactory.create(year=year, building=building, grade=5, letter="А", home_room=home)
    math = _teach(group, _teacher(school), f.SubjectFactory.create(code="math"), hours=5)
    _teach(group, _teacher(school), f.SubjectFactory.create(code="russian"), hours=4)
    template_build(year=year)
    return {"year": year, "school": school, "group": group, "math": math}


def test_lessons_take_their_slots_rooms_and_run_to_the_last_day_of_the_year(built):
    year = built["year"]
    timetable_publish(year=year)
    template = set(
        TemplateSlot.objects.filter(year=year).values_list("assignment_id", "weekday", "number", "room_id")
    )
    made = {
        (assignment_id, date.isoweekday(), number, room_id)
        for assignment_id, date, number, room_id in Lesson.objects.filter(year=year).values_list(
            "assignment_id", "date", "number", "room_id"
        )
    }
    assert made == template
    assert None not in {room for *_rest, room in template}
    # 31 May 2027, the year's last day, is a Monday.
    assert year.ends_on.isoweekday() == 1
    assert Lesson.objects.filter(year=year, date=year.ends_on).exists()


def test_a_saturday_in_the_template_gives_lessons_on_saturdays(built):
    year = built["year"]
    slot = TemplateSlot.objects.filter(year=year, assignment=built["math"]).first()
    assert slot is not None
    TemplateSlot.objects.filter(pk=slot.pk).update(weekday=6)
    timetable_publish(year=year)
    saturdays = Lesson.objects.filter(year=year, assignment=built["math"], number=slot.number)
    saturdays = saturdays.filter(date__week_day=7)  # Django's week_day: 1 is Sunday, 7 Saturday
    assert saturdays.count() > 30


def test_regenerating_remakes_tomorrow_and_leaves_other_years_alone(built, monkeypatch):
    year = built["year"]
    other_school_lesson: Any = f.LessonFactory.create(date=dt.date(2026, 11, 20))
    timetable_publish(year=year)
    today = dt.date(2026, 11, 18)  # a Wednesday
    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    moved = f.RoomFactory.create(building=built["group"].building, name="Актовый зал", kind=Room.Kind.HALL)
    TemplateSlot.objects.filter(year=year).update(room=moved)

    timetable_publish(year=year)

    assert set(Lesson.objects.filter(year=year, date=today).values_list("room_id", flat=True)) != {moved.pk}
    assert set(Lesson.objects.filter(year=year, date=tomorrow).values_list("room_id", flat=True)) == {
        moved.pk
    }
    assert Lesson.objects.filter(pk=other_school_lesson.pk).exists()


def test_lessons_made_in_many_batches_are_all_counted(built, monkeypatch):
    monkeypatch.setattr(services.lessons, "BATCH_SIZE", 7)
    created = timetable_publish(year=built["year"]).created
    assert created == Lesson.objects.filter(year=built["year"]).count() > 7 * 10


def test_generating_lessons_renews_the_schools_own_token(built, django_capture_on_commit_callbacks):
    """Not only the keys the fixtures' own writes left pending: timetable_publish names the school."""
    versions.forget_pending()
    key = versions.school(built["school"].pk)
    cache.set(key, "before", timeout=None)
    with django_capture_on_commit_callbacks(execute=True):
        timetable_publish(year=built["year"])
    assert cache.get(key) not in {"before", None}


# --- topics ----------------------------------------------------------------------------------


def _topics(assignment: Any, orders: list[int]) -> dict[int, Topic]:
    """A plan of one-hour topics, its items written in the order given (not their plan order)."""
    section = Section.objects.create(
        subject=assignment.subject,
        grade=assignment.class_group.grade,
        code=f"S-{assignment.pk}",
        title_ru="Раздел",
        title_en="Section",
        order=1,
    )
    plan = ThematicPlan.objects.create(school=assignment.school, assignment=assignment)
    topics = {}
    for order in orders:
        topics[order] = Topic.objects.create(
            section=section,
            subject=assignment.subject,
            grade=section.grade,
            code=f"T-{assignment.pk}-{order}",
            title_ru=f"Тема {order}",
            title_en=f"Topic {order}",
            hours=1,
            order=order,
        )
        PlanItem.objects.create(
            school=assignment.school, plan=plan, order=order, topic=topics[order], hours=1
        )
    return topics


def test_topics_go_by_the_plans_order_then_by_date_then_by_lesson_number():
    assignment: Any = f.TeachingAssignmentFactory.create()
    topics = _topics(assignment, [3, 1, 2])
    monday = dt.date(2026, 9, 7)
    # Written out of order: Tuesday's first lesson, then Monday's fourth and fifth.
    tuesday_first = f.LessonFactory.create(
        assignment=assignment, date=monday + dt.timedelta(days=1), number=1
    )
    monday_fifth = f.LessonFactory.create(assignment=assignment, date=monday, number=5)
    monday_fourth = f.LessonFactory.create(assignment=assignment, date=monday, number=4)
    assert lessons_assign_topics(assignment=assignment) == 3
    got = {
        lesson: Lesson.objects.get(pk=lesson.pk).topic_id
        for lesson in (monday_fourth, monday_fifth, tuesday_first)
    }
    assert list(got.values()) == [topics[1].pk, topics[2].pk, topics[3].pk]


def test_the_years_topics_skip_an_assignment_without_a_plan_and_other_years():
    planned: Any = f.TeachingAssignmentFactory.create()
    topics = _topics(planned, [1])
    group = planned.class_group
    unplanned: Any = f.TeachingAssignmentFactory.create(
        class_group=group, school=group.school, year=group.year
    )
    elsewhere: Any = f.TeachingAssignmentFactory.create()
    other_topics = _topics(elsewhere, [1])
    with_topic = f.LessonFactory.create(assignment=planned)
    stale: Any = f.LessonFactory.create(assignment=unplanned, number=2, topic=topics[1])
    other_year = f.LessonFactory.create(assignment=elsewhere)

    assert lessons_assign_topics_for_year(year=group.year) == 2

    assert Lesson.objects.get(pk=with_topic.pk).topic_id == topics[1].pk
    assert Lesson.objects.get(pk=stale.pk).topic_id is None
    assert Lesson.objects.get(pk=other_year.pk).topic_id is None
    assert other_topics  # the other year's plan was there to take


def test_assigning_topics_renews_the_schools_token(django_capture_on_commit_callbacks):
    assignment: Any = f.TeachingAssignmentFactory.create()
    if assignment.school_id == assignment.pk:  # the test needs the school's id not to be the assignment's
        group = assignment.class_group
        assignment = f.TeachingAssignmentFactory.create(
            class_group=group, school=group.school, year=group.year
        )
    assert assignment.school_id != assignment.pk
    _topics(assignment, [1])
    f.LessonFactory.create(assignment=assignment)
    versions.forget_pending()
    key = versions.school(assignment.school_id)
    cache.set(key, "before", timeout=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert lessons_assign_topics(assignment=assignment) == 1
    assert cache.get(key) not in {"before", None}


# --- substitutions, cancellations, restorations -------------------------------------------------


def test_a_substitution_without_a_note_has_none_and_a_note_may_take_300_characters(world):
    lesson = world.a.lesson
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher)
    lesson.refresh_from_db()
    assert lesson.note == ""
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.subject_teacher, note="н" * 300)
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher, note="н" * 300)
    lesson.refresh_from_db()
    assert lesson.note == "н" * 300


def test_a_cancellation_reason_may_take_300_characters(world):
    lesson_cancel(actor=world.a.admin, lesson=world.a.lesson, reason="п" * 300)
    world.a.lesson.refresh_from_db()
    assert world.a.lesson.note == "п" * 300


def test_a_busy_substitute_is_refused_by_name_before_the_database_would(world):
    """The check names the teacher; the database's constraint would only say someone was quicker."""
    lesson = world.a.lesson
    f.LessonFactory.create(assignment=world.a.other_lesson.assignment, date=lesson.date, number=lesson.number)
    with pytest.raises(ValidationError) as error:
        lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher)
    assert error.value.message_dict == {
        "teacher": [f"{world.a.class_teacher} has another lesson at this time."]
    }


def test_restoring_a_lesson_that_is_not_cancelled_says_so_at_the_lesson(world):
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=world.a.admin, lesson=world.a.lesson)
    assert list(error.value.message_dict) == ["lesson"]


@pytest.fixture
def split(world: Any) -> dict[str, Any]:
    """English split in 7А: two subgroups' lessons at the same time, and a whole-class lesson."""
    group = world.a.group
    english = f.SubjectFactory.create(code="english")
    lessons = []
    for number in (1, 2):
        subgroup = f.SubgroupFactory.create(class_group=group, subject=english, number=number)
        assignment = f.TeachingAssignmentFactory.create(
            class_group=group, subgroup=subgroup, subject=english, teacher=_teacher(world.a.school)
        )
        lessons.append(f.LessonFactory.create(assignment=assignment, date=dt.date(2026, 9, 8), number=3))
    return {"world": world, "first": lessons[0], "second": lessons[1]}


def test_a_subgroups_lesson_is_restored_beside_the_other_subgroups(split):
    admin, first = split["world"].a.admin, split["first"]
    lesson_cancel(actor=admin, lesson=first, reason="Болезнь учителя")
    lesson_restore(actor=admin, lesson=first)
    first.refresh_from_db()
    assert first.status == Lesson.Status.SCHEDULED


def test_a_whole_class_lesson_and_a_subgroups_lesson_never_come_back_over_each_other(split):
    world, first, second = split["world"], split["first"], split["second"]
    admin = world.a.admin
    whole: Any = f.LessonFactory.create(assignment=world.a.assignment, date=first.date, number=4)
    for lesson in (first, second):
        lesson_cancel(actor=admin, lesson=lesson, reason="Экскурсия")
    # The whole class's lesson moved into the subgroups' time while they were cancelled.
    Lesson.objects.filter(pk=whole.pk).update(number=first.number, room=None)
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=admin, lesson=first)
    assert list(error.value.message_dict) == ["class_group"]
    # And the other way round: the subgroup's lesson is back, the whole class's is cancelled.
    Lesson.objects.filter(pk=whole.pk).update(number=4)
    lesson_restore(actor=admin, lesson=first)
    lesson_cancel(actor=admin, lesson=whole, reason="Экскурсия")
    Lesson.objects.filter(pk=whole.pk).update(number=first.number)
    with pytest.raises(ValidationError) as error:
        lesson_restore(actor=admin, lesson=whole)
    assert list(error.value.message_dict) == ["class_group"]
