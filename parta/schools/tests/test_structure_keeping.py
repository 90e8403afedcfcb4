"""The administrator keeps the school's structure: buildings and rooms, holidays, subgroups and
their members, and a student's move to another class group or out of the school."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from parta.schools import selectors, services
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Enrolment,
    Holiday,
    Room,
    StudentMove,
    Subgroup,
    SubgroupMembership,
)
from parta.testing import factories as f

YEAR_START, YEAR_END = dt.date(2026, 9, 1), dt.date(2027, 5, 31)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def year_of(world) -> AcademicYear:
    year: AcademicYear = world.a.group.year
    return year


# --- buildings and rooms ----------------------------------------------------------------------


def test_a_building_is_added_renamed_and_named_once(world):
    school = world.a.school
    building = services.building_save(
        actor=world.a.admin, school=school, name="  Начальная школа ", address="ул. 1"
    )
    assert (building.name, building.school_id) == ("Начальная школа", school.pk)
    services.building_save(
        actor=world.a.admin, school=school, building=building, name="Корпус Б", address="ул. 2"
    )
    building.refresh_from_db()
    assert (building.name, building.address) == ("Корпус Б", "ул. 2")
    with pytest.raises(ValidationError) as excinfo:
        services.building_save(actor=world.a.admin, school=school, name="корпус б", address="ул. 3")
    assert "name" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.building_save(actor=world.a.admin, school=school, name="", address="")
    assert set(errors_of(excinfo)) == {"name", "address"}


def test_only_the_schools_administrator_keeps_its_buildings(world):
    for actor in (world.b.admin, world.a.class_teacher, world.a.parent, world.a.student):
        with pytest.raises(Http404):
            services.building_save(actor=actor, school=world.a.school, name="X", address="Y")
    other = Building.objects.filter(school=world.b.school).first()
    with pytest.raises(ValidationError):
        services.building_save(
            actor=world.a.admin, school=world.a.school, building=other, name="X", address="Y"
        )


def test_a_room_needs_a_name_free_in_its_building_a_kind_and_a_capacity(world):
    school, admin = world.a.school, world.a.admin
    building = world.a.group.building
    room = services.room_save(
        actor=admin, school=school, building=building, name="204", kind=Room.Kind.LAB, capacity=24
    )
    assert (room.school_id, room.building_id, room.kind, room.capacity) == (school.pk, building.pk, "lab", 24)
    with pytest.raises(ValidationError) as excinfo:
        services.room_save(actor=admin, school=school, building=building, name="204", kind="lab", capacity=24)
    assert "name" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.room_save(actor=admin, school=school, building=building, name=" ", kind="pool", capacity=0)
    assert set(errors_of(excinfo)) == {"name", "kind", "capacity"}
    foreign = Building.objects.filter(school=world.b.school).get()
    with pytest.raises(ValidationError) as excinfo:
        services.room_save(actor=admin, school=school, building=foreign, name="1", kind="lab", capacity=2)
    assert "building" in errors_of(excinfo)
    assert Room.objects.filter(school=school).count() == 1


def test_a_room_moves_to_another_building_of_the_school(world):
    school, admin = world.a.school, world.a.admin
    room = f.RoomFactory.create(building=world.a.group.building, name="101")
    annex = f.BuildingFactory.create(school=school, name="Пристройка")
    services.room_save(
        actor=admin, school=school, room=room, building=annex, name="101", kind="classroom", capacity=30
    )
    room.refresh_from_db()
    assert room.building_id == annex.pk


def test_a_room_in_use_and_a_building_with_rooms_are_not_deleted(world):
    admin = world.a.admin
    room = f.RoomFactory.create(building=world.a.group.building, name="301")
    world.a.lesson.room = room
    world.a.lesson.save(update_fields=["room"])
    with pytest.raises(ValidationError) as excinfo:
        services.room_delete(actor=admin, room=room)
    assert "lessons" in " ".join(errors_of(excinfo)["room"])
    with pytest.raises(ValidationError) as excinfo:
        services.building_delete(actor=admin, building=world.a.group.building)
    assert "rooms" in " ".join(errors_of(excinfo)["building"])
    assert Room.objects.filter(pk=room.pk).exists()
    world.a.lesson.room = None
    world.a.lesson.save(update_fields=["room"])
    services.room_delete(actor=admin, room=room)
    assert not Room.objects.filter(pk=room.pk).exists()
    spare = f.BuildingFactory.create(school=world.a.school)
    services.building_delete(actor=admin, building=spare)
    assert not Building.objects.filter(pk=spare.pk).exists()


def test_buildings_with_rooms_read_two_queries(world, django_assert_max_num_queries):
    for building in (world.a.group.building, f.BuildingFactory.create(school=world.a.school)):
        for name in ("1", "2", "3"):
            f.RoomFactory.create(building=building, name=name, capacity=10)
    with django_assert_max_num_queries(2):
        rows = selectors.buildings_with_rooms(world.a.school)
    assert [len(b.rooms) for b in rows] == [3, 3]
    assert all(b.seats == 30 for b in rows)


# --- holidays -------------------------------------------------------------------------------------


def save_holiday(world, starts_on, ends_on, name="Каникулы", holiday=None):
    return services.holiday_save(
        actor=world.a.admin,
        school=world.a.school,
        year=year_of(world),
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        holiday=holiday,
    )


def test_holidays_fall_within_the_year_and_never_overlap(world):
    autumn = save_holiday(world, dt.date(2026, 10, 26), dt.date(2026, 11, 3), "Осенние каникулы")
    with pytest.raises(ValidationError) as excinfo:
        save_holiday(world, dt.date(2026, 11, 3), dt.date(2026, 11, 4))
    assert "Осенние каникулы" in errors_of(excinfo)["starts_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        save_holiday(world, dt.date(2026, 8, 30), dt.date(2026, 9, 2))
    assert "starts_on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        save_holiday(world, dt.date(2027, 5, 30), dt.date(2027, 6, 2))
    assert "ends_on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        save_holiday(world, dt.date(2026, 12, 31), dt.date(2026, 12, 30), name="")
    assert set(errors_of(excinfo)) == {"name", "ends_on"}
    # Its own dates are no overlap when it changes.
    save_holiday(world, dt.date(2026, 10, 27), dt.date(2026, 11, 4), "Осенние каникулы", holiday=autumn)
    autumn.refresh_from_db()
    assert autumn.starts_on == dt.date(2026, 10, 27)
    assert Holiday.objects.filter(school=world.a.school).count() == 1
    services.holiday_delete(actor=world.a.admin, holiday=autumn)
    assert not Holiday.objects.filter(pk=autumn.pk).exists()


def test_another_schools_year_and_holiday_are_refused(world):
    b_year = world.b.group.year
    with pytest.raises(ValidationError):
        services.holiday_save(
            actor=world.a.admin,
            school=world.a.school,
            year=b_year,
            name="X",
            starts_on=dt.date(2026, 10, 1),
            ends_on=dt.date(2026, 10, 2),
        )
    b_holiday = Holiday.objects.create(
        school=world.b.school,
        year=b_year,
        name="B",
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2026, 12, 2),
    )
    with pytest.raises(Http404):
        services.holiday_delete(actor=world.a.admin, holiday=b_holiday)


class TestHolidaysNeverOverlap(HypothesisTestCase):
    @hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.integers(-10, 280), st.integers(-3, 20)), min_size=1, max_size=10))
    def test_whatever_is_tried_the_saved_holidays_never_overlap(self, tries: list[tuple[int, int]]) -> None:
        year = f.AcademicYearFactory.create(starts_on=YEAR_START, ends_on=YEAR_END)
        admin = f.UserFactory.create()
        f.StaffMembershipFactory.create(school=year.school, user=admin, role="admin")
        for offset, length in tries:
            starts_on = YEAR_START + dt.timedelta(days=offset)
            with contextlib.suppress(ValidationError):
                services.holiday_save(
                    actor=admin,
                    school=year.school,
                    year=year,
                    name="Каникулы",
                    starts_on=starts_on,
                    ends_on=starts_on + dt.timedelta(days=length),
                )
        saved = list(Holiday.objects.filter(year=year).order_by("starts_on"))
        for holiday in saved:
            assert YEAR_START <= holiday.starts_on <= holiday.ends_on <= YEAR_END
        for first, second in itertools.pairwise(saved):
            assert first.ends_on < second.starts_on


# --- subgroups and their members -------------------------------------------------------------------


def english(world):
    return f.SubjectFactory.create(code="english", name_ru="Английский язык", name_en="English")


def test_a_subgroup_is_numbered_once_per_subject_of_its_class_group(world):
    group, admin = world.a.group, world.a.admin
    subject = english(world)
    first = services.subgroup_save(actor=admin, class_group=group, subject=subject, number=1)
    assert (first.school_id, first.class_group_id) == (group.school_id, group.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_save(actor=admin, class_group=group, subject=subject, number=1)
    assert "number" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_save(actor=admin, class_group=group, subject=subject, number=0)
    assert "number" in errors_of(excinfo)
    with pytest.raises(Http404):
        services.subgroup_save(actor=world.b.admin, class_group=group, subject=subject, number=2)


def test_members_are_students_of_the_class_group_in_one_subgroup_of_a_subject(world):
    group, admin = world.a.group, world.a.admin
    subject = english(world)
    first = services.subgroup_save(actor=admin, class_group=group, subject=subject, number=1)
    second = services.subgroup_save(actor=admin, class_group=group, subject=subject, number=2)
    services.subgroup_members_set(actor=admin, subgroup=first, student_ids=[world.a.student.pk])
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_members_set(actor=admin, subgroup=second, student_ids=[world.a.sibling.pk])
    assert "students" in errors_of(excinfo)  # the sibling is in 9Б
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_members_set(actor=admin, subgroup=second, student_ids=[world.a.student.pk])
    assert "students" in errors_of(excinfo)  # already in subgroup 1 of English
    services.subgroup_members_set(actor=admin, subgroup=second, student_ids=[world.a.classmate.pk])
    services.subgroup_members_set(actor=admin, subgroup=first, student_ids=[])
    members = set(SubgroupMembership.objects.values_list("subgroup_id", "student_id"))
    assert members == {(second.pk, world.a.classmate.pk)}


def test_a_subgroup_with_a_teacher_is_not_deleted_and_one_without_is_with_its_members(world):
    group, admin = world.a.group, world.a.admin
    subject = english(world)
    taught = services.subgroup_save(actor=admin, class_group=group, subject=subject, number=1)
    f.TeachingAssignmentFactory.create(
        class_group=group, subgroup=taught, subject=subject, teacher=world.a.class_teacher
    )
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_delete(actor=admin, subgroup=taught)
    assert "subgroup" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.subgroup_save(
            actor=admin, class_group=group, subgroup=taught, subject=f.SubjectFactory.create(), number=1
        )
    assert "subject" in errors_of(excinfo)
    spare = services.subgroup_save(actor=admin, class_group=group, subject=subject, number=2)
    services.subgroup_members_set(actor=admin, subgroup=spare, student_ids=[world.a.classmate.pk])
    services.subgroup_delete(actor=admin, subgroup=spare)
    assert not Subgroup.objects.filter(pk=spare.pk).exists()
    assert not SubgroupMembership.objects.filter(subgroup_id=spare.pk).exists()


# --- a student's move ------------------------------------------------------------------------------


def move(world, to, *, student=None, moved_on=None, reason="Заявление родителей", actor=None):
    return services.student_move(
        actor=actor or world.a.admin,
        student=student or world.a.student,
        from_class_group=world.a.group,
        to_class_group=to,
        moved_on=moved_on or dt.date(2026, 10, 5),
        reason=reason,
    )


@pytest.fixture
def in_october(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 10, 12))


def test_a_move_ends_the_enrolment_starts_another_and_keeps_the_records(world, in_october):
    subject = english(world)
    subgroup = f.SubgroupFactory.create(class_group=world.a.group, subject=subject)
    f.SubgroupMembershipFactory.create(subgroup=subgroup, student=world.a.student)
    mark = f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=5)
    target = f.ClassGroupFactory.create(
        year=world.a.group.year, grade=7, letter="В", building=world.a.group.building
    )
    row = move(world, target)
    enrolment = Enrolment.objects.get(student=world.a.student)
    assert (enrolment.class_group_id, enrolment.starts_on) == (target.pk, dt.date(2026, 10, 5))
    assert not SubgroupMembership.objects.filter(student=world.a.student).exists()
    assert (row.from_class_group_id, row.to_class_group_id, row.moved_by_id) == (
        world.a.group.pk,
        target.pk,
        world.a.admin.pk,
    )
    assert row.left_subgroups == [{"name": subgroup.name, "ru": "Английский язык", "en": "English"}]
    mark.refresh_from_db()  # the mark stays
    assert mark.value == 5


def test_a_withdrawal_ends_the_enrolment_and_records_it(world, in_october):
    row = move(world, None, reason="Переезд в другой город")
    assert row.is_withdrawal
    assert not Enrolment.objects.filter(student=world.a.student).exists()
    rows = selectors.student_moves(world.a.group.year, class_group_id=world.a.group.pk)
    assert [(r.student_id, r.to_class_group, r.reason) for r in rows] == [
        (world.a.student.pk, None, "Переезд в другой город")
    ]


def test_a_move_is_refused_with_a_field_for_each_broken_rule(world, in_october):
    with pytest.raises(ValidationError) as excinfo:
        move(world, world.a.group, moved_on=dt.date(2027, 7, 1), reason=" ")
    assert set(errors_of(excinfo)) == {"to_class_group", "moved_on", "reason"}
    with pytest.raises(ValidationError) as excinfo:
        move(world, world.b.group)
    assert "to_class_group" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        move(world, world.a.other_group, student=world.a.sibling)  # the sibling is in 9Б
    assert "student" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        move(world, world.a.other_group, moved_on=dt.date(2026, 10, 20))  # after today
    assert "moved_on" in errors_of(excinfo)
    other_year_group = ClassGroup.objects.create(
        school=world.a.school,
        year=AcademicYear.objects.create(
            school=world.a.school,
            name="2027/2028",
            starts_on=dt.date(2027, 9, 1),
            ends_on=dt.date(2028, 5, 31),
        ),
        grade=8,
        letter="А",
        building=world.a.group.building,
    )
    with pytest.raises(ValidationError) as excinfo:
        move(world, other_year_group)
    assert "to_class_group" in errors_of(excinfo)
    for actor in (world.b.admin, world.a.class_teacher, world.a.parent):
        with pytest.raises(Http404):
            move(world, world.a.other_group, actor=actor)
    assert Enrolment.objects.get(student=world.a.student).class_group_id == world.a.group.pk
    assert not StudentMove.objects.exists()


def test_a_second_move_cannot_go_back_before_the_first(world, in_october):
    move(world, world.a.other_group, moved_on=dt.date(2026, 10, 5))
    with pytest.raises(ValidationError) as excinfo:
        services.student_move(
            actor=world.a.admin,
            student=world.a.student,
            from_class_group=world.a.other_group,
            to_class_group=world.a.group,
            moved_on=dt.date(2026, 10, 1),
            reason="Ошибка",
        )
    assert "moved_on" in errors_of(excinfo)


def test_the_moves_history_reads_one_query(world, in_october, django_assert_max_num_queries):
    move(world, world.a.other_group)
    move(world, None, student=world.a.classmate)
    with django_assert_max_num_queries(1):
        rows = selectors.student_moves(world.a.group.year, class_group_id=world.a.group.pk)
    assert {r.student_id for r in rows} == {world.a.student.pk, world.a.classmate.pk}
    with django_assert_max_num_queries(1):
        assert [
            r.student_id for r in selectors.student_moves(world.a.group.year, student_id=world.a.student.pk)
        ] == [world.a.student.pk]
