"""The journal's HTTP API: shapes, 400/403/404/409, and a 404 for every endpoint to strangers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from parta.journal import services
from parta.journal.api.cells import MarkSerializer
from parta.journal.api.journals import JournalPageApi
from parta.journal.models import AbsenceNotice, Attendance, Mark, PeriodMark
from parta.journal.tests.conftest import client_for
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic


def test_my_journals_and_the_journal_page(journal):
    client = client_for(journal.teacher)
    body = client.get("/api/v1/journal/assignments").json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["id"] == journal.assignment.pk
    assert item["can_write"] is True
    assert item["group_name"] == "5А"
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)
    response = client.get(f"/api/v1/journal/assignments/{journal.assignment.pk}?period={journal.q1.pk}")
    assert response.status_code == 200
    page = response.json()
    assert page["period"]["id"] == journal.q1.pk
    assert len(page["lessons"]) == 4
    first = page["students"][0]
    assert first["average"] == "5.00"
    assert first["suggested"] == 5
    assert first["cells"][0]["marks"][0]["value"] == 5
    assert page["students"][1]["cells"] == []
    assert client.get(f"/api/v1/journal/assignments/{journal.assignment.pk}?period=abc").status_code == 400


def test_the_journal_page_writes_what_its_serializer_would(journal):
    """The view writes its rows directly; they are exactly what OutputSerializer (the OpenAPI
    schema) would make of them, byte for byte."""
    teacher, lesson, student = journal.teacher, journal.lesson, journal.student
    services.mark_create(
        teacher,
        lesson_id=lesson.pk,
        student_id=student.pk,
        value=5,
        control_form_id=journal.forms["test"].pk,
        comment="well done",
    )
    services.mark_create(teacher, lesson_id=journal.lessons[1].pk, student_id=student.pk, value=4)
    services.mark_create(teacher, lesson_id=journal.lessons[2].pk, student_id=student.pk, value=3, weight=2)
    services.mark_create(
        teacher,
        lesson_id=journal.lessons[3].pk,
        student_id=journal.students[1].pk,
        value=None,
        owed_until=journal.lessons[3].date + dt.timedelta(days=7),
    )
    services.attendance_set(
        teacher, lesson_id=lesson.pk, student_id=journal.students[2].pk, status="absent", reason="ill"
    )
    for period_id in (journal.q1.pk, None):
        services.period_mark_set(
            teacher,
            student_id=student.pk,
            subject_id=journal.assignment.subject_id,
            class_group_id=journal.group.pk,
            period_id=period_id,
            value=4,
        )
    lesson.topic = framework_topic(lesson.subject, 5, "MATH-5-1")
    lesson.save()
    f.HomeworkFactory.create(lesson=lesson, due_on=journal.lessons[1].date)
    response = client_for(teacher).get(
        f"/api/v1/journal/assignments/{journal.assignment.pk}?period={journal.q1.pk}"
    )
    assert response.status_code == 200
    page = response.json()
    first = page["students"][0]
    assert (first["average"], first["period_mark"]["value"], first["year_mark"]["value"]) == ("4.17", 4, 4)
    assert page["lessons"][0]["topic"] is not None
    assert page["lessons"][0]["homework_count"] == 1
    assert page["students"][2]["cells"][0]["attendance"]["status"] == "absent"
    assert page["round_up_from"] is not None
    serialized = JournalPageApi.OutputSerializer(response.json()).data
    assert JSONRenderer().render(serialized) == response.content


def test_marks_create_update_delete(journal):
    client = client_for(journal.teacher)
    response = client.post(
        "/api/v1/marks",
        {
            "lesson": journal.lesson.pk,
            "student": journal.student.pk,
            "value": 4,
            "control_form": journal.forms["test"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    mark = response.json()
    assert (mark["value"], mark["weight"], mark["version"], mark["display"]) == (4, 3, 1, "4")
    url = f"/api/v1/marks/{mark['id']}"
    response = client.patch(url, {"version": 1, "value": 5, "weight": 2}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["value"], response.json()["weight"], response.json()["version"]) == (5, 2, 2)
    stale = client.patch(url, {"version": 1, "value": 3}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["value"] == 5
    assert stale.json()["current"]["version"] == 2
    assert client.delete(url, {"version": 1}, format="json").status_code == 409
    assert client.delete(f"{url}?version=2").status_code == 204
    assert not Mark.objects.exists()


def test_a_mark_is_written_as_its_serializer_would(journal):
    """The views write services.mark_data directly; it is exactly what MarkSerializer (the
    OpenAPI schema) makes of it, byte for byte — an owed mark with its date included."""
    client = client_for(journal.teacher)
    owed = {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": None}
    owed["owed_until"] = str(journal.lesson.date + dt.timedelta(days=7))
    created = client.post("/api/v1/marks", owed, format="json")
    assert created.status_code == 201, created.content
    changed = client.patch(f"/api/v1/marks/{created.json()['id']}", {"version": 1, "value": 5}, format="json")
    assert changed.status_code == 200, changed.content
    for response in (created, changed):
        assert JSONRenderer().render(MarkSerializer(response.json()).data) == response.content


def test_bad_marks_answer_400_with_field_messages(journal):
    client = client_for(journal.teacher)
    for body, field in (
        ({"value": 6}, "value"),
        ({"value": 5, "weight": 0}, "weight"),
        ({"value": 99999999}, "value"),
        ({"value": None}, "value"),
    ):
        response = client.post(
            "/api/v1/marks",
            {"lesson": journal.lesson.pk, "student": journal.student.pk, **body},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert field in response.json()["errors"]
    journal.q1.closed_at = timezone.now()
    journal.q1.save()
    response = client.post(
        "/api/v1/marks",
        {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert not Mark.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_the_class_teacher_reads_but_writes_get_403(journal):
    client = client_for(journal.class_teacher)
    assert client.get(f"/api/v1/lessons/{journal.lesson.pk}/journal").status_code == 200
    response = client.post(
        "/api/v1/marks",
        {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 5},
        format="json",
    )
    assert response.status_code == 403
    # A period mark in a colleague's subject answers as docs/api.md says: 403, not 404.
    response = client.put(
        "/api/v1/period-marks",
        {
            "student": journal.student.pk,
            "subject": journal.assignment.subject_id,
            "class_group": journal.group.pk,
            "period": journal.q1.pk,
            "value": 4,
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not have permission to perform this action.",
        "code": "permission_denied",
    }
    assert not PeriodMark.objects.exists()


def test_attendance_topic_and_history(journal):
    client = client_for(journal.teacher)
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    response = client.put(url, {"status": "absent", "reason": "ill"}, format="json")
    assert response.status_code == 200, response.content
    entry = response.json()["attendance"]
    assert (entry["status"], entry["source"], entry["version"]) == ("absent", "teacher", 1)
    assert client.put(url, {"status": "late"}, format="json").status_code == 409
    response = client.put(url, {"status": None, "version": 1}, format="json")
    assert response.json() == {"attendance": None}
    assert not Attendance.objects.exists()
    history = client.get(f"/api/v1/lessons/{journal.lesson.pk}/students/{journal.student.pk}/history").json()
    assert [
        (row["old"] and row["old"]["status"], row["new"] and row["new"]["status"]) for row in history
    ] == [
        ("absent", None),
        (None, "absent"),
    ]
    response = client.put(f"/api/v1/lessons/{journal.lesson.pk}/topic", {"topic": 999999}, format="json")
    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


def test_the_topic_answer_says_whether_it_is_in_the_plan(journal):
    from parta.curriculum.models import PlanItem, ThematicPlan

    subject = journal.assignment.subject
    planned, unplanned = framework_topic(subject, 5, "m5-1"), framework_topic(subject, 5, "m5-2")
    plan = ThematicPlan.objects.create(school=journal.school, assignment=journal.assignment)
    PlanItem.objects.create(school=journal.school, plan=plan, order=1, topic=planned, hours=2)
    client = client_for(journal.teacher)
    url = f"/api/v1/lessons/{journal.lesson.pk}/topic"
    response = client.put(url, {"topic": planned.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["topic"] == {
        "id": planned.pk,
        "code": "m5-1",
        "title": planned.title,
        "in_plan": True,
    }
    response = client.put(url, {"topic": unplanned.pk}, format="json")
    assert response.json()["topic"]["in_plan"] is False


def test_period_marks(journal):
    client = client_for(journal.teacher)
    body = {
        "student": journal.student.pk,
        "subject": journal.assignment.subject_id,
        "class_group": journal.group.pk,
        "period": journal.q1.pk,
        "value": 4,
    }
    response = client.put("/api/v1/period-marks", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["period_mark"]["version"] == 1
    assert client.put("/api/v1/period-marks", {**body, "value": 5}, format="json").status_code == 409
    response = client.put("/api/v1/period-marks", {**body, "value": 5, "version": 1}, format="json")
    assert response.json()["period_mark"]["value"] == 5


def test_absence_notices(journal):
    today = timezone.localdate()
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    client = client_for(parent)
    url = f"/api/v1/students/{journal.student.pk}/absence-notices"
    response = client.post(
        url, {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "reason": "Flu"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["excused_lessons"] == 0
    past = (today - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"starts_on": past, "ends_on": past, "reason": "Flu"}, format="json")
    assert response.status_code == 400
    [notice] = client.get(url).json()
    assert notice["reason"] == "Flu"
    assert client_for(journal.class_teacher).get(url).status_code == 200
    assert (
        client_for(journal.teacher).post(f"/api/v1/absence-notices/{notice['id']}/withdraw").status_code
        == 404
    )
    assert client.post(f"/api/v1/absence-notices/{notice['id']}/withdraw").status_code == 204
    assert AbsenceNotice.objects.get().withdrawn_at is not None


# --- 404 for every endpoint --------------------------------------------------------------


def endpoints(world):
    a = world.a
    mark = f.MarkFactory.create(lesson=a.lesson, student=a.student)
    notice = AbsenceNotice.objects.create(
        school=a.school,
        student=a.student,
        reported_by=a.parent,
        starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 9, 7),
        reason="x",
    )
    body = {"lesson": a.lesson.pk, "student": a.student.pk, "value": 5}
    period_body = {
        "student": a.student.pk,
        "subject": a.assignment.subject_id,
        "class_group": a.group.pk,
        "period": None,
        "value": 5,
    }
    return [
        ("get", f"/api/v1/journal/assignments/{a.assignment.pk}", None),
        ("get", f"/api/v1/lessons/{a.lesson.pk}/journal", None),
        ("post", "/api/v1/marks", body),
        ("patch", f"/api/v1/marks/{mark.pk}", {"version": 1, "value": 4}),
        ("delete", f"/api/v1/marks/{mark.pk}", {"version": 1}),
        ("put", f"/api/v1/lessons/{a.lesson.pk}/attendance/{a.student.pk}", {"status": "absent"}),
        ("put", f"/api/v1/lessons/{a.lesson.pk}/topic", {"topic": 1}),
        ("put", "/api/v1/period-marks", period_body),
        ("get", f"/api/v1/lessons/{a.lesson.pk}/students/{a.student.pk}/history", None),
        ("get", f"/api/v1/students/{a.student.pk}/absence-notices", None),
        (
            "post",
            f"/api/v1/students/{a.student.pk}/absence-notices",
            {"starts_on": "2030-01-01", "ends_on": "2030-01-01", "reason": "x"},
        ),
        ("post", f"/api/v1/absence-notices/{notice.pk}/withdraw", None),
    ]


@pytest.mark.parametrize("who", ["wrong_teacher", "wrong_parent", "wrong_school_admin", "outsider"])
def test_strangers_get_404_everywhere(world, who):
    user = {
        "wrong_teacher": world.b.subject_teacher,
        "wrong_parent": world.b.parent,
        "wrong_school_admin": world.b.admin,
        "outsider": world.outsider,
    }[who]
    client = client_for(user)
    for method, url, body in endpoints(world):
        response = (
            getattr(client, method)(url, body, format="json")
            if body is not None
            else getattr(client, method)(url)
        )
        assert response.status_code == 404, (method, url, response.status_code, response.content)
    assert Mark.objects.count() == 1
    assert not Attendance.objects.exists()


def test_anonymous_gets_401(world):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/journal/assignments").status_code == 401


def test_the_journal_page_api_reads_a_fixed_number_of_queries(make_journal, django_assert_max_num_queries):
    for size in (5, 30):
        journal = make_journal(size)
        for student in journal.students:
            services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=student.pk, value=4)
        client = client_for(journal.teacher)
        # The token, roles, the assignment (checked with its class group before the cache, then
        # read whole for the page), periods, lessons, students, marks, attendance, grading
        # schemes, period marks, control forms.
        with django_assert_max_num_queries(12):
            response = client.get(
                f"/api/v1/journal/assignments/{journal.assignment.pk}?period={journal.q1.pk}"
            )
        assert response.status_code == 200
        assert len(response.json()["students"]) == size


@pytest.mark.parametrize("who", ["subject_teacher", "class_teacher", "admin"])
def test_the_journals_a_teacher_opens_on_start_stay_within_budget(world, django_assert_max_num_queries, who):
    """The token, the count and the page, however many journals."""
    for grade in range(1, 6):
        group = f.ClassGroupFactory.create(year=world.a.group.year, grade=grade, letter="Я")
        f.TeachingAssignmentFactory.create(class_group=group, teacher=world.a.subject_teacher)
    client = client_for(getattr(world.a, who))
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/journal/assignments").json()["count"] >= 2


def test_the_history_is_read_only_in_the_admin(journal):
    from django.contrib import admin
    from django.test import RequestFactory

    from parta.journal.models import JournalChange

    model_admin = admin.site._registry[JournalChange]
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
