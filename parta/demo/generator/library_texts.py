"""Words of the generated library: titles, descriptions and texts composed from the city's topic
framework (topic and section titles, planned outcomes, in both languages) with templates of our
own, and exercises whose numbers are drawn and whose answers are computed. Nothing is copied
from a textbook. Shared by the demo's library (``library``) and the benchmark city's
(``library_city``).

The texts are data that teachers and students read in the demo, not interface strings: they are
written in the material's language, not translated by gettext.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

from parta.curriculum.models import Outcome, Topic


@dataclass(frozen=True)
class TopicInfo:
    """A framework topic with what the texts are made of."""

    pk: int
    subject_id: int
    subject_code: str
    grade: int
    section_ru: str
    section_en: str
    title_ru: str
    title_en: str
    outcomes_ru: tuple[str, ...]
    outcomes_en: tuple[str, ...]

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_ru

    def section(self, language: str) -> str:
        return self.section_en if language == "en" else self.section_ru

    def outcomes(self, language: str) -> tuple[str, ...]:
        return self.outcomes_en if language == "en" else self.outcomes_ru


def topics_load() -> list[TopicInfo]:
    """Every framework topic with its outcomes, in the framework's order (two queries)."""
    outcomes: dict[int, list[tuple[str, str]]] = {}
    for topic_id, text_ru, text_en in Outcome.objects.order_by("topic_id", "order").values_list(
        "topic_id", "text_ru", "text_en"
    ):
        outcomes.setdefault(topic_id, []).append((text_ru, text_en))
    rows = Topic.objects.order_by("subject_id", "grade", "section__order", "order").values_list(
        "pk",
        "subject_id",
        "subject__code",
        "grade",
        "section__title_ru",
        "section__title_en",
        "title_ru",
        "title_en",
    )
    return [
        TopicInfo(
            pk=pk,
            subject_id=subject_id,
            subject_code=code,
            grade=grade,
            section_ru=section_ru,
            section_en=section_en,
            title_ru=title_ru,
            title_en=title_en,
            outcomes_ru=tuple(o[0] for o in outcomes.get(pk, ())),
            outcomes_en=tuple(o[1] for o in outcomes.get(pk, ())),
        )
        for pk, subject_id, code, grade, section_ru, section_en, title_ru, title_en in rows
    ]


def language_of(subject_code: str) -> str:
    """English lessons get English materials; every other subject is taught in Russian."""
    return "en" if subject_code == "english" else "ru"


# --- titles --------------------------------------------------------------------------------------

# What a generated material is (its Kind, and for texts which sort of text), with title templates.
TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "explanation": {
        "ru": (
            "{topic}: объяснение",
            "Коротко о главном: {topic}",
            "{topic}. Опорный конспект",
            "Что нужно знать по теме «{topic}»",
            "Памятка: {topic}",
        ),
        "en": ("{topic}: the main ideas", "{topic}. Study notes", "A short guide: {topic}"),
    },
    "example": {
        "ru": ("Разбор примера: {topic}", "{topic} — решаем вместе", "Пошаговый пример. {topic}"),
        "en": ("Worked example: {topic}", "{topic}, step by step"),
    },
    "practice": {
        "ru": (
            "Тренажёр: {topic}",
            "Практикум по теме «{topic}»",
            "Задания для самостоятельной работы: {topic}",
            "Карточки-задания. {topic}",
        ),
        "en": ("Practice sheet: {topic}", "{topic}: exercises", "Let's practise: {topic}"),
    },
    "test": {
        "ru": ("Проверочная работа: {topic}", "Тест по теме «{topic}»", "Мини-тест. {topic}"),
        "en": ("Quick check: {topic}", "Test yourself: {topic}"),
    },
    "link": {
        "ru": ("{topic} в Википедии", "Справочные статьи: {topic}"),
        "en": ("{topic} on Wikipedia", "Read more: {topic}"),
    },
    "video": {
        "ru": ("Видео по теме «{topic}»", "Видеоподборка: {topic}"),
        "en": ("Videos: {topic}", "Watch and learn: {topic}"),
    },
    "image": {
        "ru": ("Схема к уроку: {topic}", "Наглядное пособие: {topic}", "Рисунок к теме «{topic}»"),
        "en": ("A diagram: {topic}", "Picture for the lesson: {topic}"),
    },
    "scenario": {
        "ru": (
            "Сценарий урока: {topic}",
            "Урок открытия нового знания. {topic}",
            "Урок-практикум «{topic}»",
            "Урок повторения: {topic}",
        ),
        "en": ("Lesson plan: {topic}", "A lesson on {topic}"),
    },
    "textbook": {
        "ru": (
            "Электронный учебник. {subject}, {grade} класс",
            "{subject}, {grade} класс: пособие по разделам",
        ),
        "en": ("E-textbook. {subject}, grade {grade}", "{subject}, grade {grade}: a course book"),
    },
}

_DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "explanation": {
        "ru": (
            "Краткое изложение темы для урока и для повторения дома.",
            "Основные понятия темы простым языком.",
        ),
        "en": ("The topic in brief, for the lesson and for revision at home.",),
    },
    "example": {
        "ru": ("Задача с подробным решением: как рассуждать и как записать ответ.",),
        "en": ("A task solved step by step, with the reasoning written out.",),
    },
    "practice": {
        "ru": (
            "Задания от простых к сложным, с ответами для самопроверки.",
            "Набор заданий для работы в классе.",
        ),
        "en": ("Exercises from easy to harder, with answers to check yourself.",),
    },
    "test": {
        "ru": ("Короткая проверка на 10–15 минут, ответы для учителя в конце.",),
        "en": ("A ten-minute check; the answers for the teacher are at the end.",),
    },
    "link": {
        "ru": ("Поиск статей по теме в открытой энциклопедии.",),
        "en": ("A search for articles on the topic in the open encyclopedia.",),
    },
    "video": {
        "ru": ("Поиск видеоуроков по теме на видеохостинге: выберите ролик до урока.",),
        "en": ("A search for video lessons on the topic: choose one before the lesson.",),
    },
    "image": {
        "ru": ("Рисунок для показа на доске или в тетради.",),
        "en": ("A picture to show on the board.",),
    },
    "scenario": {
        "ru": ("Ход урока: цель, объяснение, разбор, практика и проверка.",),
        "en": ("The course of a lesson: aim, explanation, practice and a check.",),
    },
    "textbook": {
        "ru": ("Главы по разделам программы, в каждой — объяснения, примеры и задания.",),
        "en": ("Chapters by the sections of the course, each with notes, examples and exercises.",),
    },
}


def title_make(rng: random.Random, sort: str, language: str, **words: str) -> str:
    return rng.choice(TITLES[sort][language]).format(**words)[:300]


def description_make(rng: random.Random, sort: str, language: str) -> str:
    return rng.choice(_DESCRIPTIONS[sort][language])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# --- exercises with computed answers -------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    task: str
    steps: tuple[str, ...]
    answer: str


def _signed(number: int) -> str:
    return f"+ {number}" if number >= 0 else f"− {-number}"


def _minus(number: int) -> str:
    return str(number).replace("-", "−")


def _arithmetic(rng: random.Random, grade: int, ru: bool) -> Exercise:
    a, b = rng.randint(12, 20 * grade + 30), rng.randint(3, 9 + grade)
    c = rng.randint(2, 9)
    product, result = b * c, a + b * c
    return Exercise(
        task=f"Вычислите: {a} + {b} · {c}." if ru else f"Work out {a} + {b} × {c}.",
        steps=(
            (f"Сначала умножение: {b} · {c} = {product}.", f"Затем сложение: {a} + {product} = {result}.")
            if ru
            else (f"Multiply first: {b} × {c} = {product}.", f"Then add: {a} + {product} = {result}.")
        ),
        answer=str(result),
    )


def _quadratic(rng: random.Random, grade: int, ru: bool) -> Exercise:
    r1, r2 = rng.randint(-7, 7), rng.randint(-7, 7)
    s, p = r1 + r2, r1 * r2
    low, high = sorted((r1, r2))
    return Exercise(
        task=f"Решите уравнение x² {_signed(-s)}x {_signed(p)} = 0.",
        steps=(
            f"По теореме Виета x₁ + x₂ = {_minus(s)}, x₁ · x₂ = {_minus(p)}.",
            f"Подбором находим корни: {_minus(low)} и {_minus(high)}.",
        ),
        answer=f"x₁ = {_minus(low)}, x₂ = {_minus(high)}" if low != high else f"x = {_minus(low)}",
    )


def _linear(rng: random.Random, grade: int, ru: bool) -> Exercise:
    x, a, b = rng.randint(-9, 12), rng.randint(2, 9), rng.randint(-20, 20)
    c = a * x + b
    return Exercise(
        task=f"Решите уравнение {a}x {_signed(b)} = {_minus(c)}.",
        steps=(
            f"Перенесём {_minus(b)} в правую часть с другим знаком: {a}x = {_minus(c - b)}.",
            f"Разделим обе части на {a}: x = {_minus(c - b)} : {a} = {_minus(x)}.",
            f"Проверка: {a} · ({_minus(x)}) {_signed(b)} = {_minus(c)}.",
        ),
        answer=f"x = {_minus(x)}",
    )


def _angles(rng: random.Random, grade: int, ru: bool) -> Exercise:
    first, second = rng.randint(25, 95), rng.randint(20, 60)
    third = 180 - first - second
    return Exercise(
        task=f"В треугольнике два угла равны {first}° и {second}°. Найдите третий угол.",
        steps=(
            "Сумма углов треугольника равна 180°.",
            f"Третий угол: 180° − {first}° − {second}° = {third}°.",
        ),
        answer=f"{third}°",
    )


def _speed(rng: random.Random, grade: int, ru: bool) -> Exercise:
    speed, hours = rng.choice((40, 50, 60, 72, 80, 90)), rng.randint(2, 5)
    distance = speed * hours
    return Exercise(
        task=f"Автобус проехал {distance} км за {hours} ч. С какой средней скоростью он ехал?",
        steps=("Средняя скорость: v = s / t.", f"v = {distance} км : {hours} ч = {speed} км/ч."),
        answer=f"{speed} км/ч",
    )


def _binary(rng: random.Random, grade: int, ru: bool) -> Exercise:
    number = rng.randint(9, 250)
    return Exercise(
        task=f"Запишите число {number} в двоичной системе счисления.",
        steps=(
            "Делим число на 2 и записываем остатки, пока частное не станет нулём.",
            "Читаем остатки снизу вверх.",
        ),
        answer=format(number, "b"),
    )


# (subject, words one of which the topic's Russian title holds — none: any topic, the exercise).
_EXERCISES: tuple[tuple[str, tuple[str, ...], Callable[[random.Random, int, bool], Exercise]], ...] = (
    ("math", (), _arithmetic),
    ("algebra", ("квадрат",), _quadratic),
    ("algebra", ("уравнен",), _linear),
    ("geometry", ("треугольник",), _angles),
    ("physics", ("движени", "скорост"), _speed),
    ("informatics", ("счислен", "двоичн"), _binary),
)


def exercise_make(
    rng: random.Random, subject_code: str, grade: int, language: str, topic_title: str = ""
) -> Exercise | None:
    """A small task of the subject and topic with its solution, or None where no drawn numbers
    fit the topic (its texts then work from the planned outcomes)."""
    title = topic_title.lower()
    for code, words, make in _EXERCISES:
        if code == subject_code and (not words or any(word in title for word in words)):
            return make(rng, grade, language == "ru")
    return None


# --- bodies ------------------------------------------------------------------------------------


def _outcome_lines(topic: TopicInfo, language: str) -> list[str]:
    return [f"— {_lower_first(text)}" for text in topic.outcomes(language)]


def explanation_body(rng: random.Random, topic: TopicInfo, language: str) -> str:
    if language == "en":
        lines = [
            f"This note belongs to the section “{topic.section_en}”.",
            f"In the topic “{topic.title_en}” a student learns to:",
            *_outcome_lines(topic, "en"),
            rng.choice(
                (
                    "Read the note before the lesson and mark what is new to you.",
                    "Keep the note in your exercise book: you will need it for the test.",
                )
            ),
        ]
        return "\n".join(lines)
    opening = rng.choice(
        (
            f"Тема «{topic.title_ru}» входит в раздел «{topic.section_ru}».",
            f"Раздел «{topic.section_ru}». Сегодня — тема «{topic.title_ru}».",
            f"Эта памятка поможет разобраться с темой «{topic.title_ru}».",
        )
    )
    closing = rng.choice(
        (
            "Прочитайте конспект до урока и отметьте, что для вас новое.",
            "Перепишите главное в тетрадь: это пригодится на проверочной работе.",
            "Если что-то непонятно, запишите вопрос и задайте его на уроке.",
        )
    )
    return "\n".join([opening, "После изучения темы ученик:", *_outcome_lines(topic, "ru"), closing])


def example_body(rng: random.Random, topic: TopicInfo, language: str) -> str:
    exercise = exercise_make(rng, topic.subject_code, topic.grade, language, topic.title_ru)
    if exercise is not None:
        head = "Условие." if language == "ru" else "The task."
        solution = "Решение." if language == "ru" else "Solution."
        answer = "Ответ" if language == "ru" else "Answer"
        return "\n".join([head, exercise.task, solution, *exercise.steps, f"{answer}: {exercise.answer}."])
    outcomes = topic.outcomes(language) or (topic.title(language),)
    goal = rng.choice(outcomes)
    if language == "en":
        return "\n".join(
            [
                f"Aim: {_lower_first(goal)}.",
                "1. Read the task and underline the key words.",
                f"2. Recall what the topic “{topic.title_en}” says about them.",
                "3. Say the answer aloud in a full sentence, then write it down.",
                "4. Check it against the example in the note.",
            ]
        )
    return "\n".join(
        [
            f"Чему учимся: {_lower_first(goal)}.",
            "Шаг 1. Прочитайте задание и подчеркните главные слова.",
            f"Шаг 2. Вспомните, что об этом говорится в теме «{topic.title_ru}».",
            "Шаг 3. Сформулируйте ответ полным предложением и запишите его.",
            "Шаг 4. Сверьте ответ с образцом в конспекте.",
        ]
    )


def practice_body(rng: random.Random, topic: TopicInfo, language: str) -> str:
    ru = language == "ru"
    lines = [("Задания по теме «{}»." if ru else "Exercises on “{}”.").format(topic.title(language))]
    answers: list[str] = []
    count = rng.randint(4, 7)
    for number in range(1, count + 1):
        exercise = exercise_make(rng, topic.subject_code, topic.grade, language, topic.title_ru)
        if exercise is not None:
            lines.append(f"{number}. {exercise.task}")
            answers.append(f"{number}) {exercise.answer}")
        else:
            outcomes = topic.outcomes(language) or (topic.title(language),)
            skill = rng.choice(outcomes).rstrip(".")
            template = rng.choice(
                (
                    "Умение: «{}». Придумайте своё упражнение на это умение и выполните его.",
                    "Проверьте себя: «{}». Приведите два примера.",
                    "Работа в парах: «{}». Объясните соседу, как это сделать.",
                )
                if ru
                else (
                    "Skill: “{}”. Make up an exercise of your own and do it.",
                    "Check yourself: “{}”. Give two examples.",
                )
            )
            lines.append(f"{number}. " + template.format(skill))
    if answers:
        lines += ["", ("Ответы: " if ru else "Answers: ") + "; ".join(answers)]
    return "\n".join(lines)


def test_body(rng: random.Random, topic: TopicInfo, language: str) -> str:
    ru = language == "ru"
    lines = [("Проверочная работа. {}" if ru else "Quick check. {}").format(topic.title(language))]
    key: list[str] = []
    statements = list(topic.outcomes(language) or (topic.title(language),))
    rng.shuffle(statements)
    for number in range(1, rng.randint(4, 6) + 1):
        exercise = exercise_make(rng, topic.subject_code, topic.grade, language, topic.title_ru)
        if exercise is not None:
            lines.append(f"{number}. {exercise.task}")
            key.append(f"{number}) {exercise.answer}")
            continue
        statement = statements[(number - 1) % len(statements)]
        lines.append(
            f"{number}. "
            + (
                f"Приведите пример, который показывает: ученик {_lower_first(statement)}."
                if ru
                else f"Give an example that shows a student {_lower_first(statement)}."
            )
        )
    if key:
        lines += ["", ("Ответы для учителя: " if ru else "Answers for the teacher: ") + "; ".join(key)]
    lines.append(("Время: {} минут." if ru else "Time: {} minutes.").format(rng.choice((10, 15, 20))))
    return "\n".join(lines)


def link_url(topic_title: str, language: str, sort: str) -> str:
    """A search on a public site that exists (never an invented deep link)."""
    words = quote_plus(topic_title)
    if sort == "video":
        return f"https://www.youtube.com/results?search_query={words}"
    return f"https://{language}.wikipedia.org/w/index.php?search={words}"


BODIES = {
    "explanation": explanation_body,
    "example": example_body,
    "practice": practice_body,
    "test": test_body,
}

REVIEW_COMMENTS = (
    "Добавьте ответы к заданиям, чтобы ученики могли проверить себя.",
    "В задании 3 опечатка в условии; исправьте, пожалуйста.",
    "Укажите, для какого класса материал, и свяжите его с темой программы.",
    "Слишком много заданий для одного урока: оставьте 5–6 основных.",
    "Проверьте ссылку: она должна вести на открытый ресурс.",
    "Опишите цель урока и критерии оценивания в начале сценария.",
)
PUBLISH_COMMENTS = (
    "",
    "",
    "Хороший материал, публикую.",
    "Проверено, замечаний нет.",
    "Спасибо, пригодится коллегам.",
)
