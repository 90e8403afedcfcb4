"""The demo school's tests: five tests of the fifth grade written by its teachers, given as homework
to the demo student's class, taken by its students, the open answers checked and marks put into the
journal — and one more test due at the next lesson, for the demo student to take.

Made through the services (the library authors and publishes, the homework app sets homework, the
assessment app starts, answers and submits attempts, the teacher checks), then dated back to the
days they would have happened on: the services stamp rows with the time they run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from parta.accounts.models import User
from parta.assessment import questions
from parta.assessment.models import Answer, Attempt, Statement
from parta.assessment.services import answer_grade, answer_save, attempt_start, attempt_submit
from parta.homework import marking
from parta.homework.models import HomeworkCompletion, WorkEvent
from parta.homework.selectors_work import homework_students
from parta.homework.services import homework_set
from parta.library.models import Material, Visibility
from parta.library.services.authoring import MaterialData, material_create
from parta.library.services.moderation import material_publish, material_submit
from parta.schools.models import Enrolment, School, SubgroupMembership, Subject
from parta.timetable.models import Lesson


def _options(*texts: str) -> list[dict[str, str]]:
    return [{"id": chr(ord("a") + n), "text": text} for n, text in enumerate(texts)]


@dataclass(frozen=True)
class SchoolTest:
    subject: str
    title: str
    description: str
    questions: list[dict[str, Any]]


TESTS = (
    SchoolTest(
        "math",
        "Обыкновенные дроби",
        "Проверочная работа по теме «Обыкновенные дроби», 5 класс.",
        [
            {
                "id": "q1",
                "type": "single",
                "text": "Какая дробь больше: $\\frac{3}{4}$ или $\\frac{2}{3}$?",
                "options": _options("$\\frac{3}{4}$", "$\\frac{2}{3}$", "Они равны"),
                "correct": "a",
                "explanation": "$\\frac{3}{4} = \\frac{9}{12}$, $\\frac{2}{3} = \\frac{8}{12}$.",
            },
            {
                "id": "q2",
                "type": "numeric",
                "text": "Найдите $\\frac{1}{4}$ от числа {n}.",
                "points": 2,
                "params": {"n": {"min": 8, "max": 96, "step": 4}},
                "answer": "n/4",
                "explanation": "Чтобы найти часть от числа, число делят на знаменатель.",
            },
            {
                "id": "q3",
                "type": "multiple",
                "text": "Какие дроби равны $\\frac{1}{2}$?",
                "options": _options("$\\frac{2}{4}$", "$\\frac{3}{5}$", "$\\frac{5}{10}$", "$\\frac{4}{6}$"),
                "correct": ["a", "c"],
            },
            {
                "id": "q4",
                "type": "ordering",
                "text": "Расположите дроби в порядке возрастания.",
                "items": [
                    {"id": "i1", "text": "$\\frac{1}{8}$"},
                    {"id": "i2", "text": "$\\frac{1}{4}$"},
                    {"id": "i3", "text": "$\\frac{1}{2}$"},
                    {"id": "i4", "text": "$\\frac{7}{8}$"},
                ],
            },
            {
                "id": "q5",
                "type": "open",
                "text": (
                    "Торт разрезали на 8 равных частей, съели 3. Какая часть торта осталась? "
                    "Запишите решение."
                ),
                "points": 2,
            },
        ],
    ),
    SchoolTest(
        "russian",
        "Правописание приставок",
        "Приставки на з/с и неизменяемые приставки.",
        [
            {
                "id": "q1",
                "type": "blanks",
                "text": "Ра[[1]]сказать, бе[[2]]шумный, [[3]]делать.",
                "points": 3,
                "gaps": {
                    "1": {"options": _options("з", "с"), "correct": "b"},
                    "2": {"options": _options("з", "с"), "correct": "a"},
                    "3": {"options": _options("з", "с"), "correct": "b"},
                },
                "explanation": (
                    "Перед звонкой согласной пишется з, перед глухой — с; приставка с- не меняется."
                ),
            },
            {
                "id": "q2",
                "type": "single",
                "text": "В каком слове пишется приставка бес-?",
                "options": _options("бе..вкусный", "бе..полезный", "бе..голосый"),
                "correct": "b",
            },
            {
                "id": "q3",
                "type": "true_false",
                "text": "Приставка с- пишется одинаково во всех словах: сделать, сбить, сжечь.",
                "correct": True,
            },
            {
                "id": "q4",
                "type": "short_text",
                "text": "Вставьте пропущенную букву и напишите слово целиком: «во..ход».",
                "variants": ["восход"],
            },
        ],
    ),
    SchoolTest(
        "english",
        "The verb to be",
        "Present Simple of the verb to be: am, is, are.",
        [
            {
                "id": "q1",
                "type": "blanks",
                "text": "I [[1]] a pupil. My sister [[2]] ten. We [[3]] friends.",
                "points": 3,
                "gaps": {"1": {"variants": ["am"]}, "2": {"variants": ["is"]}, "3": {"variants": ["are"]}},
            },
            {
                "id": "q2",
                "type": "matching",
                "text": "Соедините местоимение и форму глагола.",
                "points": 2,
                "left": [{"id": "l1", "text": "he"}, {"id": "l2", "text": "they"}, {"id": "l3", "text": "I"}],
                "right": [
                    {"id": "r1", "text": "is"},
                    {"id": "r2", "text": "are"},
                    {"id": "r3", "text": "am"},
                ],
                "pairs": {"l1": "r1", "l2": "r2", "l3": "r3"},
            },
            {
                "id": "q3",
                "type": "single",
                "text": "Choose the right question: ___ you from Moscow?",
                "options": _options("Is", "Are", "Am"),
                "correct": "b",
            },
        ],
    ),
    SchoolTest(
        "history",
        "Древний Египет",
        "Природа, хозяйство и верования древних египтян.",
        [
            {
                "id": "q1",
                "type": "single",
                "text": "Какая река давала жизнь Древнему Египту?",
                "options": _options("Тигр", "Нил", "Евфрат", "Инд"),
                "correct": "b",
            },
            {
                "id": "q2",
                "type": "matching",
                "text": "Соедините понятие и его значение.",
                "points": 2,
                "left": [{"id": "l1", "text": "Фараон"}, {"id": "l2", "text": "Папирус"}],
                "right": [
                    {"id": "r1", "text": "Правитель Египта"},
                    {"id": "r2", "text": "Материал для письма"},
                    {"id": "r3", "text": "Храм"},
                ],
                "pairs": {"l1": "r1", "l2": "r2"},
            },
            {
                "id": "q3",
                "type": "open",
                "text": "Почему разливы Нила называли «даром богов»?",
                "points": 2,
            },
        ],
    ),
    SchoolTest(
        "biology",
        "Строение клетки",
        "Части клетки и их назначение.",
        [
            {
                "id": "q1",
                "type": "multiple",
                "text": "Что есть в клетке растения?",
                "options": _options("Ядро", "Хлоропласты", "Клеточная стенка", "Перья"),
                "correct": ["a", "b", "c"],
            },
            {
                "id": "q2",
                "type": "true_false",
                "text": "Клетку можно рассмотреть под микроскопом.",
                "correct": True,
            },
            {
                "id": "q3",
                "type": "short_text",
                "text": "Как называется зелёный пигмент растений?",
                "variants": ["хлорофилл"],
                "explanation": "Хлорофилл находится в хлоропластах.",
            },
        ],
    ),
)
# The test due at the class's next lesson of the subject: the demo student takes it themselves.
NEXT_TEST = 0


def _material(test: SchoolTest, author: User, subject: Subject, methodologist: User) -> Material:
    content = {"test": {"mode": "training", "sections": [{"title": "", "questions": test.questions}]}}
    data = MaterialData(
        title=test.title, description=test.description, subject_ids=[subject.pk], grades=[5], content=content
    )
    material = material_create(author, kind="test", data=data)
    material_submit(author, material.pk, visibility=Visibility.CITY)
    material_publish(methodologist, material.pk)
    return Material.objects.get(pk=material.pk)


def _response(question: dict[str, Any], seed: int, rng: random.Random, skill: float) -> dict[str, Any] | None:
    """What a student of this skill answers: the right answer mostly, a slip sometimes."""
    if question["type"] == "open":
        return {
            "text": rng.choice(
                ("Осталось 5/8 торта: 8 − 3 = 5.", "Потому что вода приносила ил.", "Не знаю.")
            )
        }
    right: dict[str, Any] = questions.feedback(question, seed)["answer"]
    if rng.random() < skill:
        return right
    if question["type"] in ("single", "true_false"):
        return {"option": "c"} if question["type"] == "single" else {"value": not right["value"]}
    return None


def _dated(attempt: Attempt, when: dt.datetime) -> None:
    """The attempt's rows moved back to the evening it was done on."""
    shift = when - attempt.started_at
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=when, submitted_at=attempt.submitted_at + shift if attempt.submitted_at else None,
        results_at=attempt.results_at + shift if attempt.results_at else None,
    )  # fmt: skip
    Answer.objects.filter(attempt=attempt).update(saved_at=F("saved_at") + shift)
    Statement.objects.filter(attempt=attempt).update(timestamp=F("timestamp") + shift)


def school_tests_generate(
    *, school: School, student: User, methodologist: User, today: dt.date, seed: int
) -> dict[str, int]:
    """The demo's tests, homework with them, attempts and checks; the counts made."""
    rng = random.Random(f"{seed}:tests")
    group_id = Enrolment.objects.filter(student=student).values_list("class_group_id", flat=True).first()
    counts = {"tests": 0, "test attempts": 0}
    if group_id is None:
        return counts
    # The lessons the demo student attends: the whole class's and their own subgroups'.
    subgroups = SubgroupMembership.objects.filter(student=student).values("subgroup_id")
    lessons = Lesson.objects.filter(
        Q(subgroup__isnull=True) | Q(subgroup_id__in=subgroups),
        class_group_id=group_id,
        status=Lesson.Status.SCHEDULED,
    ).select_related("subject")
    for index, test in enumerate(TESTS):
        mine = lessons.filter(subject__code=test.subject)
        if index == NEXT_TEST:
            lesson = mine.filter(date__lte=today).order_by("-date", "-number").first()
        else:
            lesson = mine.filter(date__lt=today - dt.timedelta(days=7 + 3 * index)).order_by("-date").first()
        if lesson is None or lesson.teacher_id is None:
            continue
        teacher = User.objects.get(pk=lesson.teacher_id)
        material = _material(test, teacher, lesson.subject, methodologist)
        counts["tests"] += 1
        homework = homework_set(
            teacher,
            lesson_id=lesson.pk,
            text=f"Пройдите тест «{test.title}» в Парте.",
            materials=[material.pk],
            minutes=rng.choice((15, 20, 25)),
        )
        if index == NEXT_TEST:
            continue
        counts["test attempts"] += _taken(homework, material, teacher, rng, today)
    return counts


def _taken(homework: Any, material: Material, teacher: User, rng: random.Random, today: dt.date) -> int:
    """Most of the class takes the test the evening after the lesson; the teacher checks the open
    answers and puts marks for about half of them."""
    made = 0
    evening = timezone.make_aware(dt.datetime.combine(homework.lesson.date, dt.time(18)))
    students = {row["student_id"] for row in homework_students(homework)}
    for student in User.objects.filter(pk__in=students).order_by("pk"):
        if rng.random() < 0.15:
            continue
        skill = rng.uniform(0.45, 0.95)
        attempt = attempt_start(student, material.pk, homework_id=homework.pk).attempt
        by_id = {q["id"]: q for q in attempt.version.content["test"]["sections"][0]["questions"]}
        for question_id in attempt.questions:
            response = _response(by_id[question_id], attempt.seed, rng, skill)
            if response is not None:
                answer_save(student, attempt.pk, question_id, response)
        attempt = attempt_submit(student, attempt.pk)
        for answer in Answer.objects.filter(attempt=attempt, points__isnull=True):
            most = int(by_id[answer.question_id].get("points", 1))
            answer_grade(
                teacher,
                answer.pk,
                str(rng.randint(0, most)),
                rng.choice(("", "Хорошо.", "Поясните подробнее.")),
            )
        attempt.refresh_from_db()
        if rng.random() < 0.5 and attempt.max_points:
            share = float(attempt.points or 0) / attempt.max_points
            marking.work_mark(
                teacher, homework.pk, student.pk, 5 if share > 0.85 else 4 if share > 0.65 else 3
            )
        when = evening + dt.timedelta(minutes=rng.randint(0, 180))
        _dated(attempt, when)
        HomeworkCompletion.objects.filter(homework=homework, student=student).update(
            done_at=when, updated_at=when
        )
        WorkEvent.objects.filter(work__homework=homework, work__student=student).update(at=when)
        made += 1
    return made
