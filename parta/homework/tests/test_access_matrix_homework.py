"""Every homework page asked by every actor of the ``world``: the rightful ones get their answer,
the wrong parent, the wrong teacher and another school's people 404 (an anonymous visitor the
login page). The API's matrix is test_api.py::test_the_404_matrix."""

from __future__ import annotations

from operator import attrgetter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parta.homework import services
from parta.homework.models import Homework, HomeworkCompletion
from parta.homework.tests.conftest import next_algebra
from parta.testing.world import World

pytestmark = pytest.mark.django_db

EVERYONE = [
    "a.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student", "a.sibling",
    "a.classmate", "a.classmate_parent",
    "b.admin", "b.class_teacher", "b.subject_teacher", "b.parent", "b.student", "b.sibling",
    "outsider", "methodologist",
]  # fmt: skip
STAFF = {"a.admin", "a.class_teacher", "a.subject_teacher"}
# a.student's own list; the homework itself (its file) is also the classmate's family's: same class.
READERS = {*STAFF, "a.parent", "a.student"}
CLASS_READERS = {*READERS, "a.classmate", "a.classmate_parent"}
WRITER = {"a.subject_teacher"}


def homework_with_a_file(world: World) -> Homework:
    next_algebra(world)
    return services.homework_set(
        world.a.subject_teacher,
        lesson_id=world.a.lesson.pk,
        text="x",
        files=[SimpleUploadedFile("task.pdf", b"%PDF-data")],
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_every_homework_page(world: World, who: str) -> None:
    homework = homework_with_a_file(world)
    file = homework.files.get()
    client = Client()
    client.force_login(attrgetter(who)(world))

    def expect(allowed: set[str], ok: int = 200) -> int:
        return ok if who in allowed else 404

    assert client.get(f"/lessons/{world.a.lesson.pk}/homework/").status_code == expect(WRITER)
    # The homework's page: where each student stands for staff, one's own (a child's) work for a family.
    assert client.get(f"/homework/{homework.pk}/").status_code == expect(CLASS_READERS)
    own = f"/homework/{homework.pk}/?student={world.a.student.pk}"
    assert client.get(own).status_code == expect(READERS)
    check = f"/homework/{homework.pk}/work/{world.a.student.pk}/"
    assert client.get(check).status_code == expect(WRITER)
    assert client.get(f"/homework/{homework.pk}/edit/").status_code == expect(WRITER)
    assert client.get(f"/homework/files/{file.pk}/").status_code == expect(CLASS_READERS)
    assert client.get(f"/homework/?student={world.a.student.pk}").status_code == expect(READERS)
    # Each student of the class ticks their own homework.
    students = {"a.student", "a.classmate"}
    assert client.post(f"/homework/{homework.pk}/done/", {"done": "1"}).status_code == expect(students, 302)
    assert HomeworkCompletion.objects.filter(homework=homework).exists() == (who in students)
    answer = client.post(f"/homework/{homework.pk}/work/", {"text": "Done", "action": "hand_in"})
    assert answer.status_code == expect(students, 302)
    assert client.post(check, {"decision": "checked"}).status_code == expect(WRITER, 302)
    assert client.post(f"/homework/{homework.pk}/delete/").status_code == expect(WRITER, 302)
    assert Homework.objects.filter(pk=homework.pk).exists() == (who not in WRITER)


@pytest.mark.parametrize(
    "url",
    [
        "/homework/",
        "/homework/1/",
        "/homework/1/edit/",
        "/homework/files/1/",
        "/lessons/1/homework/",
        "/homework/1/work/1/",
        "/homework/work-files/1/",
    ],
)
def test_anonymous_is_sent_to_log_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
