"""GET /api/v1/me and POST /api/v1/me/calendar-token."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.testing import factories as f
from parta.testing.factories import api_key


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


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


def test_me_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(5):
        f.GuardianshipFactory.create(guardian=world.a.parent, student=f.EnrolmentFactory.create().student)
    client = client_for(world.a.parent)
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/me").json()["children"]) == 7


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
