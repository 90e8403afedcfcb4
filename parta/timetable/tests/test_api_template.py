"""The administrator's timetable API: /api/v1/academic-years/{id}/timetable-template and the
publications. Another school's administrator, a teacher and a parent get 404; bad input 400 with
field messages and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.schools.models import StaffMembership
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.timetable.models import Lesson, Publication, TemplateSlot
from parta.timetable.services import template_build

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def base(small: dict[str, Any]) -> str:
    return f"/api/v1/academic-years/{small['year'].pk}"


def test_strangers_get_404_on_every_endpoint(small: dict[str, Any]) -> None:
    template_build(year=small["year"])
    slot = TemplateSlot.objects.filter(year=small["year"]).first()
    assert slot is not None
    other_admin = f.UserFactory.create()
    f.StaffMembershipFactory.create(user=other_admin, role=StaffMembership.Role.ADMIN)
    teacher = small["teachers"][0]
    parent = f.UserFactory.create()
    student = f.UserFactory.create()
    f.EnrolmentFactory.create(student=student, class_group=small["group"])
    f.GuardianshipFactory.create(guardian=parent, student=student)
    publication = Publication.objects.create(
        school=small["school"], year=small["year"], since=small["year"].starts_on
    )
    root = base(small)
    for user in (other_admin, teacher, parent):
        client = client_for(user)
        assert client.get(f"{root}/timetable-template").status_code == 404
        new_slot = {"assignment_id": small["math"].pk, "weekday": 6, "number": 1}
        assert client.post(f"{root}/timetable-template/slots", new_slot, format="json").status_code == 404
        assert client.get(f"{root}/teachers/{teacher.pk}/unavailability").status_code == 404
        assert client.get(f"{root}/timetable-publications").status_code == 404
        assert client.get(f"{root}/timetable-publications/{publication.pk}").status_code == 404
        assert client.post(f"{root}/timetable-template/draft", {}, format="json").status_code == 404
        assert (
            client.patch(
                f"{root}/timetable-template/slots/{slot.pk}", {"weekday": 6}, format="json"
            ).status_code
            == 404
        )
        assert client.delete(f"{root}/timetable-template/slots/{slot.pk}").status_code == 404
        assert (
            client.put(
                f"{root}/teachers/{teacher.pk}/unavailability", {"times": []}, format="json"
            ).status_code
            == 404
        )
        assert (
            client.post(f"{root}/timetable-publications", {"since": "2026-12-07"}, format="json").status_code
            == 404
        )
    assert TemplateSlot.objects.get(pk=slot.pk).weekday == slot.weekday
    assert not TemplateSlot.objects.filter(weekday=6).exists()
    assert list(Publication.objects.values_list("pk", flat=True)) == [publication.pk]


def test_the_administrator_drafts_reads_and_edits_the_template(small: dict[str, Any], admin: Any) -> None:
    client, root, math = client_for(admin), base(small), small["math"]
    drafted = client.post(f"{root}/timetable-template/draft", {"seed": 3}, format="json")
    assert drafted.status_code == 200, drafted.content
    assert len(drafted.json()["slots"]) == 16 and drafted.json()["problems"] == []
    mine = client.get(f"{root}/timetable-template?teacher={math.teacher_id}").json()
    assert {slot["assignment_id"] for slot in mine["slots"]} == {math.pk}
    slot = mine["slots"][0]

    moved = client.patch(
        f"{root}/timetable-template/slots/{slot['id']}", {"weekday": 6, "number": 2}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["weekday"], moved.json()["number"], moved.json()["subject"]) == (
        6,
        2,
        slot["subject"],
    )

    other = next(
        s for s in drafted.json()["slots"] if s["assignment_id"] != math.pk and s["subgroup"] is None
    )
    clash = client.patch(
        f"{root}/timetable-template/slots/{other['id']}", {"weekday": 6, "number": 2}, format="json"
    )
    assert clash.status_code == 400
    assert clash.json()["errors"]["number"] == ["The class has another lesson at this time."]

    assert client.delete(f"{root}/timetable-template/slots/{slot['id']}").status_code == 204
    problems = client.get(f"{root}/timetable-template").json()["problems"]
    assert [(p["kind"], p["assignment_id"]) for p in problems] == [("unplaced", math.pk)]
    added = client.post(
        f"{root}/timetable-template/slots",
        {"assignment_id": math.pk, "weekday": 6, "number": 3},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert client.get(f"{root}/timetable-template").json()["problems"] == []


def test_bad_input_is_a_400_with_field_messages(small: dict[str, Any], admin: Any) -> None:
    client, root = client_for(admin), base(small)
    bad = client.post(
        f"{root}/timetable-template/slots", {"assignment_id": "x", "weekday": 9, "number": -1}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"assignment_id", "weekday", "number"}
    other_year = f.TeachingAssignmentFactory.create()
    foreign = client.post(
        f"{root}/timetable-template/slots",
        {"assignment_id": other_year.pk, "weekday": 1, "number": 1},
        format="json",
    )
    assert foreign.status_code == 400 and "assignment" in foreign.json()["errors"]
    teacher = small["teachers"][0]
    times = client.put(f"{root}/teachers/{teacher.pk}/unavailability", {"times": [[1, 2, 3]]}, format="json")
    assert times.status_code == 400
    assert client.post(f"{root}/timetable-publications", {"since": "soon"}, format="json").status_code == 400
    assert not TemplateSlot.objects.exists()


def test_unavailability_round_trips(small: dict[str, Any], admin: Any) -> None:
    client, root, teacher = client_for(admin), base(small), small["teachers"][2]
    url = f"{root}/teachers/{teacher.pk}/unavailability"
    assert client.put(url, {"times": [[3, 1], [1, 7]]}, format="json").json() == {"times": [[1, 7], [3, 1]]}
    assert client.get(url).json() == {"times": [[1, 7], [3, 1]]}


def test_publishing_answers_202_and_the_publication_tells_how_it_went(
    small: dict[str, Any],
    admin: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    year = small["year"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: year.starts_on)
    template_build(year=year)
    client, root = client_for(admin), base(small)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{root}/timetable-publications", {"since": str(year.starts_on)}, format="json")
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    done = client.get(f"{root}/timetable-publications/{started.json()['id']}").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    assert done["result"]["created"] == Lesson.objects.filter(year=year).count() > 0
    assert [p["id"] for p in client.get(f"{root}/timetable-publications").json()] == [started.json()["id"]]
