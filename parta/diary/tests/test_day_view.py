"""The diary on a phone (issue 18, item 8): the week one day at a time with the days before and
after, today or the next school day by default; the teachers' remarks at their lessons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from parta.diary.selectors import DiaryDay, choose_day
from parta.diary.tests.helpers import week_of_lessons
from parta.journal import services
from parta.testing import factories as f
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db

SATURDAY, SUNDAY = MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=6)


def days(*with_lessons: int, saturday: bool = False) -> list[DiaryDay]:
    """The week's days (Monday to Friday, Saturday too) with a lesson on the days numbered."""
    count = 6 if saturday else 5
    result = [DiaryDay(MONDAY + dt.timedelta(days=i)) for i in range(count)]
    for i in with_lessons:
        result[i].lessons.append(object())  # type: ignore[arg-type]
    return result


@pytest.mark.parametrize(
    ("week", "asked", "today", "chosen"),
    [
        (days(0, 1, 2, 3, 4), None, MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=2)),
        # Today has no lessons (a holiday): the next day that has.
        (days(0, 3, 4), None, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=3)),
        # Another week, later: its first school day; earlier: its first day with lessons too.
        (days(1, 2), None, MONDAY - dt.timedelta(days=7), MONDAY + dt.timedelta(days=1)),
        (days(1, 2), None, MONDAY + dt.timedelta(days=20), MONDAY + dt.timedelta(days=1)),
        # Asked for: that day; a Sunday or a Saturday without lessons gives the last school day.
        (days(0, 1), MONDAY + dt.timedelta(days=4), MONDAY, MONDAY + dt.timedelta(days=4)),
        (days(0, 1), SUNDAY, MONDAY, MONDAY + dt.timedelta(days=4)),
        (days(0, 5, saturday=True), SUNDAY, MONDAY, SATURDAY),
    ],
)
def test_the_day_shown(week: list[DiaryDay], asked: dt.date | None, today: dt.date, chosen: dt.date) -> None:
    assert choose_day(week, asked, today).date == chosen


def test_the_days_before_and_after_cross_into_the_next_weeks() -> None:
    monday = choose_day(days(0), MONDAY, MONDAY)
    assert (monday.previous, monday.next) == (MONDAY - dt.timedelta(days=2), MONDAY + dt.timedelta(days=1))
    friday = choose_day(days(0), MONDAY + dt.timedelta(days=4), MONDAY)
    assert friday.next == MONDAY + dt.timedelta(days=7)
    saturday = choose_day(days(5, saturday=True), SATURDAY, MONDAY)
    assert saturday.previous == MONDAY + dt.timedelta(days=4)
    assert saturday.next == MONDAY + dt.timedelta(days=7)


@pytest.fixture
def en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _week(client: Client, user: Any, student_id: int, query: str) -> Any:
    client.force_login(user)
    return client.get(reverse("diary-week", args=[student_id]) + query)


def test_the_day_view_shows_one_day_with_its_steps_and_the_weeks_strip(world: World, en: Client) -> None:
    a = world.a
    week_of_lessons(a, per_day=2)
    tuesday = MONDAY + dt.timedelta(days=1)
    response = _week(en, a.parent, a.student.pk, f"?date={tuesday}&view=day")
    assert response.status_code == 200
    assert response.context["view_day"].date == tuesday
    body = response.content.decode()
    assert 'class="week diary-week diary-view-day"' in body
    assert body.count(" is-selected") == 1
    assert f'href="/diary/{a.student.pk}/?date={MONDAY}&amp;view=day"' in body  # the day before
    assert f'href="/diary/{a.student.pk}/?date={tuesday + dt.timedelta(days=1)}&amp;view=day"' in body
    assert 'aria-current="date"' in body
    # The switch back to the whole week keeps the day.
    assert f'href="/diary/{a.student.pk}/?date={tuesday}&amp;view=week"' in body


def test_without_a_choice_the_page_lets_the_screen_decide(world: World, en: Client) -> None:
    a = world.a
    response = _week(en, a.student, a.student.pk, f"?week={MONDAY}")
    assert response.context["view"] == "auto"
    assert 'class="week diary-week diary-view-auto"' in response.content.decode()
    # An unknown view is no view.
    assert _week(en, a.student, a.student.pk, f"?week={MONDAY}&view=month").context["view"] == "auto"


def test_on_a_sunday_the_page_opens_at_the_next_school_day(
    world: World, en: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: MONDAY - dt.timedelta(days=1))
    a = world.a
    response = _week(en, a.parent, a.student.pk, "")
    assert response.context["diary"].monday == MONDAY
    assert response.context["view_day"].date == MONDAY  # a.lesson is that Monday


def test_a_bad_date_falls_back_to_this_week_with_a_notice(world: World, en: Client) -> None:
    response = _week(en, world.a.parent, world.a.student.pk, "?date=07.09.2026&view=day")
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()


def test_remarks_show_at_their_lesson_in_the_week_and_the_day(world: World, en: Client) -> None:
    a = world.a
    at_lesson: dict[str, Any] = {"lesson_id": a.lesson.pk, "student_id": a.student.pk}
    services.remark_create(a.subject_teacher, **at_lesson, kind="praise", text="Отличный ответ")
    withdrawn = services.remark_create(a.subject_teacher, **at_lesson, kind="remark", text="Нет учебника")
    services.remark_withdraw(a.subject_teacher, withdrawn.pk)
    # The classmate's remark is theirs only.
    classmates: dict[str, Any] = {"lesson_id": a.lesson.pk, "student_id": a.classmate.pk}
    services.remark_create(a.subject_teacher, **classmates, kind="remark", text="Опоздал")
    for query in (f"?week={MONDAY}", f"?date={MONDAY}&view=day"):
        response = _week(en, a.parent, a.student.pk, query)
        items = [item for day in response.context["diary"].days for item in day.lessons]
        lesson = next(item for item in items if item.lesson.id == a.lesson.pk)
        assert [(r.kind, r.text) for r in lesson.remarks] == [("praise", "Отличный ответ")]
        body = response.content.decode()
        assert "Отличный ответ" in body and "Нет учебника" not in body and "Опоздал" not in body
    assert _week(en, a.classmate_parent, a.student.pk, f"?week={MONDAY}").status_code == 404
    assert _week(en, world.b.parent, a.student.pk, f"?date={MONDAY}&view=day").status_code == 404


def test_the_diary_api_gives_the_remarks_at_their_lesson(world: World, client: Client) -> None:
    a = world.a
    services.remark_create(
        a.subject_teacher, lesson_id=a.lesson.pk, student_id=a.student.pk, kind="remark", text="Забыл тетрадь"
    )
    client.force_login(a.parent)
    days = client.get(
        f"/api/v1/students/{a.student.pk}/diary", {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}
    ).json()["days"]
    [remark] = days[0]["lessons"][0]["remarks"]
    assert (remark["kind"], remark["text"], remark["author"]) == (
        "remark",
        "Забыл тетрадь",
        a.subject_teacher.short_name,
    )


def test_the_day_view_stays_within_its_query_budget_however_many_remarks(
    world: World, en: Client, django_assert_max_num_queries: Any
) -> None:
    a = world.a
    lessons = week_of_lessons(a, per_day=6)
    for lesson in lessons:
        f.RemarkFactory.create(lesson=lesson, student=a.student)
        f.RemarkFactory.create(lesson=lesson, student=a.student, kind="praise", text="Молодец")
    en.force_login(a.parent)
    url = reverse("diary-week", args=[a.student.pk]) + f"?date={MONDAY}&view=day"
    with django_assert_max_num_queries(20) as captured:
        assert en.get(url).status_code == 200
    few_remarks = len(captured.captured_queries)
    for lesson in lessons:
        f.RemarkFactory.create(lesson=lesson, student=a.student)
    with django_assert_max_num_queries(few_remarks):
        assert en.get(url).status_code == 200
