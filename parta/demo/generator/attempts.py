"""Tests and attempts for the benchmark: a class of a whole city taking a test at once.

Made through the library's and the assessment app's services (a test is authored and published;
an attempt is started and answered as a student's browser would), so the benchmark's rows are
the rows production writes. Kept between runs: a city's tests and attempts are found again by
their titles and made only where missing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count

from parta.accounts.models import User
from parta.assessment import definition, questions
from parta.assessment.models import Answer, Attempt
from parta.assessment.services import answer_save, attempt_start
from parta.library.models import Material, Visibility
from parta.library.services.authoring import MaterialData, material_create
from parta.library.services.moderation import material_publish, material_submit

ANSWERS_TITLE = "Нагрузочный тест: ответы"
SUBMITS_TITLE = "Нагрузочный тест: сдача"


def _options(*texts: str) -> list[dict[str, str]]:
    return [{"id": chr(ord("a") + n), "text": text} for n, text in enumerate(texts)]


def bench_questions() -> list[dict[str, Any]]:
    """Ten questions of the automatic types, as a mathematics teacher would write them."""
    return [
        {
            "id": "q1",
            "type": "single",
            "text": "7 · 8 = ?",
            "options": _options("54", "56", "58"),
            "correct": "b",
        },
        {
            "id": "q2",
            "type": "multiple",
            "text": "Какие числа делятся на 3?",
            "options": _options("12", "14", "21", "25"),
            "correct": ["a", "c"],
        },
        {"id": "q3", "type": "true_false", "text": "0 · 5 = 5", "correct": False},
        {
            "id": "q4",
            "type": "numeric",
            "text": "{a} · {b} = ?",
            "params": {"a": {"min": 2, "max": 9}, "b": {"min": 2, "max": 9}},
            "answer": "a*b",
        },
        {
            "id": "q5",
            "type": "short_text",
            "text": "Как называется результат умножения?",
            "variants": ["произведение"],
        },
        {
            "id": "q6",
            "type": "ordering",
            "text": "Расположите по возрастанию.",
            "items": _options("3 · 4", "4 · 4", "3 · 6", "4 · 5"),
        },
        {
            "id": "q7",
            "type": "matching",
            "text": "Сопоставьте.",
            "left": [{"id": "l1", "text": "2 · 6"}, {"id": "l2", "text": "3 · 5"}],
            "right": [{"id": "r1", "text": "12"}, {"id": "r2", "text": "15"}, {"id": "r3", "text": "18"}],
            "pairs": {"l1": "r1", "l2": "r2"},
        },
        {
            "id": "q8",
            "type": "blanks",
            "text": "6 · 7 = [[1]], 9 · 9 = [[2]]",
            "gaps": {"1": {"variants": ["42"]}, "2": {"variants": ["81"]}},
        },
        {
            "id": "q9",
            "type": "single",
            "text": "9 · 6 = ?",
            "options": _options("54", "56", "64"),
            "correct": "a",
        },
        {
            "id": "q10",
            "type": "numeric",
            "text": "{a} · 11 = ?",
            "params": {"a": {"min": 11, "max": 99}},
            "answer": "a*11",
        },
    ]


def bench_test(title: str, author: User, methodologist: User) -> Material:
    """The city's published training test of that title, made once (by ``author``)."""
    found = Material.objects.filter(title=title).first()
    if found is not None:
        return found
    content = {
        "test": {
            "mode": "training",
            "sections": [{"title": "Таблица умножения", "questions": bench_questions()}],
        }
    }
    material = material_create(author, kind="test", data=MaterialData(title=title, content=content))
    material_submit(author, material.pk, visibility=Visibility.CITY)
    return material_publish(methodologist, material.pk)


# A wrong response per type, as a student in a hurry gives it.
WRONG: dict[str, Callable[[dict[str, Any], random.Random], dict[str, Any]]] = {
    "single": lambda q, rng: {"option": rng.choice([o["id"] for o in q["options"]])},
    "multiple": lambda q, _rng: {"options": [q["options"][-1]["id"]]},
    "true_false": lambda q, _rng: {"value": not q["correct"]},
    "numeric": lambda _q, rng: {"value": str(rng.randint(1, 100))},
    "short_text": lambda _q, _rng: {"text": "сумма"},
    "ordering": lambda q, _rng: {"order": [item["id"] for item in reversed(q["items"])]},
    "matching": lambda q, _rng: {"pairs": {q["left"][0]["id"]: q["right"][-1]["id"]}},
    "blanks": lambda q, _rng: {"gaps": dict.fromkeys(q["gaps"], "—")},
}


def responses(question: dict[str, Any], seed: int, rng: random.Random) -> dict[str, Any]:
    """A response a student might give: right two times in three, else a wrong one."""
    right = questions.feedback(question, seed)["answer"]
    if right is None or rng.random() < 2 / 3:
        return dict(right or {"text": "—"})
    return WRONG[question["type"]](question, rng)


def reopen(material: Material) -> int:
    """The benchmark's submitted attempts at the test put back in progress, to be submitted again
    (the benchmark's own rows; the same statement runs before each run of test_submits)."""
    return Attempt.objects.filter(material=material).update(
        state=Attempt.State.IN_PROGRESS, submitted_at=None, results_at=None, points=None, waiting=0
    )


def open_attempts(material: Material, students: Iterable[User]) -> dict[int, Attempt]:
    """Each student's attempt in progress at the test (started where missing), by student id."""
    students = list(students)
    attempts = {
        a.student_id: a
        for a in Attempt.objects.filter(
            material=material, state=Attempt.State.IN_PROGRESS, student_id__in=[s.pk for s in students]
        ).select_related("version")
    }
    for student in students:
        if student.pk not in attempts:
            attempts[student.pk] = attempt_start(student, material.pk).attempt
    return attempts


def answer_all(attempts: Iterable[Attempt], students: dict[int, User], rng: random.Random) -> int:
    """Every question of the attempts that has no answer yet, answered; how many were saved."""
    attempts = list(attempts)
    answered = dict(
        Answer.objects.filter(attempt__in=attempts)
        .values("attempt_id")
        .annotate(n=Count("pk"))
        .values_list("attempt_id", "n")
    )
    saved = 0
    for attempt in attempts:
        if answered.get(attempt.pk, 0) == len(attempt.questions):
            continue
        test = attempt.version.content[definition.KEY]
        by_id = definition.questions_of(test, attempt.questions)
        for question_id in attempt.questions:
            answer_save(
                students[attempt.student_id],
                attempt.pk,
                question_id,
                responses(by_id[question_id], attempt.seed, rng),
            )
            saved += 1
    return saved
