import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from parta.diary.summaries import MIN_GROUP_STUDENTS
from parta.diary.tests.helpers import topic_for
from parta.journal.models import AbsenceNotice, Attendance
from parta.testing import factories as f
from parta.testing.world import MONDAY
from parta.timetable.models import Lesson

WEEK = f"?week={MONDAY.isoformat()}"


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def get_as(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def pages(student_id):
    return [
        reverse("diary-week", args=[student_id]) + WEEK,
        reverse("diary-marks", args=[student_id]),
        reverse("diary-subject", args=[student_id, "algebra"]),
        reverse("diary-attendance", args=[student_id]),
        reverse("diary-report-card", args=[student_id]),
        reverse("diary-report-card-pdf", args=[student_id]),
    ]


# --- who may open the pages ---------------------------------------------------------------


@pytest.mark.parametrize("reader", ["student", "parent", "class_teacher", "subject_teacher", "admin"])
def test_family_and_the_class_teachers_open_every_page(world, en, reader):
    for url in pages(world.a.student.pk):
        response = get_as(en, getattr(world.a, reader), url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("reader", ["b_parent", "b_class_teacher", "outsider", "sibling"])
def test_everyone_else_gets_404_on_every_page(world, en, reader):
    user = {
        "b_parent": world.b.parent,
        "b_class_teacher": world.b.class_teacher,
        "outsider": world.outsider,
        "sibling": world.a.sibling,
    }[reader]
    for url in pages(world.a.student.pk):
        assert get_as(en, user, url).status_code == 404, url


def test_wrong_parent_of_the_same_class_gets_404(world, en):
    parent = f.UserFactory.create()
    child = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=world.a.group, student=child)
    f.GuardianshipFactory.create(guardian=parent, student=child)
    for url in pages(world.a.student.pk):
        assert get_as(en, parent, url).status_code == 404, url


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(reverse("diary-week", args=[world.a.student.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- /diary/ ------------------------------------------------------------------------------


def test_diary_home_sends_a_student_to_their_own_week(world, en):
    response = get_as(en, world.a.student, reverse("diary"))
    assert response["Location"] == reverse("diary-week", args=[world.a.student.pk])


def test_diary_home_remembers_the_chosen_child(world, en):
    url = reverse("diary") + f"?student={world.a.sibling.pk}"
    assert get_as(en, world.a.parent, url)["Location"] == reverse("diary-week", args=[world.a.sibling.pk])
    # Another family's child is not chosen: the parent's first child instead.
    url = reverse("diary") + f"?student={world.b.student.pk}"
    location = get_as(en, world.a.parent, url)["Location"]
    assert location in {reverse("diary-week", args=[c.pk]) for c in (world.a.student, world.a.sibling)}


def test_diary_home_for_a_teacher_is_404(world, en):
    assert get_as(en, world.a.subject_teacher, reverse("diary")).status_code == 404


def test_parent_switches_between_children_on_the_same_week(world, en):
    response = get_as(en, world.a.parent, reverse("diary-week", args=[world.a.student.pk]) + WEEK)
    tabs = response.context["tabs"]
    assert len(tabs) == 2
    assert all(t.url.endswith(WEEK) for t in tabs)


# --- the week page ------------------------------------------------------------------------


def test_week_page_shows_topic_mark_attendance_and_homework(world, en):
    a = world.a
    Lesson.objects.filter(pk=a.lesson.pk).update(topic=topic_for(a.lesson))
    form = f.ControlFormFactory.create(school=a.school, code="test", name_en="Test", name_ru="Контрольная")
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=4, weight=2, control_form=form)
    f.AttendanceFactory.create(lesson=a.lesson, student=a.student, status=Attendance.Status.LATE)
    f.HomeworkFactory.create(lesson=a.lesson, text="Solve 15 equations")
    body = get_as(en, a.parent, reverse("diary-week", args=[a.student.pk]) + WEEK).content.decode()
    for text in ("Fractions", "Algebra", "Test", "×2", "late", "Solve 15 equations", "Set at this lesson"):
        assert text in body, text
    # The homework list (the homework app's page) for this child, from the diary's sections.
    assert f'href="/homework/?student={a.student.pk}"' in body


def test_week_page_in_russian(world, client):
    client.force_login(world.a.student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    body = client.get(reverse("diary-week", args=[world.a.student.pk]) + WEEK).content.decode()
    assert "Алгебра" in body


def test_week_page_answers_htmx_with_the_week_only(world, en):
    en.force_login(world.a.student)
    response = en.get(reverse("diary-week", args=[world.a.student.pk]) + WEEK, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="week"' in body
    assert "<html" not in body


# --- marks and the chart ------------------------------------------------------------------


def test_marks_page_lists_subjects_with_average(world, en):
    a = world.a
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5, weight=1)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=4, weight=3)
    response = get_as(en, a.parent, reverse("diary-marks", args=[a.student.pk]))
    body = response.content.decode()
    assert "Algebra" in body
    assert "4.25" in body


def test_subject_page_chart_carries_only_averages(world, en):
    a = world.a
    classmates = [f.UserFactory.create() for _ in range(MIN_GROUP_STUDENTS)]
    for i, c in enumerate(classmates):
        f.EnrolmentFactory.create(class_group=a.group, student=c)
        f.MarkFactory.create(lesson=a.lesson, student=c, value=2 + i % 2, comment=f"secret-{i}")
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5)
    response = get_as(en, a.parent, reverse("diary-subject", args=[a.student.pk, "algebra"]))
    body = response.content.decode()
    chart = response.context["chart"]
    assert chart == {"labels": [MONDAY.isoformat()], "student": [5.0], "group": [2.83]}
    assert "secret-" not in body
    for c in classmates:
        assert c.username not in body
        assert str(c.pk) not in response.context["chart"]
    assert "vendor/chartjs/chart.umd.min.js" in body


# --- attendance and absence notices -------------------------------------------------------


def test_parent_reports_an_absence_and_sees_it(world, en):
    a = world.a
    today = timezone.localdate()
    url = reverse("diary-attendance", args=[a.student.pk])
    en.force_login(a.parent)
    response = en.post(
        url, {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "reason": "Doctor"}
    )
    assert response.status_code == 302
    notice = AbsenceNotice.objects.get(student=a.student)
    assert notice.reason == "Doctor"
    body = en.get(url).content.decode()
    assert "Doctor" in body
    response = en.post(reverse("diary-absence-notice-withdraw", args=[a.student.pk, notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None


def test_bad_absence_notice_shows_the_error_and_writes_nothing(world, en):
    a = world.a
    today = timezone.localdate()
    en.force_login(a.parent)
    response = en.post(
        reverse("diary-attendance", args=[a.student.pk]),
        {
            "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat(),
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert not AbsenceNotice.objects.exists()


def test_student_and_teacher_cannot_post_a_notice(world, en):
    a = world.a
    today = timezone.localdate().isoformat()
    for user in (a.student, a.class_teacher):
        en.force_login(user)
        response = en.post(
            reverse("diary-attendance", args=[a.student.pk]),
            {"starts_on": today, "ends_on": today, "reason": "x"},
        )
        assert response.status_code == 404
    assert not AbsenceNotice.objects.exists()


def test_withdrawing_another_childs_notice_is_404(world, en):
    other = AbsenceNotice.objects.create(
        school=world.b.school,
        student=world.b.student,
        reported_by=world.b.parent,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="x",
    )
    en.force_login(world.a.parent)
    response = en.post(reverse("diary-absence-notice-withdraw", args=[world.a.student.pk, other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


# --- report card --------------------------------------------------------------------------


def test_report_card_page_and_pdf(world, en):
    a = world.a
    a.student.first_name, a.student.last_name = "Анна", "Смирнова"
    a.student.save(update_fields=["first_name", "last_name"])
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5)
    body = get_as(en, a.parent, reverse("diary-report-card", args=[a.student.pk])).content.decode()
    assert "Report card" in body
    assert "Смирнова Анна" in body
    assert "Algebra" in body

    response = en.get(reverse("diary-report-card-pdf", args=[a.student.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")  # "Download PDF" downloads
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-64:]
    # The document's title (PDF text string, UTF-16 with octal escapes) names the student;
    # the page's own text is drawn in subset glyph codes, so the Latin heading is checked there.
    assert "Смирнова Анна" in pdf_title(pdf)
    assert b"(Report card) Tj" in pdf_streams(pdf)


def pdf_streams(pdf: bytes) -> bytes:
    """Every stream of the PDF, decoded (reportlab writes Flate, with ASCII85 for page content)."""
    import base64
    import re
    import zlib

    out = []
    for m in re.finditer(rb"<<((?:(?!>>).)*?/Length (\d+)(?:(?!>>).)*)>>\s*stream\r?\n", pdf, re.S):
        head, data = m.group(1), pdf[m.end() : m.end() + int(m.group(2))]
        if b"ASCII85" in head:
            data = data.strip().removeprefix(b"<~").removesuffix(b"~>")
            data = base64.a85decode(data)
        if b"Flate" in head:
            data = zlib.decompress(data)
        out.append(data)
    return b"\n".join(out)


def pdf_title(pdf: bytes) -> str:
    import re

    raw = re.search(rb"/Title \((.*?)(?<!\\)\)", pdf, re.S)
    assert raw is not None
    value = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw.group(1))
    value = re.sub(rb"\\(.)", rb"\1", value)
    return value.decode("utf-16") if value.startswith(b"\xfe\xff") else value.decode("latin-1")


def test_report_card_pdf_with_an_api_token_for_the_family_only(world, client):
    url = reverse("diary-report-card-pdf", args=[world.a.student.pk])
    response = client.get(url, headers={"Authorization": f"Bearer {f.api_key(world.a.parent)}"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    for stranger in (world.a.sibling, world.b.parent):
        response = client.get(url, headers={"Authorization": f"Bearer {f.api_key(stranger)}"})
        assert response.status_code == 404
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    # Without a token, the browser's session as before: the login page.
    assert client.get(url).status_code == 302
