import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.accounts.models import Guardianship, User
from parta.core.testing import factories as f
from parta.schools import services
from parta.schools.models import ClassGroup, Enrolment, StudyPeriod, TeachingAssignment
from parta.schools.services import NewPerson


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- class_group_create -----------------------------------------------------------------


def create_group(world, actor=None, **overrides):
    a = world.a
    kwargs = {
        "actor": actor or a.admin,
        "school": a.school,
        "year": a.group.year,
        "grade": 5,
        "letter": "в",
        "building": a.group.building,
        "class_teacher": a.subject_teacher,
    }
    return services.class_group_create(**(kwargs | overrides))


def test_class_group_create(world):
    group = create_group(world)
    assert group.name == "5В"  # the letter is normalised to upper case
    assert group.school == world.a.school
    assert group.class_teacher == world.a.subject_teacher


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grade": 12}, "grade"),
        ({"grade": 0}, "grade"),
        ({"grade": 7, "letter": "а"}, "letter"),  # 7А exists already
        ({"letter": " "}, "letter"),
        ({"letter": "1"}, "letter"),
    ],
)
def test_class_group_create_rejects_bad_input(world, overrides, field):
    before = ClassGroup.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        create_group(world, **overrides)
    assert field in errors_of(excinfo)
    assert ClassGroup.objects.count() == before


def test_class_group_create_rejects_another_schools_things(world):
    b = world.b
    with pytest.raises(ValidationError) as excinfo:
        create_group(world, building=b.group.building, class_teacher=b.class_teacher, year=b.group.year)
    assert set(errors_of(excinfo)) == {"building", "class_teacher", "year"}


def test_class_group_home_room_must_be_in_its_building(world):
    room = f.RoomFactory.create(school=world.a.school)  # in a new building of the same school
    with pytest.raises(ValidationError) as excinfo:
        create_group(world, home_room=room)
    assert "home_room" in errors_of(excinfo)


def test_only_the_schools_admin_may_create_a_class_group(world):
    for actor in (world.b.admin, world.a.class_teacher, world.a.parent, world.outsider):
        with pytest.raises(Http404):
            create_group(world, actor=actor)
    assert not ClassGroup.objects.filter(grade=5).exists()


# --- student_enrol ----------------------------------------------------------------------


def test_enrol_a_new_student_with_a_new_guardian(world):
    result = services.student_enrol(
        actor=world.a.admin,
        class_group=world.a.other_group,
        new_student=NewPerson(last_name="Щукина", first_name="Юлия", middle_name="Сергеевна"),
        new_guardian=NewPerson(last_name="Щукин", first_name="Сергей", email="s.shchukin@example.org"),
        relation=Guardianship.Relation.FATHER,
    )
    assert result.student.username == "shchukina.yu"
    assert result.guardian is not None
    assert result.guardian.username == "shchukin.s"
    assert Enrolment.objects.filter(student=result.student, class_group=world.a.other_group).exists()
    assert Guardianship.objects.filter(
        guardian=result.guardian, student=result.student, relation="father"
    ).exists()
    # Both new accounts can log in with the password shown once.
    for user, password in result.new_accounts:
        assert user.check_password(password)


def test_new_usernames_do_not_collide(world):
    f.UserFactory(username="petrov.i")
    result = services.student_enrol(
        actor=world.a.admin,
        class_group=world.a.group,
        new_student=NewPerson(last_name="Петров", first_name="Иван"),
    )
    assert result.student.username == "petrov.i2"
    assert result.guardian is None


def test_enrol_an_existing_account_with_an_existing_guardian(world):
    newcomer = f.UserFactory.create(username="newcomer")
    result = services.student_enrol(
        actor=world.a.admin,
        class_group=world.a.group,
        student_username="newcomer",
        guardian_username=world.a.parent.username,
    )
    assert result.student == newcomer
    assert result.new_accounts == []
    assert Guardianship.objects.filter(guardian=world.a.parent, student=newcomer).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "student_username"),
        ({"student_username": "nobody-has-this-login"}, "student_username"),
        ({"student_username": "student1"}, "student_username"),  # already in 7А this year
        ({"student_username": "student2"}, "student_username"),  # enrolled in the other school
        ({"student_username": "subject_teacher1"}, "student_username"),  # staff
        ({"new_student": NewPerson(last_name="", first_name="Анна")}, "student_last_name"),
        ({"new_student": NewPerson(last_name="Ким", first_name="")}, "student_first_name"),
        (
            {
                "new_student": NewPerson(last_name="Ким", first_name="Анна"),
                "new_guardian": NewPerson("Ким", "Олег", email="no"),
            },
            "guardian_email",
        ),
        (
            {"new_student": NewPerson(last_name="Ким", first_name="Анна"), "guardian_username": "ghost"},
            "guardian_username",
        ),
        ({"new_student": NewPerson(last_name="Ким", first_name="Анна"), "relation": "uncle"}, "relation"),
    ],
)
def test_enrol_rejects_bad_input_and_writes_nothing(world, kwargs, field):
    users, enrolments, links = User.objects.count(), Enrolment.objects.count(), Guardianship.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.student_enrol(actor=world.a.admin, class_group=world.a.group, **kwargs)
    assert field in errors_of(excinfo)
    assert (User.objects.count(), Enrolment.objects.count(), Guardianship.objects.count()) == (
        users,
        enrolments,
        links,
    )


def test_enrol_says_where_a_student_of_this_school_already_is(world):
    with pytest.raises(ValidationError) as excinfo:
        services.student_enrol(actor=world.a.admin, class_group=world.a.group, student_username="sibling1")
    assert "9Б" in errors_of(excinfo)["student_username"][0]


def test_other_schools_admin_cannot_enrol(world):
    with pytest.raises(Http404):
        services.student_enrol(
            actor=world.b.admin, class_group=world.a.group, new_student=NewPerson("Ким", "Анна")
        )


# --- teaching_assignment_create ---------------------------------------------------------


def assign(world, **overrides):
    a = world.a
    kwargs = {
        "actor": a.admin,
        "school": a.school,
        "class_group": a.other_group,
        "subject": f.SubjectFactory(code="physics"),
        "teacher": a.subject_teacher,
        "hours_per_week": 3,
    }
    return services.teaching_assignment_create(**(kwargs | overrides))


def test_teaching_assignment_create(world):
    assignment = assign(world)
    assert assignment.year == world.a.other_group.year
    assert assignment.school == world.a.school
    assert assignment.hours_per_week == 3


def test_teaching_assignment_for_a_subgroup(world):
    english = f.SubjectFactory.create(code="english")
    subgroup = f.SubgroupFactory.create(class_group=world.a.group, subject=english, number=1)
    assignment = assign(world, class_group=world.a.group, subject=english, subgroup=subgroup)
    assert assignment.subgroup == subgroup
    # A second teacher for the same subgroup and subject is refused.
    with pytest.raises(ValidationError) as excinfo:
        assign(
            world,
            class_group=world.a.group,
            subject=english,
            subgroup=subgroup,
            teacher=world.a.class_teacher,
        )
    assert "subject" in errors_of(excinfo)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("hours 0", "hours_per_week"),
        ("hours 13", "hours_per_week"),
        ("teacher of another school", "teacher"),
        ("not a teacher", "teacher"),
        ("class taken", "subject"),
        ("class of another school", "class_group"),
        ("subgroup of another class", "subgroup"),
    ],
)
def test_teaching_assignment_rejects_bad_input(world, case, field):
    kwargs = {
        "hours 0": {"hours_per_week": 0},
        "hours 13": {"hours_per_week": 13},
        "teacher of another school": {"teacher": world.b.subject_teacher},
        "not a teacher": {"teacher": world.a.parent},
        "class taken": {"class_group": world.a.group, "subject": world.a.assignment.subject},
        "class of another school": {"class_group": world.b.group},
        "subgroup of another class": {"subgroup": f.SubgroupFactory(class_group=world.a.group)},
    }[case]
    before = TeachingAssignment.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        assign(world, **kwargs)
    assert field in errors_of(excinfo)
    assert TeachingAssignment.objects.count() == before


def test_teaching_assignment_needs_the_schools_admin(world):
    with pytest.raises(Http404):
        assign(world, actor=world.b.admin)
    with pytest.raises(Http404):
        assign(world, actor=world.a.class_teacher)


# --- study_period_save ------------------------------------------------------------------


def save_period(world, **overrides):
    a = world.a
    kwargs = {
        "actor": a.admin,
        "school": a.school,
        "year": a.group.year,
        "kind": StudyPeriod.Kind.QUARTER,
        "number": 2,
        "starts_on": dt.date(2026, 11, 5),
        "ends_on": dt.date(2026, 12, 28),
    }
    return services.study_period_save(**(kwargs | overrides))


def test_study_period_create_and_edit(world):
    period = save_period(world)
    assert period.name == "Quarter 2"
    edited = save_period(world, period=period, ends_on=dt.date(2026, 12, 27))
    assert edited.pk == period.pk
    period.refresh_from_db()
    assert period.ends_on == dt.date(2026, 12, 27)


def test_a_period_of_another_kind_may_overlap(world):
    # Grades 10–11 run semesters while the rest of the school runs quarters.
    period = save_period(
        world,
        kind=StudyPeriod.Kind.SEMESTER,
        number=1,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 28),
    )
    assert period.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": dt.date(2026, 10, 20)}, "starts_on"),  # overlaps quarter 1 (1.09–24.10)
        ({"number": 1}, "number"),
        ({"ends_on": dt.date(2027, 6, 30)}, "ends_on"),  # after the year ends
        ({"starts_on": dt.date(2026, 8, 1), "ends_on": dt.date(2026, 8, 20)}, "starts_on"),  # before the year
        ({"starts_on": dt.date(2026, 12, 1), "ends_on": dt.date(2026, 11, 30)}, "ends_on"),
        ({"number": 0}, "number"),
        ({"kind": "season"}, "kind"),
    ],
)
def test_study_period_rejects_bad_input(world, overrides, field):
    before = list(StudyPeriod.objects.values_list("pk", "starts_on", "ends_on"))
    with pytest.raises(ValidationError) as excinfo:
        save_period(world, **overrides)
    assert field in errors_of(excinfo)
    assert list(StudyPeriod.objects.values_list("pk", "starts_on", "ends_on")) == before


def test_editing_a_period_does_not_clash_with_itself(world):
    first = StudyPeriod.objects.get(school=world.a.school, number=1)
    save_period(world, period=first, number=1, starts_on=first.starts_on, ends_on=dt.date(2026, 10, 25))
    first.refresh_from_db()
    assert first.ends_on == dt.date(2026, 10, 25)


def test_study_period_of_another_school_is_refused(world):
    with pytest.raises(Http404):
        save_period(world, actor=world.b.admin)
    other_period = StudyPeriod.objects.get(school=world.b.school)
    with pytest.raises(ValidationError) as excinfo:
        save_period(world, period=other_period)
    assert "year" in errors_of(excinfo)
