"""Read API of the curriculum: framework topics for everyone signed in, thematic plans for their owners."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.curriculum.services import framework_import, thematic_plan_build_default
from parta.curriculum.tests.framework_documents import document, renamed
from parta.testing import factories as f
from parta.testing.factories import api_key


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def get(user, url: str, status: int = 200, language: str = "ru") -> Any:
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def framework(world):
    assert framework_import([document(), renamed(document(), "geometry", "GEO")]).ok
    return world


def codes(body: Any) -> list[str]:
    return [topic["code"] for topic in body["results"]]


# --- topics --------------------------------------------------------------------------------


def test_topics_come_in_teaching_order_with_their_outcomes(framework):
    body = get(framework.outsider, "/api/v1/topics?subject=algebra")
    assert codes(body) == ["ALG-07-01-01", "ALG-07-01-02", "ALG-07-02-01", "ALG-08-01-01"]
    first = body["results"][0]
    assert first == {
        "code": "ALG-07-01-01",
        "title": "Рациональные числа",
        "subject": {"code": "algebra", "name": "Алгебра"},
        "grade": 7,
        "section": {"code": "ALG-07-01", "title": "Числа и вычисления"},
        "hours": 4,
        "outcomes": [
            {"code": "ALG-07-01-01.1", "text": "Умеет ALG-07-01-01.1"},
            {"code": "ALG-07-01-01.2", "text": "Умеет ALG-07-01-01.2"},
        ],
    }


def test_topics_speak_the_language_of_the_request(framework):
    body = get(framework.a.student, "/api/v1/topics?subject=algebra&limit=1", language="en")
    topic = body["results"][0]
    assert topic["title"] == "Rational numbers"
    assert topic["subject"]["name"] == "Algebra"
    assert topic["outcomes"][0]["text"] == "Can ALG-07-01-01.1"


def test_topics_filter_by_grade_and_search(framework):
    assert codes(get(framework.a.parent, "/api/v1/topics?grade=8")) == ["ALG-08-01-01", "GEO-08-01-01"]
    assert codes(get(framework.a.parent, "/api/v1/topics?subject=geometry&grade=7&search=Многочлен")) == [
        "GEO-07-02-01"
    ]
    assert codes(get(framework.a.parent, "/api/v1/topics?search=многочлены")) == [
        "ALG-07-02-01",
        "GEO-07-02-01",
    ]
    assert codes(get(framework.a.parent, "/api/v1/topics?search=polynom")) == ["ALG-07-02-01", "GEO-07-02-01"]
    assert codes(get(framework.a.parent, "/api/v1/topics?search=alg-08")) == ["ALG-08-01-01"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("grade=12", "grade"),
        ("grade=seven", "grade"),
        ("subject=chemistry", "subject"),
        ("subject=не+код", "subject"),
    ],
)
def test_bad_topic_filters_are_a_400_with_field_messages(framework, query, field):
    body = get(framework.a.student, f"/api/v1/topics?{query}", status=400)
    assert body["detail"]
    assert list(body["errors"]) == [field]


def test_the_topic_list_reads_a_fixed_number_of_queries(framework, django_assert_max_num_queries):
    client = client_for(framework.a.student)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/topics").json()["results"]) == 8


def test_a_topic_by_its_code(framework):
    body = get(framework.methodologist, "/api/v1/topics/GEO-07-01-02")
    assert body["title"] == "Степень с натуральным показателем"
    assert body["subject"]["code"] == "geometry"
    assert [o["code"] for o in body["outcomes"]] == ["GEO-07-01-02.1"]
    get(framework.methodologist, "/api/v1/topics/NOPE-01", status=404)


@pytest.mark.django_db
def test_topics_need_a_signed_in_user():
    assert APIClient().get("/api/v1/topics").status_code == 401


# --- thematic plans ------------------------------------------------------------------------


@pytest.fixture
def plans(framework):
    return {
        "a": thematic_plan_build_default(framework.a.assignment),
        "a_other": thematic_plan_build_default(
            f.TeachingAssignmentFactory.create(
                class_group=framework.a.other_group, teacher=framework.a.class_teacher
            )
        ),
        "b": thematic_plan_build_default(framework.b.assignment),
    }


def plan_ids(body: Any) -> set[int]:
    return {plan["id"] for plan in body["results"]}


def test_a_teacher_lists_their_own_plans_and_an_administrator_their_schools(world, plans):
    assert plan_ids(get(world.a.subject_teacher, "/api/v1/thematic-plans")) == {plans["a"].pk}
    assert plan_ids(get(world.a.class_teacher, "/api/v1/thematic-plans")) == {plans["a_other"].pk}
    assert plan_ids(get(world.a.admin, "/api/v1/thematic-plans")) == {plans["a"].pk, plans["a_other"].pk}
    assert plan_ids(get(world.b.admin, "/api/v1/thematic-plans")) == {plans["b"].pk}


@pytest.mark.parametrize("actor", ["a.parent", "a.student", "outsider", "methodologist"])
def test_families_and_outsiders_list_no_plans(world, plans, actor):
    user = world
    for part in actor.split("."):
        user = getattr(user, part)
    assert get(user, "/api/v1/thematic-plans")["results"] == []


def test_plans_filter_by_class_group(world, plans):
    url = f"/api/v1/thematic-plans?class_group={world.a.other_group.pk}"
    assert plan_ids(get(world.a.admin, url)) == {plans["a_other"].pk}
    for bad in ("x", "0", "9" * 30, str(2**63)):
        body = get(world.a.admin, f"/api/v1/thematic-plans?class_group={bad}", status=400)
        assert list(body["errors"]) == ["class_group"]


def test_a_plan_lists_its_topics_in_order_with_hours(world, plans):
    body = get(world.a.subject_teacher, f"/api/v1/thematic-plans/{plans['a'].pk}")
    assert body["assignment"]["subject"] == {"code": "algebra", "name": "Алгебра"}
    assert body["assignment"]["class_group"] == {"id": world.a.group.pk, "name": "7А"}
    assert body["assignment"]["teacher"]["id"] == world.a.subject_teacher.pk
    assert body["total_hours"] == 12
    assert body["item_count"] == 3
    assert [(item["order"], item["topic"]["code"], item["hours"]) for item in body["items"]] == [
        (1, "ALG-07-01-01", 4),
        (2, "ALG-07-01-02", 3),
        (3, "ALG-07-02-01", 5),
    ]
    assert body["items"][2]["section"] == {"code": "ALG-07-02", "title": "Алгебраические выражения"}


def test_the_plan_list_reads_a_fixed_number_of_queries(world, plans, django_assert_max_num_queries):
    for _ in range(5):
        thematic_plan_build_default(f.TeachingAssignmentFactory.create(class_group=world.a.group))
    client = client_for(world.a.admin)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/thematic-plans").json()["count"] == 7
