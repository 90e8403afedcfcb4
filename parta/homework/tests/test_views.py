"""Homework pages: the lesson form, the list with the tick (htmx and plain), who has done it,
files; everyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from parta.accounts.services import machine_client_create
from parta.homework import services, work
from parta.homework.models import Homework, HomeworkCompletion
from parta.homework.tests.conftest import next_algebra
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_teacher_sets_homework_on_the_lesson_page(world):
    following = next_algebra(world)
    client = client_for(world.a.subject_teacher)
    url = f"/lessons/{world.a.lesson.pk}/homework/"
    page = client.get(url)
    assert page.status_code == 200
    assert following.date.isoformat() in page.content.decode()  # the default date shown
    response = client.post(
        url,
        {
            "text": "Read § 3",
            "due_on": "",
            "links": "https://example.org/a Chapter\nhttps://example.org/b",
            "new_files": [SimpleUploadedFile("a.pdf", b"%PDF-1.4")],
        },
    )
    assert response.status_code == 302
    homework = Homework.objects.get()
    assert (homework.text, homework.due_on, homework.links.count(), homework.files.count()) == (
        "Read § 3",
        following.date,
        2,
        1,
    )
    assert "Read § 3" in client.get(url).content.decode()


def test_a_bad_form_shows_errors_and_saves_nothing(world):
    client = client_for(world.a.subject_teacher)
    response = client.post(f"/lessons/{world.a.lesson.pk}/homework/", {"text": "", "links": "not-a-url"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write what is to be done." in body
    assert "is not a web address" in body
    assert not Homework.objects.exists()


def test_the_teacher_edits_and_deletes(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    client = client_for(world.a.subject_teacher)
    assert client.get(f"/homework/{homework.pk}/edit/").status_code == 200
    due = (MONDAY + dt.timedelta(days=3)).isoformat()
    response = client.post(f"/homework/{homework.pk}/edit/", {"text": "Changed", "due_on": due, "links": ""})
    assert response.status_code == 302
    homework.refresh_from_db()
    assert homework.text == "Changed"
    assert client.post(f"/homework/{homework.pk}/delete/").status_code == 302
    assert not Homework.objects.exists()


def test_the_student_ticks_with_and_without_javascript_and_the_parent_sees(world):
    homework = f.HomeworkFactory.create(
        lesson=world.a.lesson, due_on=timezone.localdate() + dt.timedelta(days=2)
    )
    student = client_for(world.a.student)
    page = student.get("/homework/")
    assert page.status_code == 200
    assert "Mark as done" in page.content.decode()
    # Plain form post: back to the list.
    response = student.post(f"/homework/{homework.pk}/done/", {"done": "1", "next": "/homework/?status=all"})
    assert response.status_code == 302
    assert response["Location"] == "/homework/?status=all"
    assert HomeworkCompletion.objects.filter(student=world.a.student).exists()
    # htmx: only the tick comes back.
    partial = student.post(f"/homework/{homework.pk}/done/", {"done": "0"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "Mark as done" in partial.content.decode()
    assert not HomeworkCompletion.objects.exists()
    work.homework_done(world.a.student, homework.pk)
    parent = client_for(world.a.parent).get(f"/homework/?student={world.a.student.pk}&status=all")
    body = parent.content.decode()
    assert parent.status_code == 200
    assert "Mark as done" not in body
    assert "Done" in body
    assert client_for(world.a.parent).post(f"/homework/{homework.pk}/done/", {"done": "0"}).status_code == 404
    assert HomeworkCompletion.objects.exists()


def test_the_teacher_sees_who_has_done_it(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    work.homework_done(world.a.student, homework.pk)
    page = client_for(world.a.subject_teacher).get(f"/homework/{homework.pk}/")
    assert page.status_code == 200
    assert "Done: 1 of 2" in page.content.decode()  # the student, not the classmate


def file_url(world) -> str:
    """The address of a file of homework set at school A's lesson."""
    next_algebra(world)
    homework = services.homework_set(
        world.a.subject_teacher,
        lesson_id=world.a.lesson.pk,
        text="x",
        files=[SimpleUploadedFile("task.pdf", b"%PDF-data")],
    )
    return f"/homework/files/{homework.files.get().pk}/"


def test_files_download_for_readers_only(world):
    url = file_url(world)
    for reader in (
        world.a.student,
        world.a.parent,
        world.a.subject_teacher,
        world.a.class_teacher,
        world.a.admin,
    ):
        response = client_for(reader).get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert content == b"%PDF-data"
        assert response["Content-Disposition"].startswith("attachment")
        # Sent as message attachments are: never sniffed, run or kept by a shared cache.
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    for stranger in (world.a.sibling, world.b.parent, world.b.subject_teacher, world.b.admin, world.outsider):
        assert client_for(stranger).get(url).status_code == 404


STRANGERS_TO_WRITE = [
    "a.class_teacher",
    "a.admin",
    "a.parent",
    "a.student",
    "b.subject_teacher",
    "b.admin",
    "outsider",
]


def actor(world, name):
    if "." in name:
        side, who = name.split(".")
        return getattr(getattr(world, side), who)
    return getattr(world, name)


@pytest.mark.parametrize("who", STRANGERS_TO_WRITE)
def test_write_pages_are_404_for_anyone_but_the_teacher(world, who):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    client = client_for(actor(world, who))
    assert client.get(f"/lessons/{world.a.lesson.pk}/homework/").status_code == 404
    assert client.post(f"/lessons/{world.a.lesson.pk}/homework/", {"text": "x"}).status_code == 404
    assert client.get(f"/homework/{homework.pk}/edit/").status_code == 404
    assert client.post(f"/homework/{homework.pk}/delete/").status_code == 404
    assert Homework.objects.count() == 1


@pytest.mark.parametrize("who", ["a.sibling", "b.subject_teacher", "b.admin", "b.class_teacher", "outsider"])
def test_who_has_done_it_is_404_for_strangers(world, who):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    assert client_for(actor(world, who)).get(f"/homework/{homework.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["a.parent", "a.student"])
def test_the_family_sees_the_students_own_work_not_the_class(world, who):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    page = client_for(actor(world, who)).get(f"/homework/{homework.pk}/")
    assert page.status_code == 200
    assert world.a.classmate.last_name not in page.content.decode()


@pytest.mark.parametrize(
    "who", ["a.sibling", "b.parent", "b.student", "b.admin", "b.class_teacher", "outsider"]
)
def test_the_list_of_someone_elses_child_is_404(world, who):
    response = client_for(actor(world, who)).get(f"/homework/?student={world.a.student.pk}")
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_log_in(world):
    assert Client().get("/homework/").status_code == 302


def test_files_download_with_an_api_token_for_readers_only(world):
    """A mobile client reads a homework file with its API token, under the same rules."""
    url = file_url(world)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {api_key(world.a.parent)}").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-data"  # type: ignore[attr-defined]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {api_key(world.b.parent)}").get(url).status_code == 404
    _client, secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    for credential in ("not-a-token", secret):
        response = Client(HTTP_AUTHORIZATION=f"Bearer {credential}").get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
