"""Read API of the school structure: what each role sees, in a fixed number of queries."""

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


def get(user, url: str, status: int = 200) -> Any:
    response = client_for(user).get(url)
    assert response.status_code == status, response.content
    return response.json()


# --- schools -------------------------------------------------------------------------------


def test_school_list_is_paginated_and_holds_only_the_users_schools(world):
    body = get(world.a.parent, "/api/v1/schools")
    assert body["count"] == 1
    assert body["next"] is None
    [school] = body["results"]
    assert school["id"] == world.a.school.pk
    assert school["city"] == {"id": world.a.school.city_id, "name": "Москва"}
    assert school["district"]["id"] == world.a.school.district_id


def test_a_methodologist_lists_the_schools_of_their_city(world):
    ids = {school["id"] for school in get(world.methodologist, "/api/v1/schools")["results"]}
    assert ids == {world.a.school.pk, world.b.school.pk}


def test_an_outsider_lists_no_schools(world):
    assert get(world.outsider, "/api/v1/schools") == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_limit_and_offset_page_through_a_list(world):
    body = get(world.methodologist, "/api/v1/schools?limit=1")
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert "offset=1" in body["next"]
    second = get(world.methodologist, "/api/v1/schools?limit=1&offset=1")
    assert second["results"][0]["id"] != body["results"][0]["id"]


def test_school_detail_has_buildings_and_years(world):
    body = get(world.a.student, f"/api/v1/schools/{world.a.school.pk}")
    assert body["id"] == world.a.school.pk
    assert [b["name"] for b in body["buildings"]] == [b.name for b in world.a.school.buildings.order_by("pk")]
    assert [y["name"] for y in body["years"]] == ["2026/2027"]


def test_a_superuser_reads_every_school(world):
    root = f.UserFactory.create(is_superuser=True, is_staff=True)
    assert get(root, "/api/v1/schools")["count"] == 2
    assert get(root, f"/api/v1/schools/{world.b.school.pk}")["id"] == world.b.school.pk


# --- class groups ----------------------------------------------------------------------------


def names(body: Any) -> list[str]:
    return [group["name"] for group in body["results"]]


def test_an_administrator_lists_every_class_group_of_their_school(world):
    body = get(world.a.admin, f"/api/v1/schools/{world.a.school.pk}/class-groups")
    assert names(body) == ["7А", "9Б"]
    first = body["results"][0]
    assert first["student_count"] == 2  # the student and the classmate
    assert first["class_teacher"] == {
        "id": world.a.class_teacher.pk,
        "short_name": world.a.class_teacher.short_name,
    }
    assert first["year"]["name"] == "2026/2027"


def test_teachers_and_families_list_only_their_class_groups(world):
    url = f"/api/v1/schools/{world.a.school.pk}/class-groups"
    assert names(get(world.a.subject_teacher, url)) == ["7А"]
    assert names(get(world.a.class_teacher, url)) == ["7А", "9Б"]
    assert names(get(world.a.student, url)) == ["7А"]
    assert names(get(world.a.parent, url)) == ["7А", "9Б"]
    # A methodologist may read the school but none of its classes.
    assert names(get(world.methodologist, url)) == []


def test_class_groups_can_be_filtered_by_year(world):
    url = f"/api/v1/schools/{world.a.school.pk}/class-groups"
    assert names(get(world.a.admin, f"{url}?year={world.a.group.year_id}")) == ["7А", "9Б"]
    assert names(get(world.a.admin, f"{url}?year={world.a.group.year_id + 1000}")) == []


@pytest.mark.parametrize("value", ["soon", "0", "²", "9" * 30, str(2**63)])
def test_a_bad_filter_is_a_400_with_a_field_message(world, value):
    # A huge id is refused by the filter rather than overflowing the database driver (a 500).
    body = get(world.a.admin, f"/api/v1/schools/{world.a.school.pk}/class-groups?year={value}", status=400)
    assert body["detail"]
    assert list(body["errors"]) == ["year"]


def test_the_class_group_list_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for letter in "ВГДЕЖ":
        group = f.ClassGroupFactory.create(year=world.a.group.year, grade=5, letter=letter)
        f.EnrolmentFactory.create(class_group=group)
    client = client_for(world.a.admin)
    with django_assert_max_num_queries(5):
        assert len(client.get(f"/api/v1/schools/{world.a.school.pk}/class-groups").json()["results"]) == 7


def test_class_group_detail_shows_students_to_its_teachers_and_administrator(world):
    url = f"/api/v1/class-groups/{world.a.group.pk}"
    for staff in (world.a.admin, world.a.class_teacher, world.a.subject_teacher):
        body = get(staff, url)
        students = {s["id"]: s["full_name"] for s in body["students"]}
        assert students == {
            world.a.student.pk: world.a.student.full_name,
            world.a.classmate.pk: world.a.classmate.full_name,
        }


def test_class_group_detail_hides_the_class_list_from_families(world):
    url = f"/api/v1/class-groups/{world.a.group.pk}"
    for family in (world.a.parent, world.a.student):
        body = get(family, url)
        assert body["students"] is None
        assert body["name"] == "7А"


def test_class_group_detail_lists_subgroups_and_who_teaches_what(world):
    subgroup = f.SubgroupFactory.create(class_group=world.a.group, number=2)
    f.TeachingAssignmentFactory.create(
        class_group=world.a.group,
        subgroup=subgroup,
        subject=subgroup.subject,
        teacher=world.a.subject_teacher,
    )
    body = get(world.a.student, f"/api/v1/class-groups/{world.a.group.pk}")
    assert body["subgroups"] == [
        {
            "id": subgroup.pk,
            "name": "7А/2",
            "subject": {"code": subgroup.subject.code, "name": subgroup.subject.name_en},
        }
    ]
    subjects = {(a["subject"]["code"], a["subgroup"]) for a in body["assignments"]}
    assert subjects == {("algebra", None), ("russian", None), (subgroup.subject.code, "7А/2")}
    assert body["class_teacher"]["id"] == world.a.class_teacher.pk
    assert body["school"] == {"id": world.a.school.pk, "name": world.a.school.short_name}


def test_class_group_detail_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(10):
        f.EnrolmentFactory.create(class_group=world.a.group)
    client = client_for(world.a.admin)
    with django_assert_max_num_queries(6):
        assert len(client.get(f"/api/v1/class-groups/{world.a.group.pk}").json()["students"]) == 12


# --- subjects and study periods ----------------------------------------------------------


def test_subjects_are_the_city_catalogue_for_any_signed_in_user(world):
    body = get(world.outsider, "/api/v1/subjects")
    assert {s["code"] for s in body["results"]} == {"algebra", "russian"}


def test_subject_names_follow_the_language_of_the_request(world):
    client = client_for(world.a.student)
    english = client.get("/api/v1/subjects", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    russian = client.get("/api/v1/subjects", HTTP_ACCEPT_LANGUAGE="ru").json()["results"]
    assert {s["name"] for s in english} == {"Algebra", "Russian"}
    assert {s["name"] for s in russian} == {"Алгебра", "Русский язык"}


def test_study_periods_of_a_school(world):
    body = get(world.a.parent, f"/api/v1/schools/{world.a.school.pk}/study-periods")
    [period] = body["results"]
    assert period["kind"] == "quarter"
    assert period["number"] == 1
    assert period["starts_on"] == "2026-09-01"
    assert period["year"]["name"] == "2026/2027"


@pytest.mark.parametrize("url", ["/api/v1/schools", "/api/v1/subjects"])
@pytest.mark.django_db
def test_lists_need_a_signed_in_user(url):
    assert APIClient().get(url).status_code == 401
