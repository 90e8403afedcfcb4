"""Every API endpoint with an id, asked by every kind of actor over two schools (ARCHITECTURE.md,
invariant 2): the rightful owners get 200, everyone else 404 (never 403, so ids cannot be
probed), and an anonymous request 401. No answer to a stranger carries another family's data.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.curriculum.services import thematic_plan_build_default
from parta.testing.factories import api_key
from parta.testing.world import MONDAY, World

WEEK = f"from={MONDAY}&to={MONDAY + dt.timedelta(days=6)}"

SCHOOL_A_STAFF = ["a.admin", "a.class_teacher", "a.subject_teacher"]
# The second family of 7А: the classmate and their parent share the class group, nothing else.
CLASSMATES = ["a.classmate", "a.classmate_parent"]
SCHOOL_B = ["b.admin", "b.class_teacher", "b.subject_teacher", "b.parent", "b.student", "b.sibling"]

# url template (formatted with w=world, plan=the thematic plan of a.assignment), owners, strangers.
# Every actor of the world is in one of the two lists of every row.
MATRIX: list[tuple[str, list[str], list[str]]] = [
    (
        "/api/v1/schools/{w.a.school.pk}",
        [*SCHOOL_A_STAFF, "a.parent", "a.student", "a.sibling", *CLASSMATES, "methodologist"],
        [*SCHOOL_B, "outsider"],
    ),
    (
        "/api/v1/schools/{w.a.school.pk}/class-groups",
        [*SCHOOL_A_STAFF, "a.parent", "a.student", "a.sibling", *CLASSMATES, "methodologist"],
        [*SCHOOL_B, "outsider"],
    ),
    (
        "/api/v1/schools/{w.a.school.pk}/study-periods",
        [*SCHOOL_A_STAFF, "a.parent", "a.student", "a.sibling", *CLASSMATES, "methodologist"],
        [*SCHOOL_B, "outsider"],
    ),
    (
        "/api/v1/class-groups/{w.a.group.pk}",
        [*SCHOOL_A_STAFF, "a.parent", "a.student", *CLASSMATES],
        ["a.sibling", *SCHOOL_B, "outsider", "methodologist"],
    ),
    (
        # The subject teacher does not teach this group: the wrong teacher.
        "/api/v1/class-groups/{w.a.other_group.pk}",
        ["a.admin", "a.class_teacher", "a.parent", "a.sibling"],
        ["a.subject_teacher", "a.student", *CLASSMATES, *SCHOOL_B, "outsider", "methodologist"],
    ),
    (
        "/api/v1/thematic-plans/{plan.pk}",
        ["a.admin", "a.subject_teacher"],
        [
            "a.class_teacher",
            "a.parent",
            "a.student",
            "a.sibling",
            *CLASSMATES,
            *SCHOOL_B,
            "outsider",
            "methodologist",
        ],
    ),
    (
        "/api/v1/people/{w.a.student.pk}/timetable?" + WEEK,
        [*SCHOOL_A_STAFF, "a.parent", "a.student"],
        ["a.sibling", *CLASSMATES, *SCHOOL_B, "outsider", "methodologist"],
    ),
    (
        # The other family of the same class group: the first family's parent and child are strangers.
        "/api/v1/people/{w.a.classmate.pk}/timetable?" + WEEK,
        [*SCHOOL_A_STAFF, *CLASSMATES],
        ["a.parent", "a.student", "a.sibling", *SCHOOL_B, "outsider", "methodologist"],
    ),
    (
        # Only the class teacher teaches the sibling's group: the subject teacher is the wrong teacher.
        "/api/v1/people/{w.a.sibling.pk}/timetable?" + WEEK,
        ["a.admin", "a.class_teacher", "a.parent", "a.sibling"],
        ["a.subject_teacher", "a.student", *CLASSMATES, *SCHOOL_B, "outsider", "methodologist"],
    ),
    (
        "/api/v1/people/{w.a.subject_teacher.pk}/timetable?" + WEEK,
        [*SCHOOL_A_STAFF],
        ["a.parent", "a.student", "a.sibling", *CLASSMATES, *SCHOOL_B, "outsider", "methodologist"],
    ),
]

ALL_ACTORS = {
    *SCHOOL_A_STAFF,
    "a.parent",
    "a.student",
    "a.sibling",
    *CLASSMATES,
    *SCHOOL_B,
    "outsider",
    "methodologist",
}

# Endpoints without an id: anonymous requests are refused all the same.
WITHOUT_ID = [
    ("get", "/api/v1/me"),
    ("post", "/api/v1/me/calendar-token"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/schools"),
    ("get", "/api/v1/subjects"),
    ("get", "/api/v1/topics"),
    ("get", "/api/v1/topics/ALG-07-01-01"),
    ("get", "/api/v1/thematic-plans"),
]


def test_every_row_names_every_actor():
    for url, owners, strangers in MATRIX:
        assert set(owners) | set(strangers) == ALL_ACTORS, url
        assert not set(owners) & set(strangers), url


CASES = [
    pytest.param(url, actor, status, id=f"{url.split('?')[0]}-{actor}-{status}")
    for url, owners, strangers in MATRIX
    for actor, status in [*((o, 200) for o in owners), *((s, 404) for s in strangers), (None, 401)]
]


@pytest.fixture
def plan(world: World):
    return thematic_plan_build_default(world.a.assignment)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


@pytest.mark.parametrize(("template", "actor", "status"), CASES)
def test_access_matrix(world: World, plan, template: str, actor: str | None, status: int):
    user = attrgetter(actor)(world) if actor else None
    response = client_for(user).get(template.format(w=world, plan=plan))
    assert response.status_code == status, response.content
    if status != 200:
        # Nothing but the error itself: no names, no ids, no hint that the thing exists.
        assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(("method", "url"), WITHOUT_ID)
@pytest.mark.django_db
def test_anonymous_requests_are_refused(method: str, url: str):
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def _ids(body: Any) -> set[int]:
    return {row["id"] for row in body["results"]}


def test_lists_never_carry_another_schools_or_familys_data(world: World, plan):
    b_parent = client_for(world.b.parent)
    assert _ids(b_parent.get("/api/v1/schools").json()) == {world.b.school.pk}
    me = b_parent.get("/api/v1/me").json()
    assert {child["id"] for child in me["children"]} == {world.b.student.pk, world.b.sibling.pk}
    b_admin = client_for(world.b.admin)
    assert plan.pk not in _ids(b_admin.get("/api/v1/thematic-plans").json())
    assert _ids(b_admin.get("/api/v1/schools").json()) == {world.b.school.pk}


def test_a_parent_cannot_reach_another_familys_child_through_a_shared_class(world: World):
    # Another family's child in the very same class group: still not this parent's to see.
    for parent, child in [(world.a.parent, world.a.classmate), (world.a.classmate_parent, world.a.student)]:
        response = client_for(parent).get(f"/api/v1/people/{child.pk}/timetable?{WEEK}")
        assert response.status_code == 404
        group = client_for(parent).get(f"/api/v1/class-groups/{world.a.group.pk}").json()
        assert group["students"] is None
    me = client_for(world.a.classmate_parent).get("/api/v1/me").json()
    assert {child["id"] for child in me["children"]} == {world.a.classmate.pk}


def test_the_calendar_feed_of_someone_else_needs_their_secret(world: World):
    # Ids are useless for the feed: only the per-user secret opens it.
    client = client_for(world.b.parent)
    assert client.get(f"/calendar/{world.a.student.pk}.ics").status_code == 404
    assert client.get(f"/calendar/{world.a.student.calendar_token}x.ics").status_code == 404
