"""Files of an open answer: uploaded while the attempt is in progress, named in the answer,
read by whoever reads the attempt; a wrong kind of file, a question that takes none, another's
attempt or one submitted are refused and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from parta.assessment.access import access_answer_file
from parta.assessment.models import Answer, AnswerFile
from parta.assessment.services import Refused, answer_file_add, answer_save, attempt_start, attempt_submit
from parta.assessment.tests.conftest import homework_with
from parta.library.models import Material
from parta.testing.factories import api_key
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def _photo(name: str = "working.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_a_file_is_attached_named_in_the_answer_and_read_by_the_teacher(world: World, quiz: Material) -> None:
    homework = homework_with(world, quiz)
    attempt = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    record = answer_file_add(world.a.student, attempt.pk, "q3", _photo())
    answer_save(world.a.student, attempt.pk, "q3", {"text": "См. фото.", "files": [record.pk]})
    assert Answer.objects.get(attempt=attempt, question_id="q3").response["files"] == [record.pk]
    for reader in (world.a.student, world.a.parent, world.a.subject_teacher):
        assert access_answer_file(reader, record.pk).pk == record.pk
    for stranger in (world.a.classmate, world.a.classmate_parent, world.b.subject_teacher, world.outsider):
        with pytest.raises(Http404):
            access_answer_file(stranger, record.pk)
    teacher = Client()
    teacher.force_login(world.a.subject_teacher)
    attempt_submit(world.a.student, attempt.pk)
    page = teacher.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "working.png" in page
    assert teacher.get(f"/attempts/files/{record.pk}/").status_code == 200


def test_what_is_refused_stores_nothing(world: World, quiz: Material) -> None:
    attempt = attempt_start(world.a.student, quiz.pk).attempt
    with pytest.raises(ValidationError) as error:
        answer_file_add(world.a.student, attempt.pk, "q1", _photo())
    assert "question" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        answer_file_add(world.a.student, attempt.pk, "q3", SimpleUploadedFile("x.exe", b"MZ"))
    assert "files" in error.value.message_dict
    with pytest.raises(Http404):
        answer_file_add(world.a.classmate, attempt.pk, "q3", _photo())
    # An answer may name only its own files.
    other = attempt_start(world.a.classmate, quiz.pk).attempt
    theirs = answer_file_add(world.a.classmate, other.pk, "q3", _photo())
    with pytest.raises(ValidationError):
        answer_save(world.a.student, attempt.pk, "q3", {"text": "", "files": [theirs.pk]})
    attempt_submit(world.a.student, attempt.pk)
    with pytest.raises(Refused):
        answer_file_add(world.a.student, attempt.pk, "q3", _photo())
    assert list(AnswerFile.objects.values_list("attempt_id", flat=True)) == [other.pk]


def test_the_api_takes_a_multipart_upload(world: World, quiz: Material) -> None:
    attempt = attempt_start(world.a.student, quiz.pk).attempt
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.student)}"
    url = f"/api/v1/attempts/{attempt.pk}/answers/q3/files"
    made: Any = client.post(url, {"file": _photo()})
    assert made.status_code == 201, made.content
    assert made.json()["name"] == "working.png"
    bad = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400
    assert (
        client.post(f"/api/v1/attempts/{attempt.pk}/answers/q1/files", {"file": _photo()}).status_code == 400
    )
    attempt_submit(world.a.student, attempt.pk)
    assert client.post(url, {"file": _photo()}).status_code == 409


def test_a_retried_upload_stores_one_file(world: World, quiz: Material) -> None:
    attempt = attempt_start(world.a.student, quiz.pk).attempt
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.student)}"
    url = f"/api/v1/attempts/{attempt.pk}/answers/q3/files"
    first = client.post(url, {"file": _photo()}, HTTP_IDEMPOTENCY_KEY="upload-1")
    again = client.post(url, {"file": _photo()}, HTTP_IDEMPOTENCY_KEY="upload-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert AnswerFile.objects.count() == 1
