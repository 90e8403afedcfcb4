import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from parta.diary.api import StudentDiaryApi
from parta.diary.tests.helpers import absences_for, marks_for, topic_for, week_of_lessons
from parta.homework.models import HomeworkCompletion, HomeworkFile, HomeworkLink
from parta.journal.models import Attendance
from parta.schools.models import Holiday, StudyPeriod
from parta.testing import factories as f
from parta.testing.world import MONDAY

FRIDAY = MONDAY + dt.timedelta(days=4)


@pytest.fixture
def api():
    return APIClient()


def get_as(api, user, url, **params):
    api.force_authenticate(user)
    return api.get(url, params)


def diary_url(student):
    return f"/api/v1/students/{student.pk}/diary"


def marks_url(student):
    return f"/api/v1/students/{student.pk}/marks"


def attendance_url(student):
    return f"/api/v1/students/{student.pk}/attendance"


RANGE = {"from": MONDAY.isoformat(), "to": FRIDAY.isoformat()}


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["student", "parent", "class_teacher", "subject_teacher"])
def test_family_and_teachers_read(world, api, reader):
    user = getattr(world.a, reader)
    for url in (diary_url(world.a.student), marks_url(world.a.student), attendance_url(world.a.student)):
        assert get_as(api, user, url, **RANGE).status_code == 200, url


@pytest.mark.parametrize("reader", ["b_parent", "b_teacher", "outsider"])
def test_others_get_404_even_with_bad_dates(world, api, reader):
    user = {"b_parent": world.b.parent, "b_teacher": world.b.class_teacher, "outsider": world.outsider}[
        reader
    ]
    for url in (diary_url(world.a.student), marks_url(world.a.student), attendance_url(world.a.student)):
        assert get_as(api, user, url, **RANGE).status_code == 404, url
        assert get_as(api, user, url, **{"from": "nope"}).status_code == 404, url


def test_anonymous_gets_401(world, api):
    assert api.get(diary_url(world.a.student), RANGE).status_code == 401


# --- the diary ----------------------------------------------------------------------------


def test_diary_days_hold_lessons_marks_attendance_and_homework(world, api):
    a = world.a
    form = f.ControlFormFactory.create(school=a.school, code="test", name_en="Test", name_ru="Тест")
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5, weight=2, control_form=form)
    f.AttendanceFactory.create(
        lesson=a.lesson, student=a.student, status=Attendance.Status.LATE, reason="bus"
    )
    f.HomeworkFactory.create(lesson=a.lesson, text="Read §3", due_on=FRIDAY)
    response = get_as(api, a.parent, diary_url(a.student), **RANGE)
    assert response.status_code == 200
    data = response.json()
    assert data["student"]["id"] == a.student.pk
    assert (data["from"], data["to"]) == (MONDAY.isoformat(), FRIDAY.isoformat())
    assert [d["date"] for d in data["days"]] == [
        (MONDAY + dt.timedelta(days=i)).isoformat() for i in range(5)
    ]
    [lesson] = data["days"][0]["lessons"]
    assert lesson["subject"] == {"code": "algebra", "name": "Algebra"}
    [mark] = lesson["marks"]
    assert (mark["value"], mark["weight"], mark["control_form"], mark["is_owed"]) == (5, 2, "Test", False)
    assert lesson["attendance"] == {"status": "late", "reason": "bus", "source": "teacher"}
    assert [h["text"] for h in lesson["homework_set"]] == ["Read §3"]
    assert [h["text"] for h in data["days"][4]["homework_due"]] == ["Read §3"]


def _full_week(a):
    """A week of 7А's lessons with a topic, a substitute, marks (one owed), attendance, homework
    with links and files (one ticked done) and a holiday."""
    lessons = week_of_lessons(a, per_day=3)
    lessons[0].topic = topic_for(lessons[0])
    lessons[0].replaced_teacher = lessons[0].teacher
    lessons[0].teacher = a.class_teacher
    lessons[0].save()
    form = f.ControlFormFactory.create(school=a.school, code="test", name_en="Test", name_ru="Тест")
    marks_for(lessons, [a.student], per_lesson=2)
    f.MarkFactory.create(lesson=lessons[1], student=a.student, value=5, weight=2, control_form=form)
    f.MarkFactory.create(lesson=lessons[2], student=a.student, value=None, owed_until=FRIDAY, comment="ill")
    absences_for(lessons[::4], a.student)
    for lesson in lessons[::2]:
        f.RemarkFactory.create(lesson=lesson, student=a.student)
    for lesson in lessons[::3]:
        hw = f.HomeworkFactory.create(
            lesson=lesson, text="Read §3", due_on=lesson.date + dt.timedelta(days=2)
        )
        HomeworkLink.objects.create(homework=hw, url="https://example.org/a", title="A")
        HomeworkLink.objects.create(homework=hw, url="https://example.org/b", title="")
        HomeworkFile.objects.create(homework=hw, name="task.pdf", size=10, file="homework/task.pdf")
    HomeworkCompletion.objects.create(school=a.school, homework=hw, student=a.student)
    Holiday.objects.create(
        school=a.school, year=a.group.year, name="Day off", starts_on=FRIDAY, ends_on=FRIDAY
    )


def test_diary_writes_what_its_serializer_would(world, api):
    """The view writes its rows directly; they are exactly what OutputSerializer (the OpenAPI
    schema) would make of them, byte for byte."""
    _full_week(world.a)
    for reader in (world.a.parent, world.a.class_teacher):
        response = get_as(api, reader, diary_url(world.a.student), **RANGE)
        assert response.status_code == 200
        days = response.json()["days"]
        lessons = [lesson for day in days for lesson in day["lessons"]]
        assert any(lesson["marks"] and lesson["attendance"] for lesson in lessons)
        assert any(lesson["topic"] and lesson["is_substitution"] for lesson in lessons)
        homework = [hw for lesson in lessons for hw in lesson["homework_set"]]
        assert any(hw["links"] and hw["files"] and hw["done"] for hw in homework)
        assert any(m["is_owed"] for lesson in lessons for m in lesson["marks"])
        assert days[4]["holiday"] == "Day off"
        serialized = StudentDiaryApi.OutputSerializer(response.json()).data
        assert JSONRenderer().render(serialized) == response.content


def test_the_diary_api_runs_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    _full_week(world.a)
    # A fresh reader, so that roles cached on the user object do not hide queries.
    api.force_authenticate(type(world.a.parent).objects.get(pk=world.a.parent.pk))
    # Roles, the student, their enrolments, subgroups, lessons, marks, attendance, remarks,
    # homework, its links, files and materials (one query), holidays, the lessons' materials.
    with django_assert_max_num_queries(12):
        assert api.get(diary_url(world.a.student), RANGE).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-09-07"}, "to"),
        ({"from": "07.09.2026", "to": "2026-09-08"}, "from"),
        ({"from": "2026-09-08", "to": "2026-09-07"}, "to"),
        ({"from": "2026-09-01", "to": "2026-10-02"}, "to"),  # 32 days: 31 is the most
    ],
)
def test_bad_ranges_are_400_with_the_field(world, api, params, field):
    response = get_as(api, world.a.student, diary_url(world.a.student), **params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_thirty_one_days_are_fine(world, api):
    params = {"from": "2026-09-01", "to": "2026-10-01"}
    response = get_as(api, world.a.student, diary_url(world.a.student), **params)
    assert response.status_code == 200
    assert len(response.json()["days"]) == 31


# --- marks --------------------------------------------------------------------------------


def test_marks_per_subject_with_averages(world, api):
    a = world.a
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5, weight=1)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=3, weight=1)
    response = get_as(api, a.student, marks_url(a.student))
    assert response.status_code == 200
    data = response.json()
    assert data["period"]["name"] == "Quarter 1"
    subjects = {s["subject"]["code"]: s for s in data["subjects"]}
    assert subjects["algebra"]["average"] == "4.00"
    assert subjects["russian"]["average"] is None
    year = get_as(api, a.student, marks_url(a.student), period="year").json()
    assert year["period"] is None


def test_marks_for_a_period_of_another_school_is_400(world, api):
    other = StudyPeriod.objects.get(year__school=world.b.school)
    response = get_as(api, world.a.student, marks_url(world.a.student), period=str(other.pk))
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


# --- attendance ---------------------------------------------------------------------------


def test_attendance_totals_and_entries(world, api):
    a = world.a
    f.AttendanceFactory.create(lesson=a.lesson, student=a.student, status=Attendance.Status.SICK)
    data = get_as(api, a.parent, attendance_url(a.student), **RANGE).json()
    assert data["total"]["lessons"] == 1
    assert data["total"]["missed"] == 1
    assert data["total"]["sick"] == 1
    assert [e["status"] for e in data["entries"]] == ["sick"]
    assert data["subjects"][0]["subject"]["code"] == "algebra"


def test_attendance_range_over_a_year_is_400(world, api):
    student = world.a.student
    response = get_as(api, student, attendance_url(student), **{"from": "2026-01-01", "to": "2027-01-02"})
    assert response.status_code == 400


# --- schema -------------------------------------------------------------------------------


def test_the_schema_describes_the_diary_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text(encoding="utf-8")
    for path in (
        "/api/v1/students/{student_id}/diary:",
        "/api/v1/students/{student_id}/marks:",
        "/api/v1/students/{student_id}/attendance:",
    ):
        assert path in schema
    assert "StudentDiary:" in schema
