"""The journal pages: who sees what, the keyboard's save endpoint, the plain forms, budgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.accounts.models import User
from parta.journal import services
from parta.journal.models import Attendance, JournalChange, Mark, PeriodMark
from parta.journal.tests.conftest import Journal, build_journal
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grid_url(journal: Journal) -> str:
    return reverse("journal-grid", args=[journal.assignment.pk]) + f"?period={journal.q1.pk}"


def cell_url(journal: Journal, lesson_index: int = 0, student_index: int = 0) -> str:
    return reverse(
        "journal-cell", args=[journal.lessons[lesson_index].pk, journal.students[student_index].pk]
    )


def quick(client: Client, url: str, journal: Journal, **data: object) -> Any:
    return client.post(url, {"period": journal.q1.pk, **data}, HTTP_HX_REQUEST="true")


def outsider_of(journal: Journal) -> list[User]:
    """A teacher of another school, a parent of a student, a teacher of the same school who does
    not teach the class, the student."""
    other = build_journal(1)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    stranger = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=journal.school, user=stranger)
    return [other.teacher, other.admin, parent, stranger, journal.student]


# --- the pages render for the teacher, the class teacher and the admin ------------------------


@pytest.mark.parametrize("who", ["teacher", "class_teacher", "admin"])
def test_the_grid_renders_for_those_who_may_read_it(journal, who):
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)
    response = client_of(getattr(journal, who)).get(grid_url(journal))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="c-{journal.student.pk}-{journal.lesson.pk}"' in body
    assert f'id="avg-{journal.student.pk}"' in body
    assert "5,00" in body or "5.00" in body
    if who == "class_teacher":
        assert "jpm-form" not in body  # reads, may not write


@pytest.mark.parametrize("who", ["teacher", "class_teacher", "admin"])
def test_the_list_shows_the_journal(journal, who):
    response = client_of(getattr(journal, who)).get(reverse("journal"))
    assert response.status_code == 200
    assert reverse("journal-grid", args=[journal.assignment.pk]) in response.content.decode()


def test_the_list_shows_nothing_of_another_school(journal):
    other = build_journal(1)
    response = client_of(other.teacher).get(reverse("journal"))
    assert reverse("journal-grid", args=[journal.assignment.pk]) not in response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "class_teacher", "admin"])
def test_the_lesson_page_and_the_cell_page_render(journal, who):
    client = client_of(getattr(journal, who))
    assert client.get(reverse("journal-lesson", args=[journal.lesson.pk])).status_code == 200
    assert client.get(cell_url(journal)).status_code == 200


def test_every_page_is_404_for_those_who_may_not_read_it(journal):
    lesson_url = reverse("journal-lesson", args=[journal.lesson.pk])
    urls = [
        grid_url(journal),
        lesson_url,
        cell_url(journal),
        reverse("journal-export-xlsx", args=[journal.assignment.pk]),
        reverse("journal-export-csv", args=[journal.assignment.pk]),
    ]
    for user in outsider_of(journal):
        client = client_of(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert quick(client, cell_url(journal), journal, op="add", value="5").status_code == 404
        assert (
            client.post(
                reverse("journal-period-mark", args=[journal.assignment.pk, journal.student.pk]),
                {"period": journal.q1.pk, "value": 5},
            ).status_code
            == 404
        )
        topic_url = reverse("journal-lesson-topic", args=[journal.lesson.pk])
        assert client.post(topic_url, {"topic": 1}).status_code == 404
    assert not Mark.objects.exists()
    assert not PeriodMark.objects.exists()


def test_the_topic_form_of_a_stranger_changes_nothing(journal):
    other = build_journal(1)
    client_of(other.teacher).post(reverse("journal-lesson-topic", args=[journal.lesson.pk]), {"topic": 1})
    assert not JournalChange.objects.exists()


def test_anonymous_is_sent_to_log_in(journal):
    response = Client().get(grid_url(journal))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_pages_are_404_for_teachers_and_other_schools(journal):
    other = build_journal(1)
    history = reverse("school-journal-history", args=[journal.school.pk])
    close = reverse("school-period-close", args=[journal.school.pk, journal.q1.pk])
    for user in (journal.teacher, journal.class_teacher, other.admin):
        client = client_of(user)
        assert client.get(history).status_code == 404
        assert client.get(close).status_code == 404
        assert client.post(close, {"action": "close"}).status_code == 404
    journal.q1.refresh_from_db()
    assert journal.q1.closed_at is None
    # Another school's period under this school's address: 404 even for its admin.
    wrong = reverse("school-period-close", args=[journal.school.pk, other.q1.pk])
    assert client_of(journal.admin).get(wrong).status_code == 404


# --- the keyboard's save endpoint ------------------------------------------------------------


def test_a_typed_mark_is_saved_and_the_cell_comes_back_with_the_average(journal):
    client = client_of(journal.teacher)
    form = journal.forms["test"]
    response = quick(client, cell_url(journal), journal, op="add", value="4", control_form=form.pk)
    assert response.status_code == 200
    mark = Mark.objects.get()
    assert (mark.value, mark.weight, mark.control_form_id) == (4, 3, form.pk)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<td id="c-{journal.student.pk}-{journal.lesson.pk}"')
    assert "is-saved" in body
    assert "<sub>3</sub>" in body
    assert f'id="avg-{journal.student.pk}" class="jnum javg jfinal" hx-swap-oob="true">4' in body
    assert f'data-last-mark="{mark.pk}"' in body


def test_an_off_scale_mark_is_refused_with_its_message_and_nothing_is_written(journal):
    response = quick(client_of(journal.teacher), cell_url(journal), journal, op="add", value="7")
    assert response.status_code == 400
    body = response.content.decode()
    assert "is-failed" in body
    assert "1" in body and "5" in body and "data-error=" in body
    assert not Mark.objects.exists()
    assert not JournalChange.objects.exists()


def test_a_closed_period_needs_a_reason(journal):
    services.period_close(journal.admin, journal.q1.pk)
    client = client_of(journal.teacher)
    refused = quick(client, cell_url(journal), journal, op="add", value="5")
    assert refused.status_code == 400
    assert "reason" in refused.content.decode().lower() or "причин" in refused.content.decode()
    assert not Mark.objects.exists()
    accepted = quick(client, cell_url(journal), journal, op="add", value="5", reason="retake")
    assert accepted.status_code == 200
    assert JournalChange.objects.get(kind="mark").reason == "retake"
    page = client.get(grid_url(journal)).content.decode()
    assert "journal-closed" in page


def test_attendance_letters_and_backspace(journal):
    client = client_of(journal.teacher)
    response = quick(client, cell_url(journal), journal, op="attendance", status="absent")
    assert response.status_code == 200
    entry = Attendance.objects.get()
    assert entry.status == "absent"
    assert "jatt-absent" in response.content.decode()
    # A stale version (someone else changed it) is refused, named, and the cell reloaded.
    services.attendance_set(
        journal.admin, lesson_id=journal.lesson.pk, student_id=journal.student.pk, status="sick", version=1
    )
    stale = quick(client, cell_url(journal), journal, op="attendance", status="late", version="1")
    assert stale.status_code == 409
    assert journal.admin.short_name in stale.content.decode()
    assert "jatt-sick" in stale.content.decode()
    # Backspace on a cell without marks clears the attendance (status empty = present).
    cleared = quick(client, cell_url(journal), journal, op="attendance", status="", version="2")
    assert cleared.status_code == 200
    assert not Attendance.objects.exists()


def test_backspace_removes_the_last_mark(journal):
    client = client_of(journal.teacher)
    quick(client, cell_url(journal), journal, op="add", value="3")
    quick(client, cell_url(journal), journal, op="add", value="5")
    last = Mark.objects.order_by("id").last()
    assert last is not None
    response = quick(client, cell_url(journal), journal, op="delete", mark=last.pk, version=last.version)
    assert response.status_code == 200
    assert list(Mark.objects.values_list("value", flat=True)) == [3]


def test_a_reader_may_not_write(journal):
    response = quick(client_of(journal.class_teacher), cell_url(journal), journal, op="add", value="5")
    assert response.status_code == 403
    assert not Mark.objects.exists()


def test_a_period_mark_is_set_from_the_grid(journal):
    client = client_of(journal.teacher)
    url = reverse("journal-period-mark", args=[journal.assignment.pk, journal.student.pk])
    response = client.post(url, {"period": journal.q1.pk, "value": "4"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert PeriodMark.objects.get().value == 4
    assert "is-saved" in response.content.decode()
    # The plain form: a redirect back to the grid.
    mark = PeriodMark.objects.get()
    plain = client.post(url, {"period": journal.q1.pk, "value": "5", "version": mark.version})
    assert plain.status_code == 302
    assert PeriodMark.objects.get().value == 5
    off = client.post(url, {"period": journal.q1.pk, "value": "9", "version": 2}, HTTP_HX_REQUEST="true")
    assert off.status_code == 400
    assert PeriodMark.objects.get().value == 5


# --- the plain forms (no script) -------------------------------------------------------------


def test_the_cell_page_adds_changes_and_removes_a_mark(journal):
    client = client_of(journal.teacher)
    url = cell_url(journal)
    response = client.post(
        url,
        {
            "op": "add",
            "add-value": "4",
            "add-control_form": journal.forms["oral"].pk,
            "add-comment": "ok",
            "next": grid_url(journal),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url(journal)
    mark = Mark.objects.get()
    assert (mark.value, mark.comment) == (4, "ok")
    prefix = f"m{mark.pk}"
    response = client.post(
        url,
        {
            "op": "edit",
            f"{prefix}-mark": mark.pk,
            f"{prefix}-version": mark.version,
            f"{prefix}-value": "5",
            f"{prefix}-weight": "2",
            f"{prefix}-comment": "better",
        },
    )
    assert response.status_code == 302
    mark.refresh_from_db()
    assert (mark.value, mark.weight, mark.version) == (5, 2, 2)
    page = client.get(url).content.decode()
    assert "better" in page and "4" in page  # the history shows the old value
    response = client.post(url, {"op": "delete", "mark": mark.pk, "version": mark.version})
    assert response.status_code == 302
    assert not Mark.objects.exists()


def test_the_cell_page_shows_the_services_error_and_writes_nothing(journal):
    response = client_of(journal.teacher).post(cell_url(journal), {"op": "add", "add-value": "0"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Mark.objects.exists()


def test_a_stale_edit_on_the_cell_page_is_refused(journal):
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=3
    )
    services.mark_update(journal.admin, mark.pk, version=1, value=4)
    prefix = f"m{mark.pk}"
    response = client_of(journal.teacher).post(
        cell_url(journal),
        {"op": "edit", f"{prefix}-mark": mark.pk, f"{prefix}-version": 1, f"{prefix}-value": "2"},
        follow=True,
    )
    assert journal.admin.short_name in response.content.decode()
    mark.refresh_from_db()
    assert mark.value == 4


def test_the_cell_detail_partial_for_the_dialog(journal):
    response = client_of(journal.teacher).get(cell_url(journal), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="cell-title"' in body


def test_the_lesson_page_saves_marks_and_attendance_of_the_class(journal):
    client = client_of(journal.teacher)
    url = reverse("journal-lesson", args=[journal.lesson.pk])
    data = {"control_form": journal.forms["classwork"].pk}
    for index, student in enumerate(journal.students):
        data[f"mark-{student.pk}"] = str(3 + index)
    data[f"att-{journal.students[2].pk}"] = "late"
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(v or 0 for v in Mark.objects.values_list("value", flat=True)) == [3, 4, 5]
    assert Attendance.objects.get().status == "late"


def test_the_lesson_page_writes_nothing_when_a_row_is_wrong(journal):
    client = client_of(journal.teacher)
    url = reverse("journal-lesson", args=[journal.lesson.pk])
    data = {f"mark-{journal.students[0].pk}": "5", f"mark-{journal.students[1].pk}": "8"}
    data[f"att-{journal.students[2].pk}"] = "absent"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "has-error" in response.content.decode()
    assert not Mark.objects.exists()
    assert not Attendance.objects.exists()
    assert not JournalChange.objects.exists()


def test_the_lesson_topic_is_picked_from_the_framework(journal):
    first = framework_topic(journal.assignment.subject, journal.group.grade, "m5-1")
    client = client_of(journal.teacher)
    page = client.get(reverse("journal-lesson", args=[journal.lesson.pk])).content.decode()
    assert f'value="{first.pk}"' in page and 'id="other-topic"' in page
    response = client.post(reverse("journal-lesson-topic", args=[journal.lesson.pk]), {"topic": first.pk})
    assert response.status_code == 302
    journal.lesson.refresh_from_db()
    assert journal.lesson.topic_id == first.pk
    history = client.get(reverse("journal-lesson", args=[journal.lesson.pk])).content.decode()
    assert "m5-1" in history
    wrong = framework_topic(journal.assignment.subject, journal.group.grade + 1, "m6-1")
    client.post(reverse("journal-lesson-topic", args=[journal.lesson.pk]), {"topic": wrong.pk})
    journal.lesson.refresh_from_db()
    assert journal.lesson.topic_id == first.pk


# --- the administrator's pages ---------------------------------------------------------------


def test_the_history_report_lists_changes(journal):
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)
    client = client_of(journal.admin)
    url = reverse("school-journal-history", args=[journal.school.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert journal.teacher.short_name in response.content.decode()
    today = timezone.localdate().isoformat()
    filtered = client.get(url, {"date_from": today, "date_to": today, "kind": "attendance"})
    assert journal.teacher.short_name not in filtered.content.decode().split("journal-history")[-1]
    assert client.get(url, {"date_from": "2026-10-10", "date_to": "2026-01-01"}).status_code == 400


def test_the_admin_closes_and_reopens_a_period(journal):
    client = client_of(journal.admin)
    url = reverse("school-period-close", args=[journal.school.pk, journal.q1.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "close"}).status_code == 302
    journal.q1.refresh_from_db()
    assert journal.q1.closed_at is not None
    refused = client.post(url, {"action": "reopen", "reason": ""})
    assert refused.status_code == 400
    assert client.post(url, {"action": "reopen", "reason": "a mistake"}).status_code == 302
    journal.q1.refresh_from_db()
    assert journal.q1.closed_at is None


# --- query budgets ---------------------------------------------------------------------------


def _fill(journal: Journal) -> None:
    for student in journal.students:
        for lesson in journal.lessons[:2]:
            services.mark_create(journal.teacher, lesson_id=lesson.pk, student_id=student.pk, value=4)
            f.RemarkFactory.create(lesson=lesson, student=student, kind="praise")
        services.attendance_set(
            journal.teacher, lesson_id=journal.lessons[3].pk, student_id=student.pk, status="absent"
        )


@pytest.mark.parametrize("size", [5, 30])
def test_the_grid_runs_a_fixed_number_of_queries(make_journal, django_assert_max_num_queries, size):
    journal = make_journal(size)
    _fill(journal)
    client = client_of(journal.teacher)
    # 16 with the class group's moves (who left during the period keeps a row).
    with django_assert_max_num_queries(16):
        response = client.get(grid_url(journal))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 30])
def test_the_lesson_page_runs_a_fixed_number_of_queries(make_journal, django_assert_max_num_queries, size):
    journal = make_journal(size)
    _fill(journal)
    client = client_of(journal.teacher)
    # The remarks: one query, however many. The registered sections' (the library's materials:
    # what was given, what to give): two. The homework form's library materials to offer and the
    # group's students to choose from: two. What was given at the school beyond the city's part,
    # for each of the two offers: two (kept for the school's staff, but a test's own writes never
    # commit, and the read cache is read around while they are pending).
    with django_assert_max_num_queries(29):
        response = client.get(reverse("journal-lesson", args=[journal.lesson.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 30])
def test_the_save_endpoint_runs_a_fixed_number_of_queries(make_journal, django_assert_max_num_queries, size):
    journal = make_journal(size)
    _fill(journal)
    client = client_of(journal.teacher)
    # 21 with the class group's moves (the row is found among those who left, too).
    with django_assert_max_num_queries(21):
        response = quick(client, cell_url(journal), journal, op="add", value="5")
    assert response.status_code == 200


# --- the two-school world ---------------------------------------------------------------------


def test_the_world_pages_answer_their_owners_and_404_to_everyone_else(world):
    w = world
    urls = [
        reverse("journal-grid", args=[w.a.assignment.pk]),
        reverse("journal-lesson", args=[w.a.lesson.pk]),
        reverse("journal-cell", args=[w.a.lesson.pk, w.a.student.pk]),
        reverse("journal-export-csv", args=[w.a.assignment.pk]),
    ]
    owners = [w.a.admin, w.a.class_teacher, w.a.subject_teacher]
    strangers = [w.a.parent, w.a.student, w.a.sibling, w.b.admin, w.b.class_teacher, w.b.subject_teacher]
    strangers += [w.b.parent, w.outsider, w.methodologist]
    for user in owners:
        client = client_of(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.username, url)
    for user in strangers:
        client = client_of(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
    admin_urls = [reverse("school-journal-history", args=[w.a.school.pk])]
    assert client_of(w.a.admin).get(admin_urls[0]).status_code == 200
    for user in [w.a.class_teacher, w.a.subject_teacher, w.b.admin, w.a.parent, w.outsider]:
        assert client_of(user).get(admin_urls[0]).status_code == 404


def test_the_year_mark_is_set_in_the_last_period(journal):
    client = client_of(journal.teacher)
    last = reverse("journal-grid", args=[journal.assignment.pk]) + f"?period={journal.q2.pk}"
    assert f'id="ym-{journal.student.pk}"' in client.get(last).content.decode()
    assert f'id="ym-{journal.student.pk}"' not in client.get(grid_url(journal)).content.decode()
    url = reverse("journal-period-mark", args=[journal.assignment.pk, journal.student.pk])
    response = client.post(
        url, {"period": journal.q2.pk, "target": "year", "value": "5"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().startswith(f'<td id="ym-{journal.student.pk}"')
    mark = PeriodMark.objects.get()
    assert (mark.period_id, mark.value) == (None, 5)


def test_the_pages_cost_the_same_for_5_and_30_students(make_journal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (5, 30):
        journal = make_journal(size)
        _fill(journal)
        client = client_of(journal.teacher)
        row = []
        for url in (grid_url(journal), reverse("journal-lesson", args=[journal.lesson.pk])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries.captured_queries))
        with CaptureQueriesContext(connection) as queries:
            assert quick(client, cell_url(journal), journal, op="add", value="5").status_code == 200
        row.append(len(queries.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1]


# --- review fixes: period marks by a reader, period history, notices, future lessons ---------


def test_a_class_teacher_setting_a_period_mark_gets_403_like_any_other_write(journal):
    url = reverse("journal-period-mark", args=[journal.assignment.pk, journal.student.pk])
    client = client_of(journal.class_teacher)
    assert (
        client.post(url, {"period": journal.q1.pk, "value": "4"}, HTTP_HX_REQUEST="true").status_code == 403
    )
    assert client.post(url, {"period": journal.q1.pk, "value": "4"}).status_code == 403
    assert not PeriodMark.objects.exists()


def test_the_history_report_shows_closing_and_reopening_with_the_reason(journal):
    services.period_close(journal.admin, journal.q1.pk)
    services.period_reopen(journal.admin, journal.q1.pk, "Closed too early")
    client = client_of(journal.admin)
    url = reverse("school-journal-history", args=[journal.school.pk])
    body = client.get(url, {"kind": "period"}).content.decode().split("journal-history")[-1]
    assert body.count("<tr>") == 3  # the head and two changes
    assert "Closed too early" in body
    assert "1" in body and journal.admin.short_name in body
    from parta.journal import selectors

    today = timezone.localdate()
    report = selectors.history_report(
        journal.admin, journal.school.pk, date_from=today, date_to=today, kind="period"
    )
    assert [(r.kind, r.object_id, r.new, r.reason) for r in report.rows] == [
        ("period", journal.q1.pk, {"closed": False}, "Closed too early"),
        ("period", journal.q1.pk, {"closed": True}, ""),
    ]
    assert all(r.period for r in report.rows)


def _notice_for(journal: Journal, days: tuple[int, int], reason: str = "Flu") -> Any:
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    today = timezone.localdate()
    return services.absence_notice_create(
        parent,
        student_id=journal.student.pk,
        starts_on=today + dt.timedelta(days=days[0]),
        ends_on=today + dt.timedelta(days=days[1]),
        reason=reason,
    ).notice


def test_the_class_teacher_sees_the_current_and_coming_notices_on_the_journal_list(
    journal, django_assert_max_num_queries
):
    from parta.journal import selectors
    from parta.schools.access import roles_of

    coming = _notice_for(journal, (1, 2), "Flu")
    withdrawn = _notice_for(journal, (5, 5), "Dentist")
    services.absence_notice_withdraw(withdrawn.reported_by, withdrawn.pk)
    other = build_journal(1)
    _notice_for(other, (0, 0), "Elsewhere")
    roles_of(journal.class_teacher)  # the roles are read once per request, not by the selector
    with django_assert_max_num_queries(1):
        notices = selectors.absence_notices_for_class_teacher(journal.class_teacher)
    assert [(n.id, n.student, n.group_name, n.reason) for n in notices] == [
        (coming.pk, journal.student.short_name, "5А", "Flu")
    ]
    body = client_of(journal.class_teacher).get(reverse("journal")).content.decode()
    assert "notices-title" in body and "Flu" in body and journal.student.short_name in body
    assert "Dentist" not in body and "Elsewhere" not in body
    for user in (journal.teacher, journal.admin, other.class_teacher):
        assert "Flu" not in client_of(user).get(reverse("journal")).content.decode()
    assert selectors.absence_notices_for_class_teacher(other.class_teacher)[0].reason == "Elsewhere"


def test_future_lessons_are_shown_but_take_no_entry(journal):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(ends_on=tomorrow + dt.timedelta(days=30))
    future = f.LessonFactory.create(assignment=journal.assignment, date=tomorrow, number=2)
    client = client_of(journal.teacher)
    grid = reverse("journal-grid", args=[journal.assignment.pk]) + f"?period={journal.q2.pk}"
    body = client.get(grid).content.decode()
    cell = body.split(f'id="c-{journal.student.pk}-{future.pk}"')[1].split(">")[0]
    past = body.split(f'id="c-{journal.student.pk}-{journal.q2_lesson.pk}"')[1].split(">")[0]
    assert "is-future" in cell
    assert "is-future" not in past
    assert "data-future-text=" in body
    url = reverse("journal-cell", args=[future.pk, journal.student.pk])
    refused = client.post(url, {"period": journal.q2.pk, "op": "add", "value": "5"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "The lesson has not taken place yet." in refused.content.decode()
    assert not Mark.objects.exists()
