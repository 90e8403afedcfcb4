"""What a lesson leaves besides marks and attendance: homework (due at the course's next lesson)
with its ticks, and now and then a teacher's remark or praise about a student who was there."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection

from parta.demo.generator.courses import Course, SchoolData, aware, db_day, insert_rows
from parta.homework.models import Homework, HomeworkCompletion
from parta.journal.models import Remark

REMARK_FIELDS = ("school", "lesson", "student", "subject", "date", "kind", "text", "created_by", "created_at")
REMARK_CHANCE = 0.04  # of a lesson getting one
_REMARKS = (
    "Не выполнил(а) домашнее задание",
    "Нет тетради и учебника",
    "Отвлекался(-ась) и мешал(а) работать классу",
    "Не готов(а) к уроку",
    "Не сдал(а) работу вовремя",
)
_PRAISE = (
    "Активно работал(а) на уроке",
    "Отличный ответ у доски",
    "Помог(ла) однокласснику разобраться в теме",
    "Аккуратная и полная работа",
    "Нашёл (нашла) оригинальное решение",
)
# The share of lessons that set homework; other subjects set it on 85 % of lessons.
_HOMEWORK_RATE = {
    "pe": 0.03,
    "music": 0.15,
    "art": 0.25,
    "technology": 0.2,
    "obzr": 0.5,
    "informatics": 0.6,
    "probability": 0.7,
}
_HOMEWORK_DEFAULT_RATE = 0.85

# Homework as Russian teachers write it. Fields: p (paragraph), n, n1, n2 (exercises),
# page, page2, q (questions). Data that families read, not interface text.
HOMEWORK_TEXTS: dict[str, tuple[str, ...]] = {
    "russian": (
        "§{p}, упр. {n}–{n2}",
        "Упр. {n}; выучить правило на с. {page}",
        "§{p}, упр. {n}, словарные слова выписать в тетрадь",
        "Повторить §{p}, упр. {n1}",
    ),
    "reading": (
        "Читать с. {page}–{page2}, ответить на вопросы",
        "Выразительное чтение с. {page}",
        "Выучить стихотворение наизусть (с. {page})",
    ),
    "literature": (
        "Прочитать с. {page}–{page2} учебника, ответить на вопросы 1–{q}",
        "Выучить отрывок наизусть (с. {page})",
        "Письменно ответить на вопрос {q} на с. {page}",
        "Подготовить пересказ с. {page}–{page2}",
    ),
    "english": (
        "Student's Book с. {page}, упр. {n}; выучить новые слова",
        "Workbook с. {page}, упр. {n}–{n2}",
        "Выучить слова модуля {p}, упр. {n} письменно",
    ),
    "math": ("№ {n}, {n1}, {n2}", "С. {page}, № {n} и {n1}", "§{p}, № {n}–{n2}"),
    "algebra": ("§{p}, № {n}, {n1}, {n2}", "№ {n}–{n2} (чётные)", "Повторить §{p}, решить № {n}"),
    "geometry": ("П. {p}, задачи {n}, {n1}", "Выучить теорему п. {p}, № {n}", "№ {n}, {n1}; вопросы к главе"),
    "probability": ("П. {p}, задачи {n}–{n2}", "С. {page}, № {n}"),
    "informatics": ("§{p}, вопросы 1–{q}", "§{p}, задание {n} в рабочей тетради"),
    "history": (
        "§{p}, вопросы 1–{q} после параграфа",
        "§{p}, выучить даты",
        "§{p}, заполнить таблицу в тетради",
    ),
    "social": ("§{p}, вопросы в рубрике «Проверим себя»", "§{p}, задания {q} и {n}"),
    "geography": ("§{p}, задание на контурной карте", "§{p}, вопросы 1–{q}"),
    "world": (
        "Учебник с. {page}–{page2}, рабочая тетрадь с. {page}",
        "С. {page}, ответить на вопросы «Проверь себя»",
    ),
    "physics": (
        "§{p}, упр. {n} (1–3)",
        "§{p}, задачи {n}, {n1} из сборника",
        "§{p}, подготовиться к лабораторной работе",
    ),
    "chemistry": ("§{p}, вопросы 1–{q}, задача {n}", "§{p}, уравнения реакций в тетради"),
    "biology": ("§{p}, вопросы после параграфа", "§{p}, зарисовать схему в тетради"),
    "music": ("Послушать произведение, о котором говорили на уроке", "Выучить слова песни"),
    "art": ("Закончить рисунок", "Принести акварель и альбом"),
    "technology": ("Закончить изделие", "Принести материалы к следующему уроку"),
    "pe": ("Комплекс утренней зарядки, 10 минут каждый день",),
    "obzr": ("§{p}, вопросы 1–{q}", "§{p}, подготовить сообщение"),
}
_HOMEWORK_GENERIC = ("§{p}, вопросы 1–{q}",)
_TOPIC_REVIEW = "Повторить тему «{topic}»; {rest}"


def remarks_generate(
    data: SchoolData, courses: Sequence[Course], absent: Collection[tuple[int, dt.date]]
) -> None:
    """Now and then a teacher writes a word about a student who was there."""
    rows = []
    for course in courses:
        for lesson, date, teacher, _topic in course.lessons:
            if date >= data.today or data.rng.random() >= REMARK_CHANCE:
                continue
            present = [s for s in course.members if (s, date) not in absent]
            if not present:
                continue
            student = data.rng.choice(present)
            praise = data.rng.random() < 0.3 + 0.6 * data.ability[student]
            kind, texts = (Remark.Kind.PRAISE, _PRAISE) if praise else (Remark.Kind.REMARK, _REMARKS)
            written = aware(date, 15, data.rng.randrange(60))
            rows.append(
                (
                    data.school.pk,
                    lesson,
                    student,
                    course.subject,
                    db_day(date),
                    kind.value,
                    data.rng.choice(texts),
                    teacher,
                    connection.ops.adapt_datetimefield_value(written),
                )
            )
    insert_rows(Remark, REMARK_FIELDS, rows)
    data.counts["remarks"] += len(rows)


HOMEWORK_FIELDS = (
    "school",
    "lesson",
    "class_group",
    "subgroup",
    "subject",
    "text",
    "due_on",
    "due_lesson",
    "minutes",
    "chosen",
    "created_by",
    "created_at",
    "updated_at",
)
WORK_FIELDS = (
    "school",
    "homework",
    "student",
    "status",
    "text",
    "done_at",
    "comment",
    "checked_by",
    "checked_at",
    "updated_at",
)
# What a teacher writes when returning homework for rework, and sometimes when checking it.
_RETURN_COMMENTS = (
    "Перепишите аккуратно и исправьте ошибки.",
    "Не хватает решения второй задачи.",
    "Проверьте вычисления в № 3.",
)
_CHECK_COMMENTS = ("Молодец!", "Хорошо, но есть недочёты.", "Верно.", "")


def homework_generate(data: SchoolData, group_id: int, courses: Sequence[Course]) -> None:
    """Homework on most lessons, due at the course's next lesson on a later day, and the students'
    work on it: handed in, some of it checked or returned by the teacher."""
    rng, today, school, now = data.rng, data.today, data.school.pk, data.now
    rows: list[tuple[Any, ...]] = []
    # (lesson, due on, the course's members, teacher) of each homework, to tick it once it has an id.
    made: list[tuple[int, dt.date, list[int], int]] = []
    for course in courses:
        rate = _HOMEWORK_RATE.get(course.code, _HOMEWORK_DEFAULT_RATE)
        templates = HOMEWORK_TEXTS.get(course.code, _HOMEWORK_GENERIC)
        state = {"p": rng.randint(1, 4), "n": rng.randint(1, 30), "page": rng.randint(4, 12)}
        for index, (pk, date, teacher, topic) in enumerate(course.lessons):
            if date >= today:
                break
            if rng.random() >= rate:
                continue
            due_on, due_lesson = course.due(index)
            text = _homework_text(rng, templates, state)
            if topic is not None and topic in data.topics and rng.random() < 0.2:
                text = _TOPIC_REVIEW.format(topic=data.topics[topic], rest=text[0].lower() + text[1:])
            rows.append(
                (
                    school,
                    pk,
                    group_id,
                    course.subgroup,
                    course.subject,
                    text,
                    db_day(due_on),
                    due_lesson,
                    rng.choice((None, 15, 20, 30, 40)),
                    False,
                    teacher,
                    now,
                    now,
                )
            )
            made.append((pk, due_on, course.members, teacher))
    insert_rows(Homework, HOMEWORK_FIELDS, rows)
    data.counts["homework"] += len(rows)
    ids = dict(
        Homework.objects.filter(class_group_id=group_id, lesson_id__in=[m[0] for m in made]).values_list(
            "lesson_id", "pk"
        )
    )
    # Handed in (a tick); once due, a teacher checks some of it and returns a little for rework.
    works: list[tuple[Any, ...]] = []
    for lesson, due_on, members, teacher in made:
        past = due_on < today
        for student in members:
            chance = 0.6 + 0.35 * data.ability[student] if past else 0.25
            if rng.random() >= chance:
                continue
            status, comment, checked_by, checked_at = "handed_in", "", None, None
            luck = rng.random()
            if past and luck < 0.03:
                status, comment, checked_by, checked_at = (
                    "returned",
                    rng.choice(_RETURN_COMMENTS),
                    teacher,
                    now,
                )
            elif past and luck < 0.35:
                status, comment, checked_by, checked_at = "checked", rng.choice(_CHECK_COMMENTS), teacher, now
            works.append(
                (school, ids[lesson], student, status, "", now, comment, checked_by, checked_at, now)
            )
    insert_rows(HomeworkCompletion, WORK_FIELDS, works)
    data.counts["homework done"] += len(works)


def _homework_text(rng: random.Random, templates: Sequence[str], state: dict[str, int]) -> str:
    p, n, page = state["p"], state["n"], state["page"]
    text = rng.choice(templates).format(
        p=p,
        n=n,
        n1=n + rng.randint(1, 3),
        n2=n + rng.randint(3, 6),
        page=page,
        page2=page + rng.randint(2, 5),
        q=rng.randint(3, 6),
    )
    state["p"] = p + rng.choice((0, 1, 1))
    state["n"] = n + rng.randint(4, 9)
    state["page"] = page + rng.randint(3, 8)
    return text
