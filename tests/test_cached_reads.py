"""The diary and the journal are served from the read cache, and every write that changes what they
show is in the very next answer (parta/core/versions.py, parta/core/freshness.py).

Transactional tests: the writes really commit, as in production, so the tokens change on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from parta.curriculum.models import PlanItem, ThematicPlan
from parta.homework.models import Homework, HomeworkFile, HomeworkLink
from parta.journal.models import Attendance, Mark
from parta.journal.tests.conftest import Journal, build_journal, client_for
from parta.schools.models import Enrolment, Holiday
from parta.schools.services import student_move
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic
from parta.timetable.services import lesson_cancel, lesson_substitute, lessons_assign_topics

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journal() -> Journal:
    return build_journal(students=3)


def diary_url(journal: Journal, student: Any = None) -> str:
    monday = journal.lesson.date - dt.timedelta(days=journal.lesson.date.weekday())
    student = student or journal.student
    return f"/api/v1/students/{student.pk}/diary?from={monday}&to={monday + dt.timedelta(days=6)}"


def journal_url(journal: Journal) -> str:
    return f"/api/v1/journal/assignments/{journal.assignment.pk}?period={journal.q1.pk}"


def lesson_of(body: Any, lesson_id: int) -> Any:
    return next(item for day in body["days"] for item in day["lessons"] if item["id"] == lesson_id)


def data_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries that read what the answer shows (not who the reader is)."""
    shown = ("timetable_lesson", "journal_mark", "homework_homework", "journal_attendance")
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in shown)]


def test_the_second_read_of_a_diary_and_a_journal_makes_no_data_query(journal: Journal) -> None:
    family, teacher = client_for(journal.student), client_for(journal.teacher)
    for client, url in ((family, diary_url(journal)), (teacher, journal_url(journal))):
        first = client.get(url)
        assert first.status_code == 200, first.content
        with CaptureQueriesContext(connection) as captured:
            second = client.get(url)
        assert second.content == first.content
        assert data_queries(captured) == []


def _mark(journal: Journal) -> Callable[[], Any]:
    def write() -> None:
        response = client_for(journal.teacher).post(
            "/api/v1/marks",
            {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 5},
            format="json",
        )
        assert response.status_code == 201, response.content

    return write


def _attendance(journal: Journal) -> Callable[[], Any]:
    def write() -> None:
        url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
        response = client_for(journal.teacher).put(url, {"status": "absent", "reason": "ill"}, format="json")
        assert response.status_code == 200, response.content

    return write


def test_a_new_mark_is_in_the_next_diary_and_journal(journal: Journal) -> None:
    family, teacher = client_for(journal.student), client_for(journal.teacher)
    assert lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["marks"] == []
    teacher.get(journal_url(journal))
    _mark(journal)()
    marks = lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["marks"]
    assert [m["value"] for m in marks] == [5]
    row = teacher.get(journal_url(journal)).json()["students"][0]
    assert row["id"] == journal.student.pk
    assert [m["value"] for cell in row["cells"] for m in cell["marks"]] == [5]


def test_attendance_is_in_the_next_diary_and_journal(journal: Journal) -> None:
    family, teacher = client_for(journal.student), client_for(journal.teacher)
    family.get(diary_url(journal))
    teacher.get(journal_url(journal))
    _attendance(journal)()
    assert (
        lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["attendance"]["status"]
        == "absent"
    )
    cells = teacher.get(journal_url(journal)).json()["students"][0]["cells"]
    assert [c["attendance"]["status"] for c in cells if c["attendance"]] == ["absent"]


def test_a_classmates_mark_leaves_the_diary_cached_but_not_the_journal(journal: Journal) -> None:
    family = client_for(journal.students[1])
    family.get(diary_url(journal, journal.students[1]))
    _mark(journal)()  # for students[0]
    with CaptureQueriesContext(connection) as captured:
        family.get(diary_url(journal, journal.students[1]))
    assert data_queries(captured) == []


def test_topic_homework_tick_and_names_are_in_the_next_diary(journal: Journal) -> None:
    family = client_for(journal.student)
    url = diary_url(journal)
    family.get(url)

    topic = framework_topic(journal.assignment.subject, 5, "m5-1")
    response = client_for(journal.teacher).put(
        f"/api/v1/lessons/{journal.lesson.pk}/topic", {"topic": topic.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert lesson_of(family.get(url).json(), journal.lesson.pk)["topic"]["code"] == "m5-1"

    topic.title_en = topic.title_ru = "Renamed"
    topic.save()
    assert lesson_of(family.get(url).json(), journal.lesson.pk)["topic"]["title"] == "Renamed"

    homework = f.HomeworkFactory.create(
        lesson=journal.lesson, due_on=journal.lesson.date + dt.timedelta(days=2)
    )
    [set_here] = lesson_of(family.get(url).json(), journal.lesson.pk)["homework_set"]
    assert (set_here["id"], set_here["done"]) == (homework.pk, False)

    assert family.post(f"/api/v1/homework/{homework.pk}/done").status_code == 200
    [set_here] = lesson_of(family.get(url).json(), journal.lesson.pk)["homework_set"]
    assert set_here["done"] is True

    Homework.objects.get(pk=homework.pk).delete()
    assert lesson_of(family.get(url).json(), journal.lesson.pk)["homework_set"] == []

    journal.teacher.last_name = "Новикова"
    journal.teacher.save()
    assert "Новикова" in lesson_of(family.get(url).json(), journal.lesson.pk)["teacher"]["short_name"]

    Holiday.objects.create(
        school=journal.school,
        year=journal.assignment.year,
        name="Snow day",
        starts_on=journal.lesson.date,
        ends_on=journal.lesson.date,
    )
    [day] = [d for d in family.get(url).json()["days"] if d["date"] == journal.lesson.date.isoformat()]
    assert day["holiday"] == "Snow day"


def test_a_new_classmate_is_in_the_next_journal(journal: Journal) -> None:
    teacher = client_for(journal.teacher)
    assert len(teacher.get(journal_url(journal)).json()["students"]) == 3
    f.EnrolmentFactory.create(class_group=journal.group, student=f.UserFactory.create(last_name="Яковлев"))
    assert len(teacher.get(journal_url(journal)).json()["students"]) == 4


def test_answers_are_kept_apart_by_language_and_reader(journal: Journal) -> None:
    family = client_for(journal.student)
    url = diary_url(journal)
    english = lesson_of(family.get(url, HTTP_ACCEPT_LANGUAGE="en").json(), journal.lesson.pk)
    russian = lesson_of(family.get(url, HTTP_ACCEPT_LANGUAGE="ru").json(), journal.lesson.pk)
    assert (english["subject"]["name"], russian["subject"]["name"]) == ("Mathematics", "Математика")
    # The class teacher reads the same diary through work (their school's records only).
    assert client_for(journal.class_teacher).get(url).status_code == 200
    # Someone else's reader is refused before the cache is asked.
    assert client_for(f.UserFactory.create()).get(url).status_code == 404
    # The class teacher reads the journal but may not write it: not the teacher's answer.
    reader = client_for(journal.class_teacher).get(journal_url(journal)).json()
    writer = client_for(journal.teacher).get(journal_url(journal)).json()
    assert (reader["can_write"], writer["can_write"]) == (False, True)


def test_topics_given_by_the_thematic_plan_in_bulk_are_in_the_next_diary(journal: Journal) -> None:
    from parta.curriculum.models import PlanItem, ThematicPlan
    from parta.timetable.services import lessons_assign_topics

    topic = framework_topic(journal.assignment.subject, 5, "m5-1")
    plan = ThematicPlan.objects.create(school=journal.school, assignment=journal.assignment)
    PlanItem.objects.create(school=journal.school, plan=plan, order=1, topic=topic, hours=10)
    family = client_for(journal.student)
    url = diary_url(journal)
    assert lesson_of(family.get(url).json(), journal.lesson.pk)["topic"] is None
    assert lessons_assign_topics(assignment=journal.assignment) > 0  # one UPDATE, no signals
    assert lesson_of(family.get(url).json(), journal.lesson.pk)["topic"]["code"] == "m5-1"


def test_control_forms_made_in_bulk_are_in_the_next_journal(journal: Journal) -> None:
    from parta.journal.models import ControlForm
    from parta.journal.services import journal_defaults_ensure

    ControlForm.objects.filter(school=journal.school).delete()
    teacher = client_for(journal.teacher)
    assert teacher.get(journal_url(journal)).json()["control_forms"] == []
    journal_defaults_ensure(journal.school)  # bulk_create: no signals
    assert teacher.get(journal_url(journal)).json()["control_forms"] != []


def test_a_student_opens_their_own_cached_diary_with_the_token_query_alone(journal: Journal) -> None:
    student = client_for(journal.student)
    assert student.get(diary_url(journal)).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert student.get(diary_url(journal)).status_code == 200
    assert len(captured.captured_queries) == 1, [q["sql"] for q in captured.captured_queries]


# --- timetables ------------------------------------------------------------------------


def timetable_url(journal: Journal, person: Any) -> str:
    monday = journal.lesson.date - dt.timedelta(days=journal.lesson.date.weekday())
    return f"/api/v1/people/{person.pk}/timetable?from={monday}&to={monday + dt.timedelta(days=6)}"


def timetable(journal: Journal, person: Any) -> list[Any]:
    response = client_for(person).get(timetable_url(journal, person))
    assert response.status_code == 200, response.content
    lessons: list[Any] = response.json()["lessons"]
    return lessons


def test_the_second_read_of_a_timetable_makes_no_lesson_query(journal: Journal) -> None:
    for person in (journal.student, journal.teacher):
        client = client_for(person)
        first = client.get(timetable_url(journal, person))
        assert first.status_code == 200, first.content
        with CaptureQueriesContext(connection) as captured:
            second = client.get(timetable_url(journal, person))
        assert second.content == first.content
        assert data_queries(captured) == []


def test_a_substitution_is_in_both_teachers_next_timetables_and_leaves_the_substitute_with_it(
    journal: Journal,
) -> None:
    planned, substitute = journal.teacher, journal.class_teacher
    assert [(row["id"], row["is_substitution"]) for row in timetable(journal, planned)] == [
        (journal.lesson.pk, False)
    ]
    assert timetable(journal, substitute) == []
    lesson_substitute(actor=journal.admin, lesson=journal.lesson, teacher=substitute)
    assert [row["id"] for row in timetable(journal, substitute)] == [journal.lesson.pk]
    [row] = timetable(journal, planned)
    assert (row["is_substitution"], row["teacher"]["id"]) == (True, substitute.pk)
    # Handed back: the lesson names only the planned teacher again; the substitute's timetable,
    # which the saved row no longer names, loses it all the same.
    lesson_substitute(actor=journal.admin, lesson=journal.lesson, teacher=planned)
    assert timetable(journal, substitute) == []
    assert [row["is_substitution"] for row in timetable(journal, planned)] == [False]


def test_a_student_moved_to_another_class_has_its_timetable_next(journal: Journal) -> None:
    other = f.ClassGroupFactory.create(year=journal.assignment.year, grade=5, letter="Б")
    assignment = f.TeachingAssignmentFactory.create(
        class_group=other, teacher=journal.class_teacher, subject=journal.assignment.subject
    )
    theirs = f.LessonFactory.create(assignment=assignment, date=journal.lesson.date, number=3)
    assert [row["id"] for row in timetable(journal, journal.student)] == [journal.lesson.pk]
    enrolment = Enrolment.objects.get(student=journal.student, class_group=journal.group)
    enrolment.class_group = other
    enrolment.save()
    assert [row["id"] for row in timetable(journal, journal.student)] == [theirs.pk]


def test_a_move_through_the_service_is_in_the_next_diary_timetable_and_both_journals(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 10, 12))
    other = f.ClassGroupFactory.create(year=journal.assignment.year, grade=5, letter="Б")
    assignment = f.TeachingAssignmentFactory.create(
        class_group=other, teacher=journal.teacher, subject=journal.assignment.subject
    )
    theirs = f.LessonFactory.create(assignment=assignment, date=journal.lesson.date, number=3)
    teacher = client_for(journal.teacher)
    other_journal = f"/api/v1/journal/assignments/{assignment.pk}?period={journal.q1.pk}"
    assert [row["id"] for row in timetable(journal, journal.student)] == [journal.lesson.pk]
    assert journal.student.pk in [row["id"] for row in teacher.get(journal_url(journal)).json()["students"]]
    assert teacher.get(other_journal).json()["students"] == []
    Mark.objects.create(
        school=journal.school,
        lesson=journal.lesson,
        student=journal.student,
        subject=journal.lesson.subject,
        date=journal.lesson.date,
        value=5,
        created_by=journal.teacher,
    )
    student_move(
        actor=journal.admin,
        student=journal.student,
        from_class_group=journal.group,
        to_class_group=other,
        moved_on=dt.date(2026, 10, 5),
        reason="Приказ № 7",
    )
    assert [row["id"] for row in timetable(journal, journal.student)] == [theirs.pk]
    # The old class's journal keeps the student for the period they were in, marked as left.
    moved = {row["id"]: row for row in teacher.get(journal_url(journal)).json()["students"]}
    assert moved[journal.student.pk]["left_on"] == "2026-10-05"
    assert [(row["id"], row["in_class_since"]) for row in teacher.get(other_journal).json()["students"]] == [
        (journal.student.pk, "2026-10-05")
    ]
    assert Mark.objects.filter(student=journal.student, value=5).exists()  # the mark stays
    student_move(
        actor=journal.admin,
        student=journal.student,
        from_class_group=other,
        to_class_group=None,
        moved_on=dt.date(2026, 10, 12),
        reason="Переезд",
    )
    assert client_for(journal.student).get(diary_url(journal)).status_code == 404  # no longer a student
    assert [(row["id"], row["left_on"]) for row in teacher.get(other_journal).json()["students"]] == [
        (journal.student.pk, "2026-10-12")
    ]


def test_topics_given_in_bulk_and_renamed_classes_are_in_the_next_teachers_timetable(
    journal: Journal,
) -> None:
    topic = framework_topic(journal.assignment.subject, 5, "m5-1")
    plan = ThematicPlan.objects.create(school=journal.school, assignment=journal.assignment)
    PlanItem.objects.create(school=journal.school, plan=plan, order=1, topic=topic, hours=10)
    assert [row["topic"] for row in timetable(journal, journal.teacher)] == [None]
    assert lessons_assign_topics(assignment=journal.assignment) > 0  # one UPDATE, no signals
    assert [row["topic"]["code"] for row in timetable(journal, journal.teacher)] == ["m5-1"]
    journal.group.letter = "В"
    journal.group.save()
    assert [row["class_group"]["name"] for row in timetable(journal, journal.teacher)] == ["5В"]


# --- calendar feeds ----------------------------------------------------------------------


def feed_events(person: Any) -> list[Any]:
    response = Client().get(f"/calendar/{person.calendar_token}.ics")
    assert response.status_code == 200, response.content
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def summaries(person: Any) -> list[str]:
    return sorted(str(event["SUMMARY"]) for event in feed_events(person))


@pytest.fixture
def today_lesson(journal: Journal) -> Any:
    """A lesson in the feeds' window (the journal's own are in the autumn)."""
    return f.LessonFactory.create(assignment=journal.assignment, date=timezone.localdate(), number=3)


def test_the_second_fetch_of_a_feed_makes_no_lesson_query(journal: Journal, today_lesson: Any) -> None:
    for person in (journal.student, journal.teacher):
        first = Client().get(f"/calendar/{person.calendar_token}.ics")
        with CaptureQueriesContext(connection) as captured:
            second = Client().get(f"/calendar/{person.calendar_token}.ics")
        assert second.content == first.content
        assert data_queries(captured) == []


def test_a_guardians_next_feed_has_a_new_child_and_the_childs_cancelled_lesson(
    journal: Journal, today_lesson: Any
) -> None:
    parent = f.UserFactory.create()
    assert feed_events(parent) == []
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    [event] = feed_events(parent)
    assert event["STATUS"] == "CONFIRMED"
    lesson_cancel(actor=journal.admin, lesson=today_lesson, reason="Flu")
    [event] = feed_events(parent)
    assert event["STATUS"] == "CANCELLED"


def test_a_substitutes_next_feed_has_the_lesson_and_loses_it_when_handed_back(
    journal: Journal, today_lesson: Any
) -> None:
    substitute = journal.class_teacher
    assert feed_events(substitute) == []
    lesson_substitute(actor=journal.admin, lesson=today_lesson, teacher=substitute)
    assert summaries(substitute) == ["Mathematics — 5А"]
    assert summaries(journal.teacher) == [f"Mathematics — 5А (taught by {substitute.short_name})"]
    lesson_substitute(actor=journal.admin, lesson=today_lesson, teacher=journal.teacher)
    assert feed_events(substitute) == []


def test_a_cached_timetable_is_refused_to_someone_elses_reader(journal: Journal) -> None:
    """Access is checked before the cache: a timetable cached for its student is still a 404 for a
    stranger, a guardian of another child and a teacher of another school."""
    url = timetable_url(journal, journal.student)
    assert client_for(journal.student).get(url).status_code == 200
    other_parent = f.GuardianshipFactory.create(student=journal.students[1]).guardian
    other_school = f.StaffMembershipFactory.create().user
    for reader in (f.UserFactory.create(), other_parent, other_school):
        assert client_for(reader).get(url).status_code == 404


# --- deletes -----------------------------------------------------------------------------
# Every delete goes through its real write path: the API where there is one, else the Django
# admin (rows no service deletes). The superuser is made before the first read: a new account
# renews nothing, so no test passes by a token renewed for another reason.


@pytest.fixture
def admin_client(journal: Journal) -> Client:
    client = Client()
    client.force_login(f.UserFactory.create(is_superuser=True, is_staff=True))
    return client


def admin_delete(client: Client, row: Any) -> None:
    meta = row._meta
    response = client.post(f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content
    assert not type(row).objects.filter(pk=row.pk).exists()


def journal_marks(journal: Journal) -> list[int]:
    row = client_for(journal.teacher).get(journal_url(journal)).json()["students"][0]
    return [m["value"] for cell in row["cells"] for m in cell["marks"]]


def test_a_deleted_mark_leaves_the_next_diary_and_journal(journal: Journal) -> None:
    _mark(journal)()
    family = client_for(journal.student)
    [mark] = lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["marks"]
    assert journal_marks(journal) == [5]
    response = client_for(journal.teacher).delete(
        f"/api/v1/marks/{mark['id']}", {"version": Mark.objects.get(pk=mark["id"]).version}, format="json"
    )
    assert response.status_code == 204, response.content
    assert lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["marks"] == []
    assert journal_marks(journal) == []


def test_a_removed_attendance_entry_leaves_the_next_diary_and_journal(journal: Journal) -> None:
    _attendance(journal)()
    family = client_for(journal.student)
    entry = lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["attendance"]
    assert entry["status"] == "absent"
    version = Attendance.objects.get(lesson=journal.lesson, student=journal.student).version
    client_for(journal.teacher).get(journal_url(journal))
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    response = client_for(journal.teacher).put(url, {"status": None, "version": version}, format="json")
    assert response.status_code == 200, response.content
    assert lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["attendance"] is None
    cells = client_for(journal.teacher).get(journal_url(journal)).json()["students"][0]["cells"]
    assert [c["attendance"] for c in cells if c["attendance"]] == []


def test_deleted_homework_and_its_removed_link_and_file_leave_the_next_diary(
    journal: Journal, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    homework = f.HomeworkFactory.create(
        lesson=journal.lesson, due_on=journal.lesson.date + dt.timedelta(days=2)
    )
    HomeworkLink.objects.create(homework=homework, url="https://example.org/task")
    file = HomeworkFile.objects.create(
        homework=homework, file=ContentFile(b"%PDF", name="task.pdf"), name="task.pdf"
    )
    family, teacher = client_for(journal.student), client_for(journal.teacher)

    def shown() -> list[Any]:
        items: list[Any] = lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)["homework_set"]
        return items

    [item] = shown()
    assert (len(item["links"]), len(item["files"])) == (1, 1)
    response = teacher.patch(f"/api/v1/homework/{homework.pk}", {"links": []}, format="json")
    assert response.status_code == 200, response.content
    [item] = shown()
    assert (len(item["links"]), len(item["files"])) == (0, 1)
    response = teacher.patch(f"/api/v1/homework/{homework.pk}", {"files_remove": [file.pk]}, format="json")
    assert response.status_code == 200, response.content
    [item] = shown()
    assert item["files"] == []
    assert teacher.delete(f"/api/v1/homework/{homework.pk}").status_code == 204
    assert shown() == []


def test_a_deleted_lesson_leaves_every_cached_read(
    journal: Journal, today_lesson: Any, admin_client: Client
) -> None:
    """Deleted, not cancelled (a cancelled lesson stays, marked so): the diary, the journal, both
    timetables and both feeds lose it."""
    family = client_for(journal.student)
    assert [row["id"] for row in timetable(journal, journal.teacher)] == [journal.lesson.pk]
    assert [row["id"] for row in timetable(journal, journal.student)] == [journal.lesson.pk]
    columns = len(client_for(journal.teacher).get(journal_url(journal)).json()["lessons"])
    lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)
    assert len(feed_events(journal.student)) == len(feed_events(journal.teacher)) == 1

    admin_delete(admin_client, journal.lesson)
    admin_delete(admin_client, today_lesson)
    assert timetable(journal, journal.teacher) == timetable(journal, journal.student) == []
    assert len(client_for(journal.teacher).get(journal_url(journal)).json()["lessons"]) == columns - 1
    with pytest.raises(StopIteration):
        lesson_of(family.get(diary_url(journal)).json(), journal.lesson.pk)
    assert feed_events(journal.student) == feed_events(journal.teacher) == []


def test_a_deleted_enrolment_leaves_the_next_diary_timetable_and_journal(
    journal: Journal, today_lesson: Any, admin_client: Client
) -> None:
    family = client_for(journal.student)
    assert len(family.get(diary_url(journal)).json()["days"][0]["lessons"]) == 1
    assert len(timetable(journal, journal.student)) == 1
    assert len(feed_events(journal.student)) == 1
    assert len(client_for(journal.teacher).get(journal_url(journal)).json()["students"]) == 3

    admin_delete(admin_client, Enrolment.objects.get(student=journal.student))
    assert family.get(diary_url(journal)).status_code == 404  # no longer a student anywhere
    assert timetable(journal, journal.student) == []
    assert feed_events(journal.student) == []
    students = client_for(journal.teacher).get(journal_url(journal)).json()["students"]
    assert journal.student.pk not in [row["id"] for row in students]


def test_a_deleted_subgroup_membership_leaves_the_next_diary_and_timetable(
    journal: Journal, admin_client: Client
) -> None:
    subgroup = f.SubgroupFactory.create(class_group=journal.group, subject=journal.assignment.subject)
    assignment = f.TeachingAssignmentFactory.create(
        class_group=journal.group,
        subgroup=subgroup,
        teacher=journal.teacher,
        subject=journal.assignment.subject,
    )
    split = f.LessonFactory.create(assignment=assignment, date=journal.lesson.date, number=3)
    membership = f.SubgroupMembershipFactory.create(subgroup=subgroup, student=journal.student)
    family = client_for(journal.student)
    lesson_of(family.get(diary_url(journal)).json(), split.pk)
    assert split.pk in [row["id"] for row in timetable(journal, journal.student)]

    admin_delete(admin_client, membership)
    with pytest.raises(StopIteration):
        lesson_of(family.get(diary_url(journal)).json(), split.pk)
    assert split.pk not in [row["id"] for row in timetable(journal, journal.student)]


def test_a_deleted_holiday_leaves_the_next_diary(journal: Journal, admin_client: Client) -> None:
    holiday = Holiday.objects.create(
        school=journal.school,
        year=journal.assignment.year,
        name="Snow day",
        starts_on=journal.lesson.date,
        ends_on=journal.lesson.date,
    )
    family = client_for(journal.student)

    def holiday_shown() -> Any:
        [day] = [
            d
            for d in family.get(diary_url(journal)).json()["days"]
            if d["date"] == journal.lesson.date.isoformat()
        ]
        return day["holiday"]

    assert holiday_shown() == "Snow day"
    admin_delete(admin_client, holiday)
    assert holiday_shown() is None


def test_a_parent_who_lost_a_child_sees_neither_the_cached_diary_nor_the_childs_lessons(
    journal: Journal, today_lesson: Any, admin_client: Client
) -> None:
    """No token needed: the diary checks access before the cache, and the feed's key names the
    children."""
    guardianship = f.GuardianshipFactory.create(student=journal.student)
    parent = client_for(guardianship.guardian)
    assert parent.get(diary_url(journal)).status_code == 200
    assert len(feed_events(guardianship.guardian)) == 1

    admin_delete(admin_client, guardianship)
    assert parent.get(diary_url(journal)).status_code == 404
    assert feed_events(guardianship.guardian) == []
