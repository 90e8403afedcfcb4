"""A test's statistics in a browser: the demo teacher's test given as homework to a class that
took it, the teacher's page with the score chart and the questions' figures; at a desk in
Russian and on a phone (390 px) in English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in, switch_to_english

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DRAWN = "window.Chart !== undefined && window.Chart.getChart('score-chart') !== undefined"

# A test of five kinds of question by the demo teacher, given as homework at their next lesson;
# every student of the class takes it once, through the services, with answers drawn at random
# (the better students are right more often) and the time on each question moved into the past.
TAKE = """
import datetime as dt, json, random
from django.utils import timezone
from parta.accounts.models import User
from parta.assessment import services
from parta.assessment.models import Statement
from parta.homework.services import homework_set
from parta.library.services.authoring import MaterialData, material_create
from parta.schools.models import Enrolment
from parta.timetable.models import Lesson
teacher = User.objects.get(username="teacher")
today = timezone.localdate()
lessons = Lesson.objects.filter(teacher=teacher, date__gte=today, subgroup__isnull=True)
lesson = lessons.exclude(status="cancelled").order_by("date", "number").first()
options = [{"id": "a", "text": "12"}, {"id": "b", "text": "14"}, {"id": "c", "text": "16"}]
questions = [
    {"id": "q1", "type": "single", "text": "7 · 2 = ?", "options": options, "correct": "b"},
    {"id": "q2", "type": "multiple", "text": "Чётные числа?", "points": 2,
     "options": [{"id": "a", "text": "4"}, {"id": "b", "text": "7"}, {"id": "c", "text": "10"}],
     "correct": ["a", "c"]},
    {"id": "q3", "type": "numeric", "text": "48 : 6 = ?", "answer": "8", "points": 2},
    {"id": "q4", "type": "short_text", "text": "Как называется результат умножения?",
     "variants": ["произведение"]},
    {"id": "q5", "type": "matching", "text": "Сопоставьте", "points": 2,
     "left": [{"id": "l1", "text": "3 · 3"}, {"id": "l2", "text": "2 · 5"}],
     "right": [{"id": "r1", "text": "9"}, {"id": "r2", "text": "10"}, {"id": "r3", "text": "6"}],
     "pairs": {"l1": "r1", "l2": "r2"}},
    {"id": "q6", "type": "open", "text": "Объясните, почему 0 · 5 = 0.", "points": 3},
]
content = {"test": {"mode": "control", "results": "on_submit",
                    "sections": [{"title": "Умножение и деление", "questions": questions}]}}
test = material_create(teacher, kind="test", data=MaterialData(title="Умножение и деление", content=content))
homework = homework_set(teacher, lesson_id=lesson.pk, text="Пройдите тест.",
                        due_on=lesson.date + dt.timedelta(days=7), materials=[test.pk])
rng = random.Random(7)
right = {"q1": {"option": "b"}, "q2": {"options": ["a", "c"]}, "q3": {"value": "8"},
         "q4": {"text": "произведение"}, "q5": {"pairs": {"l1": "r1", "l2": "r2"}}}
wrong = {"q1": [{"option": "a"}, {"option": "c"}, {"option": "a"}],
         "q2": [{"options": ["a"]}, {"options": ["a", "b"]}],
         "q3": [{"value": "7"}, {"value": "9"}, {"value": "8,5"}],
         "q4": [{"text": "сумма"}, {"text": "частное"}],
         "q5": [{"pairs": {"l1": "r3", "l2": "r2"}}, {"pairs": {"l1": "r2", "l2": "r1"}}]}
enrolled = Enrolment.objects.filter(class_group_id=lesson.class_group_id).values("student_id")
students = User.objects.filter(pk__in=enrolled)
for student in students.order_by("pk"):
    skill = rng.random()
    attempt = services.attempt_start(student, test.pk, homework_id=homework.pk).attempt
    for qid in ["q1", "q2", "q3", "q4", "q5", "q6"]:
        services.attempt_viewed(student, attempt.pk, qid)
        if qid == "q6":
            if rng.random() < 0.7:
                essay = {"text": "Ноль раз по пять — ноль.", "files": []}
                services.answer_save(student, attempt.pk, qid, essay)
            continue
        response = right[qid] if rng.random() < 0.25 + 0.7 * skill else rng.choice(wrong[qid])
        services.answer_save(student, attempt.pk, qid, response)
    done = services.attempt_submit(student, attempt.pk)
    moment = done.submitted_at
    for qid in ["q6", "q5", "q4", "q3", "q2", "q1"]:
        moment -= dt.timedelta(seconds=rng.randint(8, 90))
        Statement.objects.filter(attempt=done, verb="viewed", question_id=qid).update(timestamp=moment)
print(json.dumps({"test": test.pk, "homework": homework.pk, "students": students.count()}))
"""


@pytest.fixture(scope="module")
def taken(
    tmp_path_factory: pytest.TempPathFactory, demo_school: Path
) -> Iterator[tuple[str, dict[str, Any]]]:
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("assessment-statistics")))
    ids = json.loads(manage(env, "shell", "-c", TAKE).strip().splitlines()[-1])
    with serving(env) as url:
        yield url, ids


def test_the_teacher_reads_the_statistics_of_the_homework(
    chromium: Any, taken: tuple[str, dict[str, Any]]
) -> None:
    url, ids = taken
    address = f"{url}/tests/{ids['test']}/statistics/?homework={ids['homework']}"
    # Without the chart's animation, so that the screenshots show it whole.
    desk = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="ru-RU", reduced_motion="reduce"
    )
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "teacher")
    page.wait_for_url(f"{url}/")
    page.goto(address)
    assert page.locator("h1").inner_text() == "Умножение и деление"
    # Chart.js drew the distribution, and the table lists every question.
    page.wait_for_function(DRAWN)
    rows = page.locator("section[aria-labelledby=questions-title] tbody tr")
    assert rows.count() == 6
    assert "× " in rows.nth(0).inner_text()  # the most common wrong answers, with counts
    assert str(ids["students"]) in page.locator(".stats").inner_text()
    screenshot(page, "assessment-statistics-desk-ru")
    desk.close()

    phone = chromium.new_context(viewport=PHONE, locale="en-US", reduced_motion="reduce")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "teacher")
    page.wait_for_url(f"{url}/")
    switch_to_english(page)
    page.goto(address)
    page.wait_for_function(DRAWN)
    assert page.locator("h2#questions-title").inner_text() == "Questions"
    screenshot(page, "assessment-statistics-phone-en")
    # Nobody else: a student gets the 404 page.
    student = chromium.new_context(viewport=PHONE, locale="ru-RU")
    other = student.new_page()
    log_in(other, url, "student")
    other.wait_for_url(f"{url}/")
    assert other.goto(address).status == 404
    phone.close()
    student.close()
