"""GET /api/v1/me and POST /api/v1/me/calendar-token."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from parta.accounts.models import Guardianship
from parta.schools.api import MeApi
from parta.schools.models import ClassGroup, Enrolment, StaffMembership, TeachingAssignment
from parta.testing import factories as f
from parta.testing.factories import api_key


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def person(world, who: str):
    """One of school A's people, or the world's methodologist or outsider."""
    return getattr(world, who, None) or getattr(world.a, who)


def me(user) -> Any:
    response = client_for(user).get("/api/v1/me")
    assert response.status_code == 200
    return response.json()


def test_a_parent_sees_their_children_with_class_group_and_school(world):
    body = me(world.a.parent)
    assert body["roles"] == ["parent"]
    assert body["schools"] == [{"id": world.a.school.pk, "name": world.a.school.short_name}]
    children = {child["id"]: child for child in body["children"]}
    assert set(children) == {world.a.student.pk, world.a.sibling.pk}
    student = children[world.a.student.pk]
    assert student["full_name"] == world.a.student.full_name
    assert student["class_group"]["id"] == world.a.group.pk
    assert student["class_group"]["name"] == "7А"
    assert student["school"] == {"id": world.a.school.pk, "name": world.a.school.short_name}
    assert children[world.a.sibling.pk]["class_group"]["name"] == "9Б"
    assert body["class_group"] is None
    assert body["class_groups_taught"] == []


def test_a_parent_never_sees_another_family(world):
    ids = {child["id"] for child in me(world.b.parent)["children"]}
    assert ids == {world.b.student.pk, world.b.sibling.pk}


def test_a_student_sees_their_class_group(world):
    body = me(world.a.student)
    assert body["roles"] == ["student"]
    assert body["class_group"]["id"] == world.a.group.pk
    assert body["class_group"]["school"]["id"] == world.a.school.pk
    assert body["children"] == []
    assert body["schools"] == [{"id": world.a.school.pk, "name": world.a.school.short_name}]


def test_a_teacher_sees_the_class_groups_they_teach_and_lead(world):
    body = me(world.a.class_teacher)
    assert body["roles"] == ["teacher"]
    taught = {group["name"]: group["is_class_teacher"] for group in body["class_groups_taught"]}
    assert taught == {"7А": True, "9Б": False}
    assert [group["name"] for group in me(world.a.subject_teacher)["class_groups_taught"]] == ["7А"]


def test_a_teacher_sees_only_the_newest_year(world):
    next_year = f.AcademicYearFactory.create(
        school=world.a.school, name="2027/2028", starts_on="2027-09-01", ends_on="2028-05-31"
    )
    group = f.ClassGroupFactory.create(year=next_year, grade=8, letter="А")
    f.TeachingAssignmentFactory.create(class_group=group, teacher=world.a.subject_teacher)
    assert [g["name"] for g in me(world.a.subject_teacher)["class_groups_taught"]] == ["8А"]


def test_an_administrator_and_a_methodologist(world):
    admin = me(world.a.admin)
    assert admin["roles"] == ["admin"]
    assert admin["schools"] == [{"id": world.a.school.pk, "name": world.a.school.short_name}]
    methodologist = me(world.methodologist)
    assert methodologist["roles"] == ["methodologist"]
    assert methodologist["schools"] == []


def test_an_outsider_has_no_roles(world):
    body = me(world.outsider)
    assert body["roles"] == []
    assert body["schools"] == body["children"] == body["class_groups_taught"] == []
    assert body["class_group"] is None


def test_the_calendar_url_is_absolute_and_secret(world):
    body = me(world.a.student)
    assert body["calendar_url"] == f"http://testserver/calendar/{world.a.student.calendar_token}.ics"


@pytest.mark.parametrize(
    ("who", "queries"),
    [
        ("parent", 2),
        ("student", 2),
        ("class_teacher", 2),
        ("admin", 2),
        ("methodologist", 1),
        ("outsider", 1),
    ],
)
def test_me_is_the_token_and_one_query_whatever_the_user_has(
    world, django_assert_max_num_queries, who, queries
):
    """The token brings the roles; one statement reads the parts they call for, however many
    children or groups (none for someone with no school)."""
    user = person(world, who)
    for grade in range(1, 6):
        f.GuardianshipFactory.create(guardian=world.a.parent, student=f.EnrolmentFactory.create().student)
        f.EnrolmentFactory.create(student=world.a.student)  # a year of another school
        f.TeachingAssignmentFactory.create(
            class_group__year=world.a.group.year, class_group__grade=grade, teacher=world.a.class_teacher
        )
    client = client_for(user)
    with django_assert_max_num_queries(queries):
        assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    "who", ["parent", "student", "class_teacher", "subject_teacher", "admin", "methodologist", "outsider"]
)
def test_me_writes_what_its_serializer_would(world, who):
    """The view writes the summary directly; it is exactly what OutputSerializer (the OpenAPI
    schema) would make of it, byte for byte."""
    f.GuardianshipFactory.create(guardian=world.a.parent, student=f.UserFactory.create())  # no class
    response = client_for(person(world, who)).get("/api/v1/me")
    assert response.status_code == 200
    assert response.content == JSONRenderer().render(MeApi.OutputSerializer(response.json()).data)


def test_a_parents_children_in_name_order_each_in_their_newest_class(world):
    """Children by surname, then first name; each with the class of their newest year, or none;
    a deactivated child is not listed, and a school is listed once however many reach it."""
    next_year = f.AcademicYearFactory.create(
        school=world.a.school, name="2027/2028", starts_on="2027-09-01", ends_on="2028-05-31"
    )
    f.EnrolmentFactory.create(
        class_group=f.ClassGroupFactory.create(year=next_year, grade=8, letter="А"), student=world.a.student
    )
    Enrolment.objects.filter(student=world.a.sibling).delete()
    gone = f.EnrolmentFactory.create(class_group=world.a.group, student__is_active=False).student
    f.GuardianshipFactory.create(guardian=world.a.parent, student=gone)
    world.a.student.last_name, world.a.student.first_name = "Яковлева", "Анна"
    world.a.student.save()
    world.a.sibling.last_name, world.a.sibling.first_name = "Абрамов", "Пётр"
    world.a.sibling.save()
    body = me(world.a.parent)
    assert [
        (child["id"], child["class_group"] and child["class_group"]["name"]) for child in body["children"]
    ] == [
        (world.a.sibling.pk, None),
        (world.a.student.pk, "8А"),
    ]
    assert body["children"][0]["school"] is None
    assert body["children"][1]["class_group"]["year"] == {"id": next_year.pk, "name": "2027/2028"}
    assert body["schools"] == [{"id": world.a.school.pk, "name": world.a.school.short_name}]


def test_a_student_sees_the_class_of_their_newest_year(world):
    next_year = f.AcademicYearFactory.create(
        school=world.a.school, name="2027/2028", starts_on="2027-09-01", ends_on="2028-05-31"
    )
    group = f.ClassGroupFactory.create(year=next_year, grade=8, letter="А")
    f.EnrolmentFactory.create(class_group=group, student=world.a.student)
    body = me(world.a.student)
    assert body["class_group"] == {
        "id": group.pk,
        "name": "8А",
        "school": {"id": world.a.school.pk, "name": world.a.school.short_name},
        "year": {"id": next_year.pk, "name": "2027/2028"},
    }
    assert body["schools"] == [{"id": world.a.school.pk, "name": world.a.school.short_name}]


def test_every_role_at_once_lists_each_school_once_in_name_order(world):
    """A teacher of one school who administers it too, has a child in another and studies in a
    third: the schools by name, each once; the children and class groups of every role."""
    user = world.a.class_teacher
    world.a.school.short_name, world.b.school.short_name = "Школа Б", "Школа А"
    world.a.school.save()
    world.b.school.save()
    f.StaffMembershipFactory.create(school=world.a.school, user=user, role=StaffMembership.Role.ADMIN)
    f.GuardianshipFactory.create(guardian=user, student=world.b.student)
    third = f.EnrolmentFactory.create(student=user, class_group__year__school__short_name="Вечерняя школа")
    body = me(user)
    assert body["roles"] == ["admin", "teacher", "parent", "student"]
    assert [school["name"] for school in body["schools"]] == ["Вечерняя школа", "Школа А", "Школа Б"]
    assert [child["id"] for child in body["children"]] == [world.b.student.pk]
    assert body["class_group"]["id"] == third.class_group_id
    assert [group["name"] for group in body["class_groups_taught"]] == ["7А", "9Б"]


def test_a_teacher_of_two_schools_sees_each_schools_newest_year_by_school_name(world):
    teacher = world.a.subject_teacher
    f.StaffMembershipFactory.create(school=world.b.school, user=teacher)
    f.TeachingAssignmentFactory.create(class_group=world.b.other_group, teacher=teacher)
    world.a.school.short_name, world.b.school.short_name = "Школа Б", "Школа А"
    world.a.school.save()
    world.b.school.save()
    taught = me(teacher)["class_groups_taught"]
    assert [(group["school"]["name"], group["name"]) for group in taught] == [
        ("Школа А", "9Б"),
        ("Школа Б", "7А"),
    ]
    next_year = f.AcademicYearFactory.create(
        school=world.b.school, name="2027/2028", starts_on="2027-09-01", ends_on="2028-05-31"
    )
    f.ClassGroupFactory.create(year=next_year, grade=10, letter="А", class_teacher=teacher)
    taught = me(teacher)["class_groups_taught"]
    assert [(group["name"], group["is_class_teacher"]) for group in taught] == [("10А", True), ("7А", False)]


def test_every_change_shows_on_the_very_next_read(world):
    """Enrolment, guardianship, teaching, class teacher, name and roles: /me answers each change at
    once (it reads the database on every request; nothing of it is cached)."""
    parent, teacher = world.a.parent, world.a.subject_teacher
    newcomer = f.EnrolmentFactory.create(class_group=world.a.other_group).student
    guardianship = f.GuardianshipFactory.create(guardian=parent, student=newcomer)
    assert newcomer.pk in {child["id"] for child in me(parent)["children"]}
    Enrolment.objects.filter(student=newcomer).update(class_group=world.a.group)
    child = next(child for child in me(parent)["children"] if child["id"] == newcomer.pk)
    assert child["class_group"]["name"] == "7А"
    newcomer.last_name = "Новикова"
    newcomer.save()
    child = next(child for child in me(parent)["children"] if child["id"] == newcomer.pk)
    assert child["full_name"].startswith("Новикова ")
    Guardianship.objects.filter(pk=guardianship.pk).delete()
    assert newcomer.pk not in {child["id"] for child in me(parent)["children"]}

    assignment = f.TeachingAssignmentFactory.create(class_group=world.a.other_group, teacher=teacher)
    assert [group["name"] for group in me(teacher)["class_groups_taught"]] == ["7А", "9Б"]
    ClassGroup.objects.filter(pk=world.a.other_group.pk).update(class_teacher=teacher)
    taught = me(teacher)["class_groups_taught"]
    assert [(group["name"], group["is_class_teacher"]) for group in taught] == [("7А", False), ("9Б", True)]
    TeachingAssignment.objects.filter(pk=assignment.pk).delete()
    ClassGroup.objects.filter(pk=world.a.other_group.pk).update(class_teacher=None)
    assert [group["name"] for group in me(teacher)["class_groups_taught"]] == ["7А"]

    f.StaffMembershipFactory.create(school=world.b.school, user=parent, role=StaffMembership.Role.ADMIN)
    body = me(parent)
    assert body["roles"] == ["admin", "parent"]
    assert {school["id"] for school in body["schools"]} == {world.a.school.pk, world.b.school.pk}
    StaffMembership.objects.filter(user=parent).delete()
    assert me(parent)["roles"] == ["parent"]


def test_resetting_the_calendar_token_moves_the_feed(world):
    client = client_for(world.a.student)
    old_url = client.get("/api/v1/me").json()["calendar_url"]
    response = client.post("/api/v1/me/calendar-token")
    assert response.status_code == 200
    new_url = response.json()["calendar_url"]
    assert new_url != old_url
    world.a.student.refresh_from_db()
    assert new_url.endswith(f"/calendar/{world.a.student.calendar_token}.ics")
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


@pytest.mark.django_db
def test_resetting_the_calendar_token_needs_a_signed_in_user():
    assert APIClient().post("/api/v1/me/calendar-token").status_code == 401
