"""The students' work on homework: chosen students, the time it should take, each student's status
(not started, in progress, handed in, checked, returned) seen by the student, the parent and the
teacher, hand-ins of text and files, the teacher's check with a comment and the journal mark
(once), the family told; wrong people get 404, bad input 400 and nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from parta.homework import marking, selectors, selectors_work, services, work
from parta.homework.models import Homework, HomeworkCompletion, WorkEvent, WorkStatus
from parta.homework.tests.conftest import next_algebra
from parta.journal.models import Mark
from parta.messaging.models import Notification
from parta.outbox.services import drain
from parta.testing.factories import api_key
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db


def _set(world: World, **kwargs: Any) -> Homework:
    next_algebra(world)
    return services.homework_set(
        world.a.subject_teacher, lesson_id=world.a.lesson.pk, text="§ 5, № 3", **kwargs
    )


def _status(world: World, homework: Homework, student: Any = None) -> str:
    student = student or world.a.student
    rows = selectors.homework_for_student(student, student.pk, MONDAY, MONDAY + dt.timedelta(days=30))
    return next(row.status for row in rows if row.id == homework.pk)


def _pdf(name: str = "answer.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 answer")


# --- chosen students and the time it should take ---------------------------------------------


def test_homework_for_chosen_students_is_only_theirs(world: World) -> None:
    homework = _set(world, students=[world.a.student.pk], minutes=25)
    assert (homework.chosen, homework.minutes) == (True, 25)
    week = (MONDAY, MONDAY + dt.timedelta(days=30))
    mine = selectors.homework_for_student(world.a.student, world.a.student.pk, *week)
    assert [row.id for row in mine] == [homework.pk]
    assert mine[0].minutes == 25
    assert selectors.homework_for_student(world.a.classmate, world.a.classmate.pk, *week) == []
    with pytest.raises(Http404):
        work.homework_done(world.a.classmate, homework.pk)
    # The teacher's table counts the chosen ones only.
    completion = selectors_work.homework_completion(world.a.subject_teacher, homework.pk)
    assert [s.student_id for s in completion.students] == [world.a.student.pk]
    [item] = selectors.homework_for_lessons([world.a.lesson.pk])[world.a.lesson.pk]
    assert (item.chosen, item.class_size) == (True, 1)
    # Told: the chosen student and their guardian, not the classmate's family.
    drain()
    told = set(Notification.objects.filter(kind="homework").values_list("recipient_id", flat=True))
    assert told == {world.a.student.pk, world.a.parent.pk}
    # Back to the whole group.
    services.homework_update(
        world.a.subject_teacher, homework.pk, text="§ 5", due_on=homework.due_on, students=[]
    )
    assert len(selectors.homework_for_student(world.a.classmate, world.a.classmate.pk, *week)) == 1


def test_chosen_students_and_minutes_are_checked(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _set(world, students=[world.b.student.pk], minutes=0)
    assert set(error.value.message_dict) == {"students", "minutes"}
    assert not Homework.objects.exists()


# --- the student's work ------------------------------------------------------------------


def test_a_draft_then_a_hand_in_then_a_return_then_a_check_with_a_mark(world: World) -> None:
    homework = _set(world)
    student, teacher = world.a.student, world.a.subject_teacher
    assert _status(world, homework) == ""
    work.work_save(student, homework.pk, text="x = 2", hand_in=False)
    assert _status(world, homework) == WorkStatus.IN_PROGRESS
    work.work_save(student, homework.pk, text="x = 3", files_add=[_pdf()], hand_in=True)
    assert _status(world, homework) == WorkStatus.HANDED_IN
    # Returned only with a comment saying what to redo.
    with pytest.raises(ValidationError) as error:
        work.work_check(teacher, homework.pk, student.pk, decision="returned", comment=" ")
    assert "comment" in error.value.message_dict
    work.work_check(teacher, homework.pk, student.pk, decision="returned", comment="Проверьте знак.")
    row = next(r for r in selectors.homework_list(world.a.parent, student.pk) if r.id == homework.pk)
    assert (row.status, row.comment, row.done) == (WorkStatus.RETURNED, "Проверьте знак.", False)
    work.work_save(student, homework.pk, text="x = -3", hand_in=True)
    work.work_check(teacher, homework.pk, student.pk, decision="checked", comment="Верно.")
    mark = marking.work_mark(teacher, homework.pk, student.pk, 5)
    assert marking.work_mark(teacher, homework.pk, student.pk, 5).pk == mark.pk
    assert marking.work_mark(teacher, homework.pk, student.pk, 4).pk == mark.pk
    assert list(Mark.objects.values_list("value", "origin")) == [
        (4, marking.origin_of(HomeworkCompletion.objects.get().pk))
    ]
    # The history keeps every hand-in with its text, the return and the check with their comments.
    history = list(WorkEvent.objects.order_by("at", "pk").values_list("status", "text"))
    assert history == [
        ("handed_in", "x = 3"),
        ("returned", "Проверьте знак."),
        ("handed_in", "x = -3"),
        ("checked", "Верно."),
    ]
    # Checked work is no longer the student's to change.
    with pytest.raises(ValidationError):
        work.work_save(student, homework.pk, text="changed", hand_in=True)
    with pytest.raises(ValidationError):
        work.homework_undone(student, homework.pk)
    assert HomeworkCompletion.objects.get().text == "x = -3"
    detail = selectors_work.own_work(world.a.parent, homework.pk, student.pk)
    assert (detail.status, detail.mark, len(detail.files), len(detail.history)) == ("checked", "4", 1, 4)


def test_the_family_is_told_of_the_check(world: World) -> None:
    homework = _set(world)
    work.work_save(world.a.student, homework.pk, text="x = 3", hand_in=True)
    work.work_check(
        world.a.subject_teacher, homework.pk, world.a.student.pk, decision="returned", comment="Ещё раз."
    )
    drain()
    told = Notification.objects.filter(kind="homework_checked")
    assert set(told.values_list("recipient_id", flat=True)) == {world.a.student.pk, world.a.parent.pk}
    assert "Ещё раз." in str(told.first().payload)  # type: ignore[union-attr]


def test_nothing_to_hand_in_and_a_bad_file_are_refused(world: World) -> None:
    homework = _set(world)
    with pytest.raises(ValidationError) as error:
        work.work_save(world.a.student, homework.pk, text=" ", hand_in=True)
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        bad = SimpleUploadedFile("run.exe", b"MZ")
        work.work_save(world.a.student, homework.pk, text="x", files_add=[bad], hand_in=True)
    assert "files" in error.value.message_dict
    assert not HomeworkCompletion.objects.exists()


def test_a_tick_is_a_bare_hand_in_and_taking_it_back_forgets_it(world: World) -> None:
    homework = _set(world)
    work.homework_done(world.a.student, homework.pk)
    assert _status(world, homework) == WorkStatus.HANDED_IN
    work.homework_undone(world.a.student, homework.pk)
    assert _status(world, homework) == ""
    # Work with an answer is kept, in progress again.
    work.work_save(world.a.student, homework.pk, text="x = 3", hand_in=True)
    work.homework_undone(world.a.student, homework.pk)
    assert _status(world, homework) == WorkStatus.IN_PROGRESS


def test_the_teacher_checks_work_never_handed_in_but_returns_only_what_was(world: World) -> None:
    homework = _set(world)
    with pytest.raises(ValidationError):
        work.work_check(
            world.a.subject_teacher, homework.pk, world.a.classmate.pk, decision="returned", comment="?"
        )
    work.work_check(
        world.a.subject_teacher, homework.pk, world.a.classmate.pk, decision="checked", comment=""
    )
    assert _status(world, homework, world.a.classmate) == WorkStatus.CHECKED


def test_only_the_lessons_teacher_checks_and_only_the_family_reads(world: World) -> None:
    homework = _set(world)
    work.work_save(world.a.student, homework.pk, text="x", files_add=[_pdf()], hand_in=True)
    student = world.a.student.pk
    for stranger in (world.a.class_teacher, world.a.parent, world.b.subject_teacher, world.outsider):
        with pytest.raises(Http404):
            work.work_check(stranger, homework.pk, student, decision="checked", comment="")
        with pytest.raises(Http404):
            marking.work_mark(stranger, homework.pk, student, 5)
    # A student of another group is not one of this homework's.
    with pytest.raises(Http404):
        work.work_check(
            world.a.subject_teacher, homework.pk, world.b.student.pk, decision="checked", comment=""
        )
    for stranger in (world.a.classmate, world.a.classmate_parent, world.b.parent, world.outsider):
        with pytest.raises(Http404):
            selectors_work.own_work(stranger, homework.pk, student)
    file_id = HomeworkCompletion.objects.get().files.get().pk
    for reader in (world.a.student, world.a.parent, world.a.subject_teacher, world.a.class_teacher):
        assert selectors_work.access_work_file(reader, file_id).pk == file_id
    for stranger in (world.a.classmate, world.a.classmate_parent, world.b.admin, world.outsider):
        with pytest.raises(Http404):
            selectors_work.access_work_file(stranger, file_id)
    assert HomeworkCompletion.objects.get().status == WorkStatus.HANDED_IN


def test_the_teachers_table_reads_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    homework = _set(world)
    work.work_save(world.a.student, homework.pk, text="x", hand_in=True)
    work.homework_done(world.a.classmate, homework.pk)
    with django_assert_max_num_queries(12):
        completion = selectors_work.homework_completion(world.a.subject_teacher, homework.pk)
    assert completion.done_count == 2
    assert {s: c for s, _label, c in completion.counts}["handed_in"] == 2


# --- pages and the API ---------------------------------------------------------------------


def test_the_student_hands_in_on_the_page_and_the_teacher_checks_on_the_check_screen(world: World) -> None:
    homework = _set(world)
    student = Client()
    student.force_login(world.a.student)
    page = student.get(f"/homework/{homework.pk}/")
    assert page.status_code == 200 and "Hand in" in page.content.decode()
    empty = student.post(f"/homework/{homework.pk}/work/", {"text": "", "action": "hand_in"})
    assert empty.status_code == 400
    assert not HomeworkCompletion.objects.exists()
    answer = student.post(
        f"/homework/{homework.pk}/work/", {"text": "x = 3", "action": "hand_in", "new_files": _pdf()}
    )
    assert answer.status_code == 302
    teacher = Client()
    teacher.force_login(world.a.subject_teacher)
    table = teacher.get(f"/homework/{homework.pk}/").content.decode()
    assert "handed in" in table
    check = f"/homework/{homework.pk}/work/{world.a.student.pk}/"
    assert "x = 3" in teacher.get(check).content.decode()
    # A bad mark refuses the whole check: neither the status nor the journal changes.
    bad = teacher.post(check, {"decision": "checked", "comment": "", "mark": "7"})
    assert bad.status_code == 400
    assert HomeworkCompletion.objects.get().status == WorkStatus.HANDED_IN
    assert not Mark.objects.exists()
    assert teacher.post(check, {"decision": "checked", "comment": "Молодец", "mark": "5"}).status_code == 302
    assert HomeworkCompletion.objects.get().status == WorkStatus.CHECKED
    assert Mark.objects.get().value == 5
    parent = Client()
    parent.force_login(world.a.parent)
    seen = parent.get(f"/homework/{homework.pk}/").content.decode()
    assert "Молодец" in seen and "checked" in seen and "Hand in" not in seen


def test_the_api_of_the_work(world: World) -> None:
    homework = _set(world)
    student, teacher, stranger = (Client() for _ in range(3))
    student.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.student)}"
    teacher.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.subject_teacher)}"
    stranger.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.b.subject_teacher)}"
    url = f"/api/v1/homework/{homework.pk}/work"
    assert student.get(url).json()["status"] == ""
    bad = student.put(url, {"text": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "hand_in" in bad.json()["errors"]
    saved = student.put(url, {"text": "x = 3", "hand_in": True}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["status"] == "handed_in"
    check = f"{url}/{world.a.student.pk}"
    assert stranger.get(check).status_code == 404
    assert stranger.post(check, {"decision": "checked"}, content_type="application/json").status_code == 404
    refused = teacher.post(check, {"decision": "returned", "comment": ""}, content_type="application/json")
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    done = teacher.post(check, {"decision": "checked", "mark": 5}, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["mark"]) == ("checked", "5")
    table = teacher.get(f"/api/v1/homework/{homework.pk}/completion").json()
    mine = next(s for s in table["students"] if s["id"] == world.a.student.pk)
    assert (mine["status"], mine["mark"]) == ("checked", "5")
    listed = student.get(f"/api/v1/students/{world.a.student.pk}/homework").json()["results"]
    assert next(r for r in listed if r["id"] == homework.pk)["status"] == "checked"


def test_a_retried_check_records_and_tells_once_and_strangers_get_404(world: World) -> None:
    homework = _set(world)
    work.work_save(world.a.student, homework.pk, text="x = 3", hand_in=True)
    teacher = Client()
    teacher.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.subject_teacher)}"
    url = f"/api/v1/homework/{homework.pk}/work/{world.a.student.pk}"
    body = {"decision": "returned", "comment": "Ещё раз."}
    first = teacher.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="check-1")
    again = teacher.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="check-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert WorkEvent.objects.filter(status="returned").count() == 1
    drain()
    assert Notification.objects.filter(kind="homework_checked").count() == 2  # the student and the parent
    # The student's work through the API: another family's parent and another school's teacher get 404.
    own = f"/api/v1/homework/{homework.pk}/work?student={world.a.student.pk}"
    for stranger in (world.a.classmate_parent, world.b.parent, world.b.subject_teacher):
        client = Client()
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(stranger)}"
        assert client.get(own).status_code == 404, stranger
