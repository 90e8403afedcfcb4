"""Every page with an id, opened by every kind of actor over two schools (nobody sees
another's records): the rightful owners get 200, everyone else 404 (never 403), an anonymous
visitor the login page. A stranger's 404 is the plain not-found page, with none of the data."""

from __future__ import annotations

from operator import attrgetter

import pytest
from django.conf import settings

from parta.testing.world import MONDAY

WEEK = f"?week={MONDAY}"
A_STAFF = ["a.admin", "a.class_teacher", "a.subject_teacher"]
A_FAMILY = ["a.parent", "a.student", "a.sibling"]
# The second family of 7А, sharing the class group with a.student and nothing else.
CLASSMATES = ["a.classmate", "a.classmate_parent"]
SCHOOL_B = ["b.admin", "b.class_teacher", "b.subject_teacher", "b.parent", "b.student", "b.sibling"]
EVERYONE = [*A_STAFF, *A_FAMILY, *CLASSMATES, *SCHOOL_B, "outsider", "methodologist"]

SCHOOL_PAGES = [
    "/school/{w.a.school.pk}/classes/",
    "/school/{w.a.school.pk}/classes/new/",
    "/school/{w.a.school.pk}/classes/{w.a.group.pk}/",
    "/school/{w.a.school.pk}/classes/{w.a.group.pk}/enrol/",
    "/school/{w.a.school.pk}/staff/",
    "/school/{w.a.school.pk}/assignments/",
    "/school/{w.a.school.pk}/assignments/new/",
    "/school/{w.a.school.pk}/periods/",
    "/school/{w.a.school.pk}/periods/new/",
    # Keeping the structure (issue 18): buildings and rooms, holidays, subgroups, moves, bells, grading.
    "/school/{w.a.school.pk}/buildings/",
    "/school/{w.a.school.pk}/buildings/new/",
    "/school/{w.a.school.pk}/buildings/{w.a.group.building_id}/",
    "/school/{w.a.school.pk}/rooms/new/",
    "/school/{w.a.school.pk}/holidays/new/",
    "/school/{w.a.school.pk}/classes/{w.a.group.pk}/subgroups/new/",
    "/school/{w.a.school.pk}/classes/{w.a.group.pk}/students/{w.a.student.pk}/move/",
    "/school/{w.a.school.pk}/bells/",
    "/school/{w.a.school.pk}/bells/new/",
    "/school/{w.a.school.pk}/grading/",
    "/school/{w.a.school.pk}/grading/schemes/new/",
    "/school/{w.a.school.pk}/control-forms/new/",
]

# url template (formatted with w=world), owners; everyone else is a stranger.
MATRIX: list[tuple[str, list[str]]] = [
    ("/timetable/student/{w.a.student.pk}/" + WEEK, ["a.student", "a.parent", *A_STAFF]),
    ("/timetable/student/{w.a.classmate.pk}/" + WEEK, [*CLASSMATES, *A_STAFF]),
    # 9Б: the subject teacher teaches 7А only — the wrong teacher.
    ("/timetable/student/{w.a.sibling.pk}/" + WEEK, ["a.sibling", "a.parent", "a.admin", "a.class_teacher"]),
    ("/timetable/teacher/{w.a.subject_teacher.pk}/" + WEEK, A_STAFF),
    ("/timetable/class/{w.a.group.pk}/" + WEEK, [*A_STAFF, "a.parent", "a.student", *CLASSMATES]),
    (
        "/timetable/class/{w.a.other_group.pk}/" + WEEK,
        ["a.admin", "a.class_teacher", "a.parent", "a.sibling"],
    ),
    *[(url, ["a.admin"]) for url in SCHOOL_PAGES],
]

CASES = [(url, actor, actor in owners) for url, owners in MATRIX for actor in EVERYONE]


@pytest.mark.parametrize(("url", "actor", "allowed"), CASES)
def test_page_access(world, client, url, actor, allowed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(attrgetter(actor)(world))
    response = client.get(url.format(w=world))
    assert response.status_code == (200 if allowed else 404)
    if not allowed:
        # The stranger gets the plain not-found page, built without any of the page's data.
        assert response.templates[0].name == "404.html"
        assert not any(key in response.context for key in ("days", "groups", "detail", "staff", "form"))


@pytest.mark.parametrize("url", [url for url, _ in MATRIX])
def test_anonymous_is_sent_to_login(world, client, url):
    response = client.get(url.format(w=world))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
