"""Taking a test through the API: start and resume, answers saved one by one, the server's
clock, submission, the modes' results, two tabs, a teacher's check; 404 for anyone else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from parta.assessment import questions
from parta.assessment.access import access_own_attempt
from parta.assessment.models import Answer, Attempt, Grading, Statement
from parta.assessment.services import attempts_close_expired
from parta.assessment.tests.conftest import homework_with, make_test
from parta.core.ids import MAX_ID
from parta.library.models import Material
from parta.testing.factories import api_key
from parta.testing.world import World

pytestmark = pytest.mark.django_db

KEY_WORDS = {"correct", "answer", "explanation", "accepted", "tolerance", "pairs", "order"}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def start(client: APIClient, material: Material, **body: Any) -> Any:
    return client.post(f"/api/v1/tests/{material.pk}/attempts", body, format="json")


def save(client: APIClient, attempt_id: int, question_id: str, response: Any, **more: Any) -> Any:
    return client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{question_id}", {"response": response, **more}, format="json"
    )


def keys_in(value: Any) -> set[str]:
    """Every key of every object in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys_in(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys_in(item)}
    return set()


def right_numeric(attempt: Attempt) -> str:
    """The right answer to q2 in this attempt's variant."""
    question = next(q for q in attempt.version.content["test"]["sections"][0]["questions"] if q["id"] == "q2")
    return str(questions.feedback(question, attempt.seed)["answer"]["value"])


def test_a_student_starts_resumes_answers_and_submits_a_training_test(world: World, quiz: Material) -> None:
    client = api(world.a.student)
    first = start(client, quiz)
    assert first.status_code == 201, first.content
    body = first.json()
    assert [q["id"] for q in body["questions"]] == ["q1", "q2", "q3"]
    # The student never receives the key: no right option, variant, tolerance or explanation.
    assert not keys_in(body["questions"]) & {"correct", "explanation", "accepted", "tolerance"}
    assert "{a}" not in body["questions"][1]["text"]
    # Closing the tab and starting again resumes the same attempt.
    again = start(client, quiz)
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    attempt = Attempt.objects.get(pk=body["id"])

    saved = save(client, attempt.pk, "q1", {"option": "a"})
    assert saved.status_code == 200, saved.content
    # Training mode: the right answer and its explanation at once.
    assert saved.json()["feedback"]["correct"] is False
    assert saved.json()["feedback"]["explanation"] == "Two and two make four."
    assert save(client, attempt.pk, "q1", {"option": "b"}).json()["revision"] == 2
    assert save(client, attempt.pk, "q2", {"value": right_numeric(attempt)}).status_code == 200
    assert save(client, attempt.pk, "q3", {"text": "Because.", "files": []}).status_code == 200

    submitted = client.post(f"/api/v1/attempts/{attempt.pk}/submit")
    assert submitted.status_code == 200
    # 1 + 2 points; the open answer (3) waits for the teacher.
    assert submitted.json()["score"] == {"points": "3.00", "max_points": 6, "waiting": 1}
    # Submitting again changes nothing; an answer after it is refused and changes nothing.
    assert client.post(f"/api/v1/attempts/{attempt.pk}/submit").json()["score"]["points"] == "3.00"
    late = save(client, attempt.pk, "q1", {"option": "c"})
    assert late.status_code == 409
    assert Answer.objects.get(attempt=attempt, question_id="q1").response == {"option": "b"}
    # A training test may be taken again: a new attempt, number 2.
    assert start(client, quiz).json()["number"] == 2


def test_bad_answers_are_400_and_change_nothing(world: World, quiz: Material) -> None:
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    assert save(client, attempt_id, "q9", {"option": "a"}).status_code == 400
    assert save(client, attempt_id, "q1", {"option": "z"}).status_code == 400
    assert save(client, attempt_id, "q1", "b").status_code == 400
    assert save(client, attempt_id, "q2", {"value": "many"}).status_code == 400
    assert save(client, attempt_id, "q1", {"option": "b"}, revision="x").status_code == 400
    answer = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/q1", b"[" * 50_000, content_type="application/json"
    )
    assert answer.status_code == 400
    assert not Answer.objects.exists()
    assert client.post("/api/v1/tests/abc/attempts").status_code == 404


def test_a_save_whose_body_is_not_the_usual_one_is_answered_by_the_serializer(
    world: World, quiz: Material
) -> None:
    """The usual body (an answer, no revision or a whole one) is taken without the serializer;
    every other keeps the serializer's answer: its fields and codes, a revision as a string too."""
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    url = f"/api/v1/attempts/{attempt_id}/answers/q1"
    option = {"option": "b"}
    refused = [
        ({}, "required", {"response"}),
        ({"response": None}, "null", {"response"}),
        ({"response": option, "revision": "x"}, "invalid", {"revision"}),
        ({"response": option, "revision": True}, "invalid", {"revision"}),
        ({"response": option, "revision": 1.5}, "invalid", {"revision"}),
        ({"response": option, "revision": -1}, "min_value", {"revision"}),
        ({"response": option, "revision": MAX_ID + 1}, "max_value", {"revision"}),
        ([option], "invalid", {"non_field_errors"}),
    ]
    for body, code, fields in refused:
        answer = client.put(url, body, format="json")
        assert answer.status_code == 400, body
        assert (answer.json()["code"], set(answer.json()["errors"])) == (code, fields), body
    assert not Answer.objects.exists()
    assert save(client, attempt_id, "q1", option, revision="0").json()["revision"] == 1
    saved = save(client, attempt_id, "q1", option, revision=1, other="ignored")
    assert saved.status_code == 200
    body = saved.json()
    assert body.pop("feedback")["correct"] is True
    row = Answer.objects.get(attempt_id=attempt_id, question_id="q1")
    assert body == {
        "question": "q1",
        "response": option,
        "revision": 2,
        "saved_at": serializers.DateTimeField().to_representation(row.saved_at),
    }


def test_the_server_keeps_the_time(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", time_limit_minutes=20)
    client = api(world.a.student)
    body = start(client, material).json()
    attempt = Attempt.objects.get(pk=body["id"])
    assert attempt.deadline_at is not None
    assert dt.timedelta(minutes=19) < attempt.deadline_at - attempt.started_at <= dt.timedelta(minutes=20)
    assert save(client, attempt.pk, "q1", {"option": "b"}).status_code == 200
    # Twenty minutes later (the deadline moved instead of the clock):
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - dt.timedelta(seconds=1))
    refused = save(client, attempt.pk, "q1", {"option": "a"})
    assert refused.status_code == 409
    attempt.refresh_from_db()
    # Submitted as it stood at its deadline, and that stays so although the request was refused.
    assert (attempt.state, attempt.points) == (Attempt.State.SUBMITTED, Decimal("1.00"))
    assert attempt.submitted_at == attempt.deadline_at


def test_the_beat_submits_the_attempts_whose_time_ran_out(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", time_limit_minutes=5)
    attempt_id = start(api(world.a.student), material).json()["id"]
    other = start(api(world.a.classmate), material).json()["id"]
    Attempt.objects.filter(pk=attempt_id).update(deadline_at=timezone.now() - dt.timedelta(seconds=1))
    assert attempts_close_expired() == 1
    assert Attempt.objects.get(pk=attempt_id).state == Attempt.State.SUBMITTED
    assert Attempt.objects.get(pk=other).state == Attempt.State.IN_PROGRESS


def test_control_mode_limits_attempts_and_shows_results_after_the_deadline(world: World) -> None:
    material = make_test(
        world.a.subject_teacher, world.methodologist, mode="control", attempts=1, show_answers=True
    )
    homework = homework_with(world, material)
    student = api(world.a.student)
    body = start(student, material, homework=homework.pk).json()
    attempt = Attempt.objects.get(pk=body["id"])
    assert attempt.homework_id == homework.pk
    answered = save(student, attempt.pk, "q1", {"option": "b"}).json()
    assert answered["feedback"] is None
    submitted = student.post(f"/api/v1/attempts/{attempt.pk}/submit").json()
    # The results wait for the homework's deadline: no score, no points, no key.
    assert submitted["score"] is None
    assert not {"earned", "feedback"} & keys_in(submitted["questions"])
    # The teacher who set the homework sees everything at once.
    seen = api(world.a.subject_teacher).get(f"/api/v1/attempts/{attempt.pk}").json()
    assert seen["score"]["points"] == "1.00"
    assert seen["questions"][0]["feedback"]["answer"] == {"option": "b"}
    # One attempt allowed.
    assert start(student, material, homework=homework.pk).status_code == 409
    # After the deadline the student sees the score and, as the test says, the answers.
    Attempt.objects.filter(pk=attempt.pk).update(results_at=timezone.now() - dt.timedelta(seconds=1))
    after = student.get(f"/api/v1/attempts/{attempt.pk}").json()
    assert after["score"]["points"] == "1.00"
    assert after["questions"][0]["feedback"]["answer"] == {"option": "b"}


def test_two_tabs_last_save_wins_unless_the_revision_is_named(world: World, quiz: Material) -> None:
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    assert save(client, attempt_id, "q1", {"option": "a"}, revision=0).json()["revision"] == 1
    # Tab 1 saves over revision 1; tab 2, which also saw revision 1, is refused with tab 1's answer.
    assert save(client, attempt_id, "q1", {"option": "b"}, revision=1).json()["revision"] == 2
    stale = save(client, attempt_id, "q1", {"option": "c"}, revision=1)
    assert stale.status_code == 409
    assert stale.json()["current"] == {"response": {"option": "b"}, "revision": 2}
    # Without a revision the last save wins.
    assert save(client, attempt_id, "q1", {"option": "c"}).json()["revision"] == 3


def test_nobody_else_reads_or_answers_an_attempt(world: World, quiz: Material) -> None:
    attempt_id = start(api(world.a.student), quiz).json()["id"]
    url = f"/api/v1/attempts/{attempt_id}"
    for stranger in (
        world.a.classmate,
        world.a.classmate_parent,
        world.b.parent,
        world.b.subject_teacher,
        world.b.admin,
        world.outsider,
    ):
        client = api(stranger)
        assert client.get(url).status_code == 404, stranger
        assert save(client, attempt_id, "q1", {"option": "b"}).status_code == 404
        assert client.post(f"{url}/submit").status_code == 404
        assert client.get(f"{url}/statements").status_code == 404
    # The parent reads it but cannot answer for the child.
    parent = api(world.a.parent)
    assert parent.get(url).status_code == 200
    assert save(parent, attempt_id, "q1", {"option": "b"}).status_code == 404
    # The class teacher and the school's administrator read an attempt made outside homework.
    assert api(world.a.class_teacher).get(url).status_code == 200
    assert api(world.a.admin).get(url).status_code == 200
    assert APIClient().get(url).status_code == 401
    assert not Answer.objects.exists()


def test_the_teacher_checks_an_open_answer_with_history(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", results="on_submit")
    homework = homework_with(world, material)
    student = api(world.a.student)
    attempt_id = start(student, material, homework=homework.pk).json()["id"]
    save(student, attempt_id, "q3", {"text": "Потому что умножение — это сложение.", "files": []})
    assert student.post(f"/api/v1/attempts/{attempt_id}/submit").json()["score"]["waiting"] == 1
    answer = Answer.objects.get(attempt_id=attempt_id, question_id="q3")
    url = f"/api/v1/answers/{answer.pk}/grade"
    for stranger in (world.b.subject_teacher, world.a.parent, world.a.student):
        assert api(stranger).put(url, {"points": "3"}, format="json").status_code == 404
    teacher = api(world.a.subject_teacher)
    assert teacher.put(url, {"points": "4"}, format="json").status_code == 400
    assert teacher.put(url, {"points": "1.3"}, format="json").status_code == 400
    graded = teacher.put(url, {"points": "2.5", "comment": "Почти."}, format="json")
    assert graded.status_code == 200, graded.content
    assert graded.json()["attempt_score"] == {"points": "2.50", "max_points": 6, "waiting": 0}
    teacher.put(url, {"points": "3"}, format="json")
    assert list(Grading.objects.values_list("points_before", "points")) == [
        (None, Decimal("2.50")),
        (Decimal("2.50"), Decimal("3.00")),
    ]
    assert student.get(f"/api/v1/attempts/{attempt_id}").json()["score"]["points"] == "3.00"


def test_an_attempt_keeps_its_version_of_the_test(world: World, quiz: Material) -> None:
    from parta.library.services.authoring import MaterialData, material_save

    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    test = quiz.published.content["test"] if quiz.published else {}
    first_only = {**test, "sections": [{"title": "New", "questions": test["sections"][0]["questions"][:1]}]}
    material_save(
        world.a.subject_teacher, quiz.pk, data=MaterialData(title=quiz.title, content={"test": first_only})
    )
    shown = client.get(f"/api/v1/attempts/{attempt_id}").json()["questions"]
    assert [q["id"] for q in shown] == ["q1", "q2", "q3"]


def test_the_attempts_events_are_xapi_statements(world: World, quiz: Material) -> None:
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    assert (
        client.post(f"/api/v1/attempts/{attempt_id}/viewed", {"question": "q1"}, format="json").status_code
        == 204
    )
    assert (
        client.post(f"/api/v1/attempts/{attempt_id}/viewed", {"question": "q7"}, format="json").status_code
        == 400
    )
    save(client, attempt_id, "q1", {"option": "b"})
    client.post(f"/api/v1/attempts/{attempt_id}/viewed", {"question": "q2"}, format="json")
    client.post(f"/api/v1/attempts/{attempt_id}/submit")
    statements = client.get(f"/api/v1/attempts/{attempt_id}/statements").json()
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
    assert verbs == ["attempted", "viewed", "answered", "viewed", "completed"]
    viewed, answered, completed = statements[1], statements[2], statements[4]
    assert viewed["result"]["duration"].startswith("PT")
    assert viewed["object"]["id"].endswith(f"/library/{Attempt.objects.get(pk=attempt_id).material_id}/#q1")
    assert answered["result"]["success"] is True
    assert answered["result"]["response"] == '{"option":"b"}'
    assert completed["result"]["score"]["max"] == 6
    assert completed["result"]["completion"] is True
    assert {s["context"]["registration"] for s in statements} == {statements[0]["context"]["registration"]}
    assert statements[0]["actor"]["account"]["name"] == str(world.a.student.pk)
    assert Statement.objects.count() == 5


def test_an_attempt_made_without_a_question_shown_has_its_statements(world: World, quiz: Material) -> None:
    """A client that never reports a question shown (the API alone) still gets the statements."""
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    save(client, attempt_id, "q1", {"option": "b"})
    client.post(f"/api/v1/attempts/{attempt_id}/submit")
    statements = client.get(f"/api/v1/attempts/{attempt_id}/statements")
    assert statements.status_code == 200
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements.json()] == [
        "attempted",
        "answered",
        "completed",
    ]


def test_a_student_reads_a_test_without_its_key(world: World, quiz: Material) -> None:
    """The library shows the test's questions whole to its author and to staff, and only a
    summary to students and to anyone not signed in."""
    url = f"/api/v1/materials/{quiz.pk}"
    student = api(world.a.student).get(url).json()
    assert student["content"]["test"] == {
        "mode": "training",
        "time_limit_minutes": None,
        "attempts": None,
        "results": "on_submit",
        "exam": None,
        "exam_task": None,
        "questions": 3,
    }
    teacher = api(world.b.subject_teacher).get(url).json()
    assert teacher["content"]["test"]["sections"][0]["questions"][0]["correct"] == "b"


def test_saving_an_answer_and_submitting_keep_to_their_query_budgets(
    world: World, quiz: Material, django_assert_max_num_queries: Any
) -> None:
    """The hot paths of a class taking a test at once: a few statements each, whatever the test's
    size (the test read once per process from its version; the answers summed in one query). On
    PostgreSQL a save is the token, the attempt and one statement writing the answer and its xAPI
    statement, with no transaction of its own; elsewhere the attempt is locked in a transaction
    and the two are written apart."""
    client = api(world.a.student)
    attempt_id = start(client, quiz).json()["id"]
    save(client, attempt_id, "q1", {"option": "a"})
    budget = 3 if connection.vendor == "postgresql" else 6
    with django_assert_max_num_queries(budget):
        assert save(client, attempt_id, "q1", {"option": "b"}).status_code == 200
    with django_assert_max_num_queries(budget):
        assert save(client, attempt_id, "q2", {"value": "1"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.post(f"/api/v1/attempts/{attempt_id}/submit").status_code == 200


def test_the_own_attempt_read_by_key_is_the_locked_read(
    world: World, quiz: Material, django_assert_num_queries: Any
) -> None:
    """``access_own_attempt`` reads by key when it locks nothing (every save on PostgreSQL) and
    through the ORM when it locks: the same attempt, its version joined when asked for, and 404
    for another student's attempt, a parent's, and for an attempt that does not exist."""
    attempt_id = start(api(world.a.student), quiz).json()["id"]

    def values(attempt: Attempt) -> list[Any]:
        return [getattr(attempt, field.attname) for field in Attempt._meta.concrete_fields]

    with transaction.atomic():
        locked = access_own_attempt(world.a.student, attempt_id, lock=True)
    for version in (True, False):
        with django_assert_num_queries(1):
            read = access_own_attempt(world.a.student, attempt_id, version=version)
            if version:
                assert read.version.content == locked.version.content
        assert values(read) == values(locked)
    for user, pk in (
        (world.a.classmate, attempt_id),
        (world.a.parent, attempt_id),
        (world.a.student, attempt_id + 1000),
        (world.a.student, 2**63),
    ):
        for lock in (False, True):
            with pytest.raises(Http404), transaction.atomic():
                access_own_attempt(user, pk, lock=lock)


def test_a_students_attempts_are_listed_for_them_their_family_and_staff_only(
    world: World, quiz: Material
) -> None:
    start(api(world.a.student), quiz)
    url = f"/api/v1/tests/{quiz.pk}/attempts?student={world.a.student.pk}"
    for reader in (world.a.student, world.a.parent, world.a.class_teacher):
        assert [a["number"] for a in api(reader).get(url).json()] == [1], reader
    for stranger in (world.a.classmate_parent, world.a.classmate, world.b.parent, world.b.subject_teacher):
        assert api(stranger).get(url).status_code == 404, stranger
