"""POST /api/v1/clinic/notes and the note's withdrawal over HTTP: the credential, its scope, the
body's signature, every refusal's code with nothing written but the call's log, idempotency (by
note_id and by Idempotency-Key), and the queries a note costs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parta.accounts.models import MachineCall
from parta.accounts.services import machine_client_create
from parta.clinic.identifiers import with_check_number
from parta.clinic.models import SickNote, SickNoteChange
from parta.clinic.services import person_identifiers_load
from parta.clinic.tests.conftest import WEDNESDAY, Clinic, city_clinic
from parta.core.models import IdempotencyKey
from parta.journal.models import Attendance, JournalChange
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db

NOTES = "/api/v1/clinic/notes"


def written() -> tuple[int, ...]:
    return (
        SickNote.objects.count(),
        SickNoteChange.objects.count(),
        Attendance.objects.count(),
        JournalChange.objects.count(),
        OutboxEvent.objects.count(),
        IdempotencyKey.objects.count(),
    )


def refused(clinic: Clinic, answer: Any, status: int, code: str, calls_before: int) -> None:
    """The answer is the refusal with its code; only the call's log was written."""
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.json()
    assert written() == (0, 0, 0, 0, 0, 0)
    assert MachineCall.objects.filter(client=clinic.client).count() == calls_before + 1
    assert MachineCall.objects.filter(client=clinic.client).order_by("id").last().status == status  # type: ignore[union-attr]


def test_a_signed_note_is_recorded_and_answered(clinic: Clinic) -> None:
    answer = clinic.post(NOTES, clinic.body())
    assert answer.status_code == 201
    assert answer.json() == {
        "note_id": "EMIAS-1",
        "status": "recorded",
        "version": 1,
        "from": "2026-09-07",
        "to": "2026-09-08",
        "issued_at": "2026-09-09T09:30:00+03:00",
        "lessons_marked": 4,
        "lessons_restored": 0,
        "received_at": answer.json()["received_at"],
    }
    assert "Idempotent-Replayed" not in answer
    assert clinic.entry(MONDAY, 2) == ("sick", "clinic")
    assert MachineCall.objects.filter(client=clinic.client, method="POST", status=201).exists()
    read = clinic.post(NOTES + "/EMIAS-1", None)  # a POST to the note itself is not a thing
    assert read.status_code == 405
    got = api_get(clinic, NOTES + "/EMIAS-1")
    assert (got.status_code, got.json()["version"], got.json()["lessons_marked"]) == (200, 1, 4)


def api_get(clinic: Clinic, path: str, secret: str | None = None) -> Any:
    from rest_framework.test import APIClient

    return APIClient().get(path, HTTP_AUTHORIZATION=f"Bearer {secret or clinic.secret}")


def test_the_same_note_again_answers_as_the_first_time(clinic: Clinic) -> None:
    first = clinic.post(NOTES, clinic.body())
    before = written()
    # The same note, written otherwise (the number without dashes, keys in another order).
    again = clinic.post(NOTES, dict(reversed(list(clinic.body(student="11223344595").items()))))
    assert written() == before
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, first.json(), "true")


def test_an_idempotency_key_is_honoured_too(clinic: Clinic) -> None:
    headers = {"Idempotency-Key": "clinic-batch-7"}
    first = clinic.post(NOTES, clinic.body(), headers=headers)
    again = clinic.post(NOTES, clinic.body(), headers=headers)
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    other = clinic.post(NOTES, clinic.body(note_id="EMIAS-2"), headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "invalid")
    assert SickNote.objects.count() == 1


def test_amendment_conflict_and_withdrawal(clinic: Clinic) -> None:
    clinic.post(NOTES, clinic.body())
    amended = clinic.post(NOTES, clinic.body(to="2026-09-09", issued_at="2026-09-09T18:00:00+03:00"))
    assert (amended.status_code, amended.json()["version"], amended.json()["lessons_marked"]) == (200, 2, 6)
    stale = clinic.post(NOTES, clinic.body(to="2026-09-07", issued_at="2026-09-09T12:00:00+03:00"))
    assert (stale.status_code, stale.json()["code"]) == (409, "note_conflict")
    withdrawn = clinic.post(NOTES + "/EMIAS-1/withdraw", {})
    assert withdrawn.status_code == 200
    assert withdrawn.json() | {"received_at": None} == {
        "note_id": "EMIAS-1",
        "status": "withdrawn",
        "version": 3,
        "from": "2026-09-07",
        "to": "2026-09-09",
        "issued_at": "2026-09-09T18:00:00+03:00",
        "lessons_marked": 0,
        "lessons_restored": 6,
        "received_at": None,
    }
    again = clinic.post(NOTES + "/EMIAS-1/withdraw", None)  # an empty body, signed, is as good
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (200, withdrawn.json(), "true")
    revived = clinic.post(NOTES, clinic.body(issued_at="2026-09-10T08:00:00+03:00", to="2026-09-09"))
    assert (revived.status_code, revived.json()["code"]) == (409, "note_withdrawn")
    assert Attendance.objects.count() == 0


def test_a_note_id_is_the_clinics_own(clinic: Clinic) -> None:
    """Another clinic neither reads nor withdraws this clinic's note: 404. The same note_id from
    another clinic is another note."""
    clinic.post(NOTES, clinic.body())
    other, secret = city_clinic(name="Детская поликлиника № 3")
    assert api_get(clinic, NOTES + "/EMIAS-1", secret).status_code == 404
    missing = clinic.post(NOTES + "/EMIAS-1/withdraw", {}, secret=secret, signing_secret=other.signing_secret)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert clinic.post(NOTES + "/NO-SUCH/withdraw", {}).status_code == 404
    assert SickNote.objects.get().status == "recorded"


@pytest.mark.parametrize("change", ["no header", "other body", "other secret", "no scheme"])
def test_a_bad_signature_is_refused_with_its_code(clinic: Clinic, change: str) -> None:
    body = json.dumps(clinic.body()).encode()
    from parta.accounts.signatures import sign

    signature = {
        "no header": "",
        "other body": sign(json.dumps(clinic.body(to="2026-09-09")).encode(), clinic.client.signing_secret),
        "other secret": sign(body, "0" * 64),
        "no scheme": sign(body, clinic.client.signing_secret).removeprefix("sha256="),
    }[change]
    refused(clinic, clinic.post(NOTES, body, signature=signature), 400, "bad_signature", 0)


def test_only_a_clinics_credential_gets_in(clinic: Clinic) -> None:
    a = clinic.world.a
    turnstile, gate_secret = machine_client_create(
        by=None,
        kind="turnstile",
        name="Gate",
        scopes=["passage:write", "attendance:turnstile"],
        school_id=a.school.pk,
    )
    body = clinic.body()
    for secret, status, code in (
        (gate_secret, 403, "permission_denied"),
        (api_key(a.class_teacher), 403, "permission_denied"),
        ("pm_not-a-credential", 401, "authentication_failed"),
    ):
        answer = clinic.post(NOTES, body, secret=secret)
        assert (answer.status_code, answer.json()["code"]) == (status, code)
    from rest_framework.test import APIClient

    anonymous = APIClient().post(NOTES, body, format="json")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert written() == (0, 0, 0, 0, 0, 0)
    assert MachineCall.objects.filter(client=turnstile, status=403).exists()


def _future() -> str:
    return (timezone.now() + dt.timedelta(hours=1)).isoformat()


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("a diagnosis", {"diagnosis": "J06.9"}, "unknown_field"),
    ("no last day", {"to": None}, "required"),
    ("a malformed number", {"student": "112-233-445"}, "invalid"),
    ("a wrong check number", {"student": "112-233-445 96"}, "invalid"),
    ("a note_id with a slash", {"note_id": "095/у-1"}, "invalid"),
    ("no date", {"from": "2026-13-01"}, "invalid"),
    ("a year no school means", {"from": "9999-01-01"}, "date_range"),
    ("from the future", {"issued_at": "FUTURE"}, "issued_in_future"),
    ("ends before it starts", {"from": "2026-09-08", "to": "2026-09-07"}, "ends_before_start"),
    ("too long", {"from": "2026-08-01", "to": "2026-09-08"}, "span_too_long"),
    ("ends after its issue", {"to": "2026-09-10"}, "ends_after_issue"),
    ("nobody's number", {"student": with_check_number(999888777)}, "unknown_student"),
]


@pytest.mark.parametrize(("case", "changes", "code"), BAD_INPUT, ids=[case for case, _c, _code in BAD_INPUT])
def test_bad_input_is_a_400_with_its_code_and_writes_nothing(
    clinic: Clinic, case: str, changes: dict[str, Any], code: str
) -> None:
    if changes.get("issued_at") == "FUTURE":
        changes = {"issued_at": _future()}
    refused(clinic, clinic.post(NOTES, clinic.body(**changes)), 400, code, 0)


def test_a_body_that_is_no_note_is_refused(clinic: Clinic) -> None:
    refused(clinic, clinic.post(NOTES, b"{not json"), 400, "parse_error", 0)
    refused(clinic, clinic.post(NOTES, [clinic.body()]), 400, "invalid", 1)
    refused(clinic, clinic.post(NOTES + "/EMIAS-1/withdraw", {"reason": "ошибка"}), 400, "unknown_field", 2)


def test_another_schools_student_is_unknown_to_a_clinic_of_one_school(clinic: Clinic) -> None:
    a, b = clinic.world.a, clinic.world.b
    school_b_clinic, secret = city_clinic(school_id=b.school.pk)
    answer = clinic.post(NOTES, clinic.body(), secret=secret, signing_secret=school_b_clinic.signing_secret)
    assert (answer.status_code, answer.json()["code"]) == (400, "unknown_student")
    # A person with a number in no school: the city's clinic is told so.
    lonely = f.UserFactory.create()
    person_identifiers_load([(lonely.pk, with_check_number(556677889))])
    answer = clinic.post(NOTES, clinic.body(student=with_check_number(556677889)))
    assert (answer.status_code, answer.json()["code"]) == (400, "not_enrolled")
    assert written() == (0, 0, 0, 0, 0, 0)
    assert a.school.pk != b.school.pk


def test_posting_a_note_costs_a_fixed_number_of_queries_per_lesson(clinic: Clinic) -> None:
    """The note's own work is fixed (the credential, the note, the student, the lessons and their
    entries, the holds, the version, the event, the call's log); each lesson it marks costs the
    journal's write: the lesson, the cell's facts, the entry locked, written, its history and its
    event (savepoints not counted)."""
    counts = []
    for note_id, student, ends in (("Q-1", "a.student", MONDAY), ("Q-2", "a.classmate", WEDNESDAY)):
        body = clinic.body(note_id=note_id, student=clinic.numbers[student], to=ends.isoformat())
        with CaptureQueriesContext(connection) as queries:
            answer = clinic.post(NOTES, body)
        assert answer.status_code == 201
        statements = [q["sql"] for q in queries.captured_queries]
        counts.append((answer.json()["lessons_marked"], len([s for s in statements if "SAVEPOINT" not in s])))
    assert [lessons for lessons, _count in counts] == [2, 6]
    # 12 of the note's own (13 when the credential's last use is written), 6 per lesson.
    assert all(count - 6 * lessons <= 13 for lessons, count in counts), counts
