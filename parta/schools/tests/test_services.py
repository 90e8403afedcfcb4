import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.accounts.models import Guardianship, User
from parta.schools import services
from parta.schools.models import (
    AcademicYear,
    CityRole,
    ClassGroup,
    Enrolment,
    StudyPeriod,
    TeachingAssignment,
)
from parta.schools.services import NewPerson
from parta.schools.services import common as common_services
from parta.schools.services import enrolment as enrolment_services
from parta.schools.services import structure as structure_services
from parta.testing import factories as f

CANNOT_ENROL = "This account cannot be enrolled here."


def errors_of(excinfo):
    return excinfo.value.message_dict


@contextmanager
def racing(monkeypatch, model, **rival):
    """A concurrent request saves ``rival`` after the service has checked that its row is unique
    and before it inserts it (``_insert_unique`` is where the insert happens; the parts that call it
    look it up in their own module)."""
    insert_unique = common_services._insert_unique

    def insert_after_the_rival(*args):
        model.objects.create(**rival)
        return insert_unique(*args)

    with monkeypatch.context() as patch:
        for part in (structure_services, enrolment_services):
            patch.setattr(part, "_insert_unique", insert_after_the_rival)
        yield


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
        ({"letter": "A"}, "letter"),  # a Latin A, which looks like the Russian one
        ({"letter": "b"}, "letter"),
        ({"letter": "Ä"}, "letter"),
        ({"letter": "Аб1"}, "letter"),
        ({"letter": "АБВГД"}, "letter"),
        ({"grade": 10**30, "letter": "А"}, "grade"),  # too big for the database: refused, not looked up
    ],
)
def test_class_group_create_rejects_bad_input(world, overrides, field):
    before = ClassGroup.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        create_group(world, **overrides)
    assert field in errors_of(excinfo)
    assert ClassGroup.objects.count() == before


def test_class_group_letters_are_russian_capitals(world):
    assert create_group(world, letter="ё").letter == "Ё"
    with pytest.raises(ValidationError) as excinfo:
        create_group(world, letter="A")
    assert errors_of(excinfo)["letter"] == [
        "The letter may only contain Russian letters (А–Я, Ё), up to four."
    ]


def test_a_concurrent_duplicate_class_group_gets_the_same_message(world, monkeypatch):
    a = world.a
    before = ClassGroup.objects.count()
    rival = {
        "school": a.school,
        "year": a.group.year,
        "grade": 5,
        "letter": "В",
        "building": a.group.building,
    }
    with racing(monkeypatch, ClassGroup, **rival), pytest.raises(ValidationError) as excinfo:
        create_group(world)
    assert errors_of(excinfo) == {"letter": ["Class group 5В already exists this year."]}
    assert ClassGroup.objects.count() == before  # the test's rival is rolled back with the service


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


def test_enrol_an_existing_account_invites_an_existing_guardian(world):
    newcomer = f.UserFactory.create(username="newcomer")
    result = services.student_enrol(
        actor=world.a.admin,
        class_group=world.a.group,
        student_username="newcomer",
        guardian_username=world.a.parent.username,
    )
    assert result.student == newcomer
    assert result.new_accounts == []
    assert result.guardian is None
    # Linked only when the holder accepts (see test_guardian_invitations.py).
    assert not Guardianship.objects.filter(guardian=world.a.parent, student=newcomer).exists()
    assert result.invitation is not None
    assert (result.invitation.invitee, result.invitation.student) == (world.a.parent, newcomer)


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
            {"new_student": NewPerson(last_name="Ким", first_name="Анна"), "guardian_username": "x" * 255},
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


def enrol_existing(world, username, class_group=None):
    return services.student_enrol(
        actor=world.a.admin, class_group=class_group or world.a.group, student_username=username
    )


@pytest.mark.parametrize(
    "who",
    [
        "root",
        "back office staff",
        "methodologist",
        "own school's teacher",
        "other school's teacher",
        "other school's admin",
        "own school's parent",
        "other school's parent",
        "other school's student",
        "inactive account",
        "no such login",
    ],
)
def test_enrol_refuses_every_unfit_account_with_one_message(world, who):
    """Nobody but a plain account can become a student, and the refusal does not say why: a
    school administrator cannot learn from it who the city's logins belong to."""
    username = {
        "root": lambda: User.objects.create_superuser("root", "root@example.org", "x").username,
        "back office staff": lambda: f.UserFactory.create(is_staff=True).username,
        "methodologist": lambda: world.methodologist.username,
        "own school's teacher": lambda: world.a.subject_teacher.username,
        "other school's teacher": lambda: world.b.subject_teacher.username,
        "other school's admin": lambda: world.b.admin.username,
        "own school's parent": lambda: world.a.parent.username,
        "other school's parent": lambda: world.b.parent.username,
        "other school's student": lambda: world.b.student.username,
        "inactive account": lambda: f.UserFactory.create(is_active=False).username,
        "no such login": lambda: "nobody-has-this-login",
    }[who]()
    before = (Enrolment.objects.count(), Guardianship.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        enrol_existing(world, username)
    assert errors_of(excinfo) == {"student_username": [CANNOT_ENROL]}
    assert (Enrolment.objects.count(), Guardianship.objects.count()) == before


def test_a_city_role_alone_bars_an_account_from_enrolment(world):
    inspector = f.UserFactory.create(username="inspector")
    assert enrol_existing(world, "inspector").student == inspector  # a plain account may be enrolled
    Enrolment.objects.filter(student=inspector).delete()
    CityRole.objects.create(city=world.a.school.city, user=inspector, role=CityRole.Role.METHODOLOGIST)
    with pytest.raises(ValidationError) as excinfo:
        enrol_existing(world, "inspector")
    assert errors_of(excinfo) == {"student_username": [CANNOT_ENROL]}


def test_a_student_of_another_school_in_an_earlier_year_may_be_enrolled(world):
    # Moved from school B last year: last year's enrolment there does not overlap this year.
    b = world.b
    last_year = AcademicYear.objects.create(
        school=b.school, name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 5, 31)
    )
    old_group = f.ClassGroupFactory.create(year=last_year, building=b.group.building, grade=6, letter="А")
    mover = f.UserFactory.create(username="mover")
    f.EnrolmentFactory.create(class_group=old_group, student=mover)
    assert enrol_existing(world, "mover").enrolment.class_group == world.a.group


def test_a_concurrent_enrolment_gets_the_same_message(world, monkeypatch):
    newcomer = f.UserFactory.create(username="newcomer")
    a = world.a
    rival = {"school": a.school, "year": a.group.year, "class_group": a.other_group, "student": newcomer}
    with racing(monkeypatch, Enrolment, **rival), pytest.raises(ValidationError) as excinfo:
        enrol_existing(world, "newcomer")
    assert errors_of(excinfo) == {"student_username": ["This student is already enrolled in 9Б this year."]}
    assert not Enrolment.objects.filter(student=newcomer).exists()


def test_a_concurrent_namesake_takes_the_next_free_login(world, monkeypatch):
    # Another enrolment creates petrov.i between the look-up of free logins and this insert.
    real = enrolment_services._free_username
    calls: list[str] = []

    def free_then_taken(base):
        username = real(base)
        if not calls:
            f.UserFactory.create(username=username)
        calls.append(username)
        return username

    monkeypatch.setattr(enrolment_services, "_free_username", free_then_taken)
    result = services.student_enrol(
        actor=world.a.admin, class_group=world.a.group, new_student=NewPerson("Петров", "Иван")
    )
    assert calls == ["petrov.i", "petrov.i2"]
    assert result.student.username == "petrov.i2"


def test_logins_of_long_names_fit_the_login_column(world):
    # «щ» transliterates to four letters: 150 of them would make a 600-letter login.
    person = NewPerson(last_name="Щ" * 150, first_name="Юлия")
    first = services.student_enrol(actor=world.a.admin, class_group=world.a.group, new_student=person)
    second = services.student_enrol(actor=world.a.admin, class_group=world.a.other_group, new_student=person)
    assert len(first.student.username) <= 150
    assert second.student.username == first.student.username + "2"
    assert len(second.student.username) <= 150


@pytest.mark.parametrize("name", ["last_name", "first_name", "middle_name"])
def test_enrol_refuses_names_longer_than_the_columns(world, name):
    fields = {"last_name": "Ким", "first_name": "Анна", "middle_name": ""} | {name: "Я" * 151}
    users = User.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.student_enrol(
            actor=world.a.admin, class_group=world.a.group, new_student=NewPerson(**fields)
        )
    assert errors_of(excinfo) == {f"student_{name}": ["Use at most 150 characters."]}
    assert User.objects.count() == users


def test_enrol_refuses_a_guardian_email_longer_than_the_column(world):
    with pytest.raises(ValidationError) as excinfo:
        services.student_enrol(
            actor=world.a.admin,
            class_group=world.a.group,
            new_student=NewPerson("Ким", "Анна"),
            new_guardian=NewPerson("Ким", "Олег", email="a" * 250 + "@example.org"),
        )
    assert errors_of(excinfo) == {"guardian_email": ["Use at most 254 characters."]}


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


def test_a_concurrent_duplicate_assignment_gets_the_same_message(world, monkeypatch):
    a = world.a
    physics = f.SubjectFactory.create(code="physics")
    rival = {
        "school": a.school,
        "year": a.other_group.year,
        "class_group": a.other_group,
        "subject": physics,
        "teacher": a.class_teacher,
        "hours_per_week": 2,
    }
    before = TeachingAssignment.objects.count()
    with racing(monkeypatch, TeachingAssignment, **rival), pytest.raises(ValidationError) as excinfo:
        assign(world, subject=physics)
    assert list(errors_of(excinfo)) == ["subject"]
    assert "already has a teacher of this subject" in errors_of(excinfo)["subject"][0]
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
        ({"number": 5}, "number"),  # four quarters at most
        ({"number": 40000}, "number"),
        ({"number": 10**30}, "number"),  # too big for the database: refused, not looked up
        ({"kind": StudyPeriod.Kind.TRIMESTER, "number": 4}, "number"),
        ({"kind": StudyPeriod.Kind.SEMESTER, "number": 3}, "number"),
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


@pytest.mark.parametrize(("kind", "last"), [("quarter", 4), ("trimester", 3), ("semester", 2)])
def test_each_kind_of_period_has_its_own_largest_number(world, kind, last):
    period = save_period(
        world, kind=kind, number=last, starts_on=dt.date(2027, 4, 1), ends_on=dt.date(2027, 5, 31)
    )
    assert period.number == last
    with pytest.raises(ValidationError) as excinfo:
        save_period(world, kind=kind, number=last + 1)
    assert errors_of(excinfo)["number"] == [f"For this kind of period the number must be from 1 to {last}."]


def test_a_concurrent_duplicate_period_gets_the_same_message(world, monkeypatch):
    a = world.a
    rival = {
        "school": a.school,
        "year": a.group.year,
        "kind": StudyPeriod.Kind.QUARTER,
        "number": 2,
        "starts_on": dt.date(2027, 1, 10),
        "ends_on": dt.date(2027, 3, 20),
    }
    before = StudyPeriod.objects.count()
    with racing(monkeypatch, StudyPeriod, **rival), pytest.raises(ValidationError) as excinfo:
        save_period(world)
    assert errors_of(excinfo) == {"number": ["This year already has a period of this kind with number 2."]}
    assert StudyPeriod.objects.count() == before


def test_a_concurrent_duplicate_number_on_edit_gets_the_same_message(world, monkeypatch):
    period = save_period(world)
    rival = {
        "school": world.a.school,
        "year": world.a.group.year,
        "kind": StudyPeriod.Kind.QUARTER,
        "number": 3,
        "starts_on": dt.date(2027, 1, 10),
        "ends_on": dt.date(2027, 3, 20),
    }
    with racing(monkeypatch, StudyPeriod, **rival), pytest.raises(ValidationError) as excinfo:
        save_period(world, period=period, number=3)
    assert errors_of(excinfo) == {"number": ["This year already has a period of this kind with number 3."]}
    period.refresh_from_db()
    assert period.number == 2
