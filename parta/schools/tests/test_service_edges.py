"""Rules of the schools' services that no other test pinned down, found by issue 17's mutation run
over ``parta/schools/services.py`` (docs/decisions/0008-test-blind-spots.md): each through the
public services, so that they hold whatever modules the services are split into."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from parta.accounts.models import User
from parta.schools import services
from parta.schools.models import District, GuardianshipInvitation, School, StudyPeriod
from parta.schools.services import NewPerson
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


def fields(excinfo: Any) -> set[str]:
    return set(excinfo.value.message_dict)


def _group(world: Any, **overrides: Any) -> Any:
    a = world.a
    kwargs = {
        "actor": a.admin,
        "school": a.school,
        "year": a.group.year,
        "grade": 5,
        "letter": "В",
        "building": a.group.building,
    }
    return services.class_group_create(**(kwargs | overrides))


def _assign(world: Any, **overrides: Any) -> Any:
    a = world.a
    kwargs = {
        "actor": a.admin,
        "school": a.school,
        "class_group": a.other_group,
        "subject": f.SubjectFactory.create(code="physics"),
        "teacher": a.subject_teacher,
        "hours_per_week": 3,
    }
    return services.teaching_assignment_create(**(kwargs | overrides))


def _enrol(world: Any, last: str, first: str, **kwargs: Any) -> Any:
    return services.student_enrol(
        actor=world.a.admin, class_group=world.a.group, new_student=NewPerson(last, first), **kwargs
    )


def _invite(world: Any, login: str, **kwargs: Any) -> Any:
    return services.guardian_invite(
        actor=kwargs.pop("actor", world.a.admin),
        school=kwargs.pop("school", world.a.school),
        student=world.a.student,
        login=login,
        relation=kwargs.pop("relation", "father"),
    )


def _period(world: Any, **overrides: Any) -> Any:
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


# --- class groups and teaching assignments ---------------------------------------------------


def test_an_administrator_who_does_not_teach_neither_leads_nor_teaches_a_class(world):
    with pytest.raises(ValidationError) as excinfo:
        _group(world, class_teacher=world.a.admin)
    assert fields(excinfo) == {"class_teacher"}
    with pytest.raises(ValidationError) as excinfo:
        _assign(world, teacher=world.a.admin)
    assert fields(excinfo) == {"teacher"}


def test_grades_1_and_11_exist_and_a_duplicate_there_is_reported_with_the_rest(world):
    for grade in (1, 11):
        assert _group(world, grade=grade, letter="А").grade == grade
    for grade in (1, 11):
        with pytest.raises(ValidationError) as excinfo:
            _group(world, grade=grade, letter="А", building=world.b.group.building)
        assert fields(excinfo) == {"letter", "building"}


def test_a_letter_is_taken_only_by_its_own_grade_in_its_own_year(world):
    a = world.a
    last_year = f.AcademicYearFactory.create(
        school=a.school, name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 5, 31)
    )
    f.ClassGroupFactory.create(year=last_year, building=a.group.building, grade=5, letter="В")
    _group(world, letter="Б")
    assert _group(world, letter="В").name == "5В"


def test_a_class_group_keeps_its_home_room(world):
    room = f.RoomFactory.create(building=world.a.group.building)
    group = _group(world, home_room=room)
    group.refresh_from_db()
    assert group.home_room == room


def test_hours_per_week_from_1_to_12_are_taken(world):
    assert _assign(world).hours_per_week == 3
    assert _assign(world, subject=f.SubjectFactory.create(code="art"), hours_per_week=1).hours_per_week == 1
    assert (
        _assign(world, subject=f.SubjectFactory.create(code="music"), hours_per_week=12).hours_per_week == 12
    )


def test_a_subject_is_taught_in_every_class_and_in_each_subgroup(world):
    a = world.a
    chemistry = f.SubjectFactory.create(code="chemistry")
    _assign(world, subject=chemistry)
    assert _assign(world, subject=chemistry, class_group=a.group).class_group == a.group
    english = f.SubjectFactory.create(code="english")
    for number, teacher in ((1, a.subject_teacher), (2, a.class_teacher)):
        subgroup = f.SubgroupFactory.create(class_group=a.group, subject=english, number=number)
        _assign(world, subject=english, class_group=a.group, subgroup=subgroup, teacher=teacher)
    assert a.group.teaching_assignments.filter(subject=english).count() == 2


def test_a_subgroup_split_for_another_subject_is_refused_at_the_subgroup(world):
    a = world.a
    subgroup = f.SubgroupFactory.create(class_group=a.group, subject=f.SubjectFactory.create(code="english"))
    with pytest.raises(ValidationError) as excinfo:
        _assign(world, class_group=a.group, subgroup=subgroup)
    assert fields(excinfo) == {"subgroup"}


# --- enrolment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "first", "login"),
    [
        ("Иванова", "Анна", "ivanova.a"),
        ("Щукина-Smith", "Юлия", "shchukinasmith.yu"),
        ("Ъ", "Анна", "a"),
        ("Ъ", "Ь", "user"),
        ("а" * 143, "Борис", "a" * 143),  # cut to 144 characters, which ended in the dot
    ],
)
def test_a_new_students_login_is_made_from_the_name_in_latin(world, last, first, login):
    assert _enrol(world, last, first).student.username == login


def test_new_accounts_keep_their_names_without_margins_and_get_printable_passwords(world):
    """Three groups of four from an alphabet without look-alikes (0/O, 1/l/I), lower case."""
    result = _enrol(
        world, " Иванова ", " Анна ", new_guardian=NewPerson(" Иванов ", " Пётр ", " Ильич ", " p@x.ru ")
    )
    guardian = User.objects.get(pk=result.guardian.pk)
    assert (guardian.last_name, guardian.first_name, guardian.middle_name, guardian.email) == (
        "Иванов",
        "Пётр",
        "Ильич",
        "p@x.ru",
    )
    passwords = [password for _user, password in result.new_accounts]
    for last in ("Петрова", "Сидорова"):
        more = _enrol(world, last, "Анна", new_guardian=NewPerson(last, "Ольга"))
        passwords += [password for _user, password in more.new_accounts]
    assert len(passwords) == 6
    for password in passwords:
        assert re.fullmatch(r"[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}", password), password


def test_an_e_mail_address_of_254_characters_is_taken(world):
    address = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".ru"
    assert len(address) == 254
    result = _enrol(world, "Иванова", "Анна", new_guardian=NewPerson("Иванов", "Пётр", email=address))
    assert result.guardian.email == address


def test_a_student_enrolled_elsewhere_for_a_later_year_may_be_enrolled_now(world):
    b = world.b
    next_year = f.AcademicYearFactory.create(
        school=b.school, name="2027/2028", starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2028, 5, 31)
    )
    later = f.ClassGroupFactory.create(year=next_year, building=b.group.building, grade=8, letter="А")
    pupil = f.UserFactory.create(username="pupil")
    f.EnrolmentFactory.create(class_group=later, student=pupil)
    result = services.student_enrol(actor=world.a.admin, class_group=world.a.group, student_username="pupil")
    assert result.enrolment.class_group == world.a.group


def test_an_enrolment_without_a_guardians_login_invites_nobody(world):
    assert _enrol(world, "Иванова", "Анна").invitation is None
    assert not GuardianshipInvitation.objects.exists()


def test_a_guardians_login_and_a_new_guardian_together_are_refused_at_the_login(world):
    with pytest.raises(ValidationError) as excinfo:
        _enrol(world, "Иванова", "Анна", guardian_username="petrov", new_guardian=NewPerson("Петров", "Иван"))
    assert fields(excinfo) == {"guardian_username"}


# --- guardianship invitations ------------------------------------------------------------------


def test_an_invitations_login_and_relation_are_refused_at_their_fields(world):
    with pytest.raises(ValidationError) as excinfo:
        _invite(world, "  ")
    assert fields(excinfo) == {"login"}
    with pytest.raises(ValidationError) as excinfo:
        _invite(world, "petrov", relation="neighbour")
    assert fields(excinfo) == {"relation"}
    assert _invite(world, "l" * 254).login == "l" * 254


def test_an_invitation_reaches_only_active_accounts(world):
    closed = f.UserFactory.create(username="closed", email="family@example.org", is_active=False)
    active = f.UserFactory.create(username="active", email="Family@example.org")
    at_login = f.UserFactory.create(username="anna@school")
    assert _invite(world, "closed").invitee is None
    assert _invite(world, "family@example.org").invitee == active
    assert _invite(world, "anna@school").invitee == at_login
    assert closed.pk != active.pk


def test_inviting_again_after_a_withdrawal_a_refusal_or_the_expiry_is_a_new_invitation(world):
    first = _invite(world, "petrov")
    services.guardian_invitation_withdraw(actor=world.a.admin, invitation_id=first.pk)
    second = _invite(world, "petrov")
    assert second.pk != first.pk
    GuardianshipInvitation.objects.filter(pk=second.pk).update(status=GuardianshipInvitation.Status.DECLINED)
    third = _invite(world, "petrov")
    assert third.pk not in {first.pk, second.pk}
    GuardianshipInvitation.objects.filter(pk=third.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    fourth = _invite(world, "petrov")
    assert fourth.pk not in {first.pk, second.pk, third.pk}


def test_another_schools_open_invitation_is_not_this_schools(world):
    b = world.b
    f.EnrolmentFactory.create(class_group=b.group, student=world.a.student)
    theirs = _invite(world, "petrov", actor=b.admin, school=b.school)
    ours = _invite(world, "petrov")
    assert (theirs.school, ours.school) == (b.school, world.a.school)
    assert ours.pk != theirs.pk


def test_a_closed_invitation_is_refused_at_the_invitation(world):
    invitation = _invite(world, "petrov")
    services.guardian_invitation_withdraw(actor=world.a.admin, invitation_id=invitation.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.guardian_invitation_withdraw(actor=world.a.admin, invitation_id=invitation.pk)
    assert fields(excinfo) == {"invitation"}


# --- study periods -----------------------------------------------------------------------------


def test_a_period_of_another_year_or_school_is_refused_at_the_year(world):
    a = world.a
    last_year = f.AcademicYearFactory.create(
        school=a.school, name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 5, 31)
    )
    period = StudyPeriod.objects.get(year=a.group.year, number=1)
    with pytest.raises(ValidationError) as excinfo:
        _period(
            world,
            year=last_year,
            period=period,
            starts_on=dt.date(2025, 11, 5),
            ends_on=dt.date(2025, 12, 28),
        )
    assert fields(excinfo) == {"year"}
    with pytest.raises(ValidationError) as excinfo:
        _period(world, year=world.b.group.year)
    assert "year" in fields(excinfo)


def test_a_one_day_period_is_a_period_and_may_clash(world):
    one_day = _period(world, starts_on=dt.date(2026, 11, 5), ends_on=dt.date(2026, 11, 5))
    assert one_day.starts_on == one_day.ends_on
    with pytest.raises(ValidationError) as excinfo:
        _period(world, number=3, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 10, 1))
    assert fields(excinfo) == {"starts_on"}


def test_a_period_before_a_later_one_does_not_clash_with_it(world):
    _period(world, number=3, starts_on=dt.date(2027, 1, 10), ends_on=dt.date(2027, 3, 20))
    assert _period(world).number == 2


@pytest.mark.parametrize(
    ("number", "starts_on"),
    [(1, dt.date(2026, 9, 1)), (2, dt.date(2027, 5, 31))],  # the year's first and last days
)
def test_a_period_running_past_the_year_is_refused_at_its_end(world, number, starts_on):
    with pytest.raises(ValidationError) as excinfo:
        _period(
            world,
            kind=StudyPeriod.Kind.SEMESTER,
            number=number,
            starts_on=starts_on,
            ends_on=dt.date(2027, 6, 15),
        )
    assert fields(excinfo) == {"ends_on"}


# --- machine clients of a school ---------------------------------------------------------------


def test_only_a_superuser_makes_a_client_without_a_school(world):
    with pytest.raises(Http404):
        services.machine_client_for_school_create(
            actor=world.a.admin, school_id=None, kind="payment_provider", name="Банк"
        )
    root = f.UserFactory.create(is_superuser=True)
    client, _secret = services.machine_client_for_school_create(
        actor=root, school_id=None, kind="payment_provider", name="Банк"
    )
    assert (client.school_id, client.scope_list) == (None, ["payments:callback"])


def test_a_clients_building_must_be_one_of_its_schools(world):
    with pytest.raises(ValidationError) as excinfo:
        services.machine_client_for_school_create(
            actor=world.a.admin,
            school_id=world.a.school.pk,
            kind="turnstile",
            name="Турникет",
            building_id=world.b.group.building_id,
        )
    assert fields(excinfo) == {"building"}


def test_a_client_of_no_such_school_is_refused_at_the_school(world):
    missing = School.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    with pytest.raises(ValidationError) as excinfo:
        services.machine_client_for_school_create(
            actor=None, school_id=missing, kind="clinic", name="Медпункт"
        )
    assert fields(excinfo) == {"school"}


def test_given_scopes_are_kept_and_an_unknown_kind_is_refused(world):
    client, _secret = services.machine_client_for_school_create(
        actor=world.a.admin,
        school_id=world.a.school.pk,
        kind="turnstile",
        name="Турникет",
        scopes=["meals:write"],
    )
    assert client.scope_list == ["meals:write"]
    with pytest.raises(ValidationError) as excinfo:
        services.machine_client_for_school_create(
            actor=world.a.admin, school_id=world.a.school.pk, kind="toaster", name="Тостер"
        )
    assert "kind" in fields(excinfo)


# --- a new school ------------------------------------------------------------------------------


def _school(**overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "city": "Москва",
        "district": "ЦАО",
        "name": "Школа № 1",
        "short_name": "",
        "admin_username": "director",
        "admin": NewPerson("Иванова", "Анна"),
    }
    return services.school_create(**(kwargs | overrides))


def test_a_new_schools_problems_are_reported_at_their_fields():
    with pytest.raises(ValidationError) as excinfo:
        _school(city=" ", district="", short_name="Ш" * 101, admin_username="", admin=NewPerson("", "Анна"))
    assert fields(excinfo) == {"city", "district", "short_name", "admin_username", "admin_last_name"}


def test_a_place_name_of_200_characters_is_taken():
    assert _school(city="Г" * 200).school.city.name == "Г" * 200


def test_schools_share_a_city_and_a_district_by_their_names():
    first = _school().school
    second = _school(name="Школа № 2", admin_username="director2").school
    other_district = _school(name="Школа № 3", district="САО", admin_username="director3").school
    other_city = _school(city="Казань", name="Школа № 4", admin_username="director4").school
    assert first.district_id == second.district_id
    assert len({first.district_id, other_district.district_id, other_city.district_id}) == 3
    assert other_city.district.city.name == "Казань"
    assert District.objects.count() == 3
