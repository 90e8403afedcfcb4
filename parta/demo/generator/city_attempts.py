"""The students' attempts at a test given as homework in the benchmark city (``city_tests``), and
the rows they leave — as the assessment app's services and the browser's calls would leave them:

- an ``Attempt`` at the test's published version, with its seed and the questions it drew
  (``definition.draw``), started the evening after the lesson and submitted within the time limit
  (and, in control mode, before the homework is due); its results are out when the test says;
- the browser reports each question as it comes into view, and the student answers it: right with
  a chance that grows with their ability (the journal's own measure, read from their marks), else
  with a slip (another option, a number off, two items swapped); a few are left unanswered. Each
  response is checked and scored by the app's rules (``questions.check_response`` and
  ``questions.score``), so every ``Answer``'s points are what the service would give;
- an open answer waits for the teacher, who checks it (a ``Grading``, the points by the student's
  ability) within three days of the due date when that day is past; until then the attempt waits;
- a weak result at a training test is sometimes tried again the same evening (attempt 2);
- the ``Statement`` rows: attempted, viewed per question shown, answered per answer, completed,
  and scored for each answer the teacher checked;
- the student's work (``HomeworkCompletion``) as the app reports it: handed in at the first
  submission, checked (by nobody: the machine scored it) once an attempt waits for nothing.

The work's history (``WorkEvent``) is not written, as for the city's other homework (``classwork``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from parta.assessment import definition, questions
from parta.assessment.expressions import format_number
from parta.assessment.models import Answer, Attempt, Grading, Mode, Statement, Verb
from parta.demo.generator.bulk import reserve_ids
from parta.demo.generator.classwork import WORK_FIELDS
from parta.demo.generator.courses import aware, insert_rows
from parta.demo.generator.library_rows import db_time
from parta.homework.models import HomeworkCompletion, WorkStatus

Question = dict[str, Any]
Response = dict[str, Any]

# The chance a student takes the test (the base and the part that grows with ability): once it is
# due, and while it is not (some do it at once, the rest later).
TAKEN = (0.72, 0.25)
TAKEN_EARLY = (0.35, 0.25)
SKIPPED = 0.03  # a question left unanswered (an open one: three times as often)
RETRY = 0.4  # a training test scored under 60 % is taken again the same evening
CHECK_DAYS = 3  # the teacher checks open answers within this many days of the due date
_OPEN_TEXTS = (
    "Я считаю так, потому что об этом сказано в параграфе: привожу два довода и делаю вывод.",
    "Решение: по определению и по свойству, которое мы разбирали на уроке.",
    "Во-первых, … во-вторых, … Поэтому ответ такой, как в учебнике.",
    "Не успел(а) дописать, объясню на уроке.",
)
_GRADING_COMMENTS = ("", "Хорошо.", "Поясните подробнее.", "Не хватает доводов.")

ATTEMPT_FIELDS = (
    "id",
    "school",
    "material",
    "version",
    "student",
    "homework",
    "mode",
    "number",
    "seed",
    "questions",
    "state",
    "started_at",
    "deadline_at",
    "submitted_at",
    "results_at",
    "points",
    "max_points",
    "waiting",
)
ANSWER_FIELDS = (
    "id",
    "attempt",
    "question_id",
    "response",
    "points",
    "auto_points",
    "graded_by",
    "comment",
    "revision",
    "saved_at",
)
GRADING_FIELDS = ("answer", "points_before", "points", "comment", "graded_by", "graded_at")
STATEMENT_FIELDS = ("id", "attempt", "actor", "verb", "question_id", "result", "timestamp", "stored")


# --- a student's response --------------------------------------------------------------------


def _swap(items: list[Any], rng: random.Random) -> list[Any]:
    """Two neighbours swapped."""
    swapped = list(items)
    at = rng.randrange(len(swapped) - 1)
    swapped[at], swapped[at + 1] = swapped[at + 1], swapped[at]
    return swapped


def _slip_pairs(question: Question, right: Response, rng: random.Random) -> Response:
    left = sorted(right["pairs"])
    targets = _swap([right["pairs"][item] for item in left], rng)
    return {"pairs": dict(zip(left, targets, strict=True))}


def _slip_gap(question: Question, right: Response, rng: random.Random) -> Response:
    gaps = dict(right["gaps"])
    gap = rng.choice(sorted(gaps))
    spec = question["gaps"][gap]
    if "options" in spec:
        gaps[gap] = rng.choice([o["id"] for o in spec["options"] if o["id"] != spec["correct"]])
    else:
        gaps[gap] = gaps[gap][:-1]
    return {"gaps": gaps}


# A wrong response per type, near the right one (``right``: the response that scores in full).
_SLIPS: dict[str, Callable[[Question, Response, random.Random], Response]] = {
    "single": lambda q, _right, rng: {
        "option": rng.choice([o["id"] for o in q["options"] if o["id"] != q["correct"]])
    },
    "multiple": lambda q, right, rng: {
        "options": sorted(set(right["options"]) ^ {rng.choice(q["options"])["id"]})
    },
    "true_false": lambda _q, right, _rng: {"value": not right["value"]},
    "numeric": lambda _q, right, rng: {
        "value": format_number(Decimal(right["value"]) + rng.choice((-10, -2, -1, 1, 2, 10)))
    },
    "short_text": lambda _q, right, _rng: {"text": right["text"][:-1]},
    "matching": _slip_pairs,
    "ordering": lambda _q, right, rng: {"order": _swap(right["order"], rng)},
    "blanks": _slip_gap,
}


def _response(question: Question, seed: int, ability: float, rng: random.Random) -> Response | None:
    """What a student of this ability answers (None: left unanswered), before it is checked."""
    if question["type"] == "open":
        return None if rng.random() < 3 * SKIPPED else {"text": rng.choice(_OPEN_TEXTS), "files": []}
    if rng.random() < SKIPPED:
        return None
    right: Response = questions.feedback(question, seed)["answer"]
    if rng.random() < 0.35 + 0.6 * ability:
        return right
    return _SLIPS[question["type"]](question, right, rng)


# --- attempts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    material: int
    version: int
    title: str


@dataclass(frozen=True)
class Given:
    """A homework with a test, as the attempts at it need it."""

    homework: int
    test: Test
    # The test's part of the version (``definition``).
    part: dict[str, Any]
    teacher: int
    set_on: dt.date
    due_on: dt.date
    # When it is due (``services.homework_deadline``): a control test takes no answers after it.
    deadline: dt.datetime


@dataclass
class _Answer:
    question: Question
    response: Response
    points: Decimal | None
    correct: bool | None
    viewed_at: dt.datetime
    saved_at: dt.datetime
    # The teacher's points and comment, for an open answer checked by hand.
    graded: tuple[Decimal, str] | None = None


@dataclass
class Taken:
    """One attempt, as it stands once the teacher has checked what they have."""

    given: Given
    student: int
    number: int
    seed: int
    drawn: definition.Drawn
    started_at: dt.datetime
    deadline_at: dt.datetime | None
    submitted_at: dt.datetime
    answers: list[_Answer] = field(default_factory=list)
    # Questions shown but left unanswered: (question id, when shown).
    skipped: list[tuple[str, dt.datetime]] = field(default_factory=list)
    results_at: dt.datetime | None = None
    graded_at: dt.datetime | None = None

    @property
    def mode(self) -> str:
        return str(self.given.part.get("mode", Mode.TRAINING))

    def points(self, *, graded: bool) -> Decimal:
        """The sum of the points counted: with the teacher's (``graded``) or the automatic ones."""
        total = Decimal(0)
        for answer in self.answers:
            value = answer.graded[0] if graded and answer.graded else answer.points
            total += value or 0
        return total

    def waiting(self, *, graded: bool) -> int:
        return sum(1 for a in self.answers if a.points is None and not (graded and a.graded))


def _take(
    given: Given, student: int, ability: float, number: int, start: dt.datetime, *, rng: random.Random
) -> Taken:
    """One attempt, answered from ``start`` and submitted (at the deadline if time ran out)."""
    part = given.part
    seed = rng.randrange(2**31)
    limit = part.get("time_limit_minutes")
    ends = [start + dt.timedelta(minutes=limit)] if limit else []
    if part.get("mode") == Mode.CONTROL:
        ends.append(given.deadline)
    deadline = min(ends) if ends else None
    drawn = definition.draw(part, seed)
    attempt = Taken(given, student, number, seed, drawn, start, deadline, submitted_at=start)
    moment = start
    for question_id in drawn.order:
        question = drawn.by_id[question_id]
        shown = moment + dt.timedelta(seconds=rng.randint(1, 5))
        think = rng.randint(120, 600) if question["type"] == "open" else rng.randint(15, 150)
        moment = shown + dt.timedelta(seconds=think)
        if deadline is not None and moment > deadline:
            break  # time is up: the rest is unanswered, the attempt closed at the deadline
        response = _response(question, seed, ability, rng)
        if response is None:
            attempt.skipped.append((question_id, shown))
            continue
        clean = questions.check_response(question, response)
        score = questions.score(question, clean, seed)
        attempt.answers.append(_Answer(question, clean, score.points, score.correct, shown, moment))
    ended = moment + dt.timedelta(seconds=rng.randint(5, 60))
    attempt.submitted_at = min(ended, deadline) if deadline else ended
    late = part.get("mode") == Mode.CONTROL and part.get("results") == "after_deadline"
    attempt.results_at = max(attempt.submitted_at, given.deadline) if late else attempt.submitted_at
    return attempt


def _check(attempt: Taken, ability: float, today: dt.date, rng: random.Random) -> None:
    """The teacher checks the open answers within days of the due date, if that day is past."""
    checked_on = attempt.given.due_on + dt.timedelta(days=rng.randint(0, CHECK_DAYS))
    if not attempt.waiting(graded=False) or checked_on >= today:
        return
    attempt.graded_at = aware(checked_on, rng.randint(15, 20), rng.randrange(60))
    for answer in attempt.answers:
        if answer.points is None:
            share = min(1.0, max(0.0, rng.gauss(ability, 0.25)))
            value = round(share * answer.question["points"] * 2) / 2
            answer.graded = (
                questions.check_manual_points(answer.question, value),
                rng.choice(_GRADING_COMMENTS),
            )


def attempts_at(
    given: Given, members: list[int], ability: Mapping[int, float], today: dt.date, rng: random.Random
) -> list[Taken]:
    """The attempts of the course's students (``members``) at the homework's test."""
    made = []
    base, rise = TAKEN if given.due_on <= today else TAKEN_EARLY
    for student in members:
        level = ability.get(student, 0.5)
        if rng.random() >= base + rise * level:
            continue
        start = aware(given.set_on, rng.randint(16, 20), rng.randrange(60))
        mine = [_take(given, student, level, 1, start, rng=rng)]
        first = mine[0]
        share = first.points(graded=False) / max(first.drawn.max_points, 1)
        weak = first.mode == Mode.TRAINING and not first.waiting(graded=False) and share < 0.6
        if weak and rng.random() < RETRY:
            again = first.submitted_at + dt.timedelta(minutes=rng.randint(5, 40))
            mine.append(_take(given, student, level, 2, again, rng=rng))
        for attempt in mine:
            _check(attempt, level, today, rng)
        made += mine
    return made


# --- rows --------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _work_rows(school: int, attempts: list[Taken]) -> list[tuple[Any, ...]]:
    """Each student's work on the homework: handed in at the first submission, checked once an
    attempt waits for nothing (retries follow a first attempt that waited for nothing)."""
    firsts = {(a.given.homework, a.student): a for a in reversed(attempts)}
    rows = []
    for (homework, student), first in firsts.items():
        checked_at = first.submitted_at if not first.waiting(graded=False) else first.graded_at
        status = WorkStatus.CHECKED if checked_at is not None else WorkStatus.HANDED_IN
        done = db_time(first.submitted_at)
        checked = db_time(checked_at)
        rows.append((school, homework, student, status.value, "", done, "", None, checked, checked or done))
    return rows


class _Rows:
    """The rows of attempts, as the database stores their values."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.attempts: list[tuple[Any, ...]] = []
        self.answers: list[tuple[Any, ...]] = []
        self.gradings: list[tuple[Any, ...]] = []
        self.statements: list[tuple[Any, ...]] = []
        # Looked up once: hundreds of thousands of values go through them.
        self.time: Callable[[dt.datetime | None], Any] = connection.ops.adapt_datetimefield_value
        self.native_uuid = connection.features.has_native_uuid_field

    def statement(
        self,
        attempt: int,
        actor: int,
        verb: Verb,
        at: dt.datetime,
        question: str = "",
        **result: Any,
    ) -> None:
        """A statement as ``services._record`` writes it (its results without the empty ones),
        with a key drawn from the generator's stream, as ``uuid4`` would make it."""
        found = {key: value for key, value in result.items() if value is not None}
        moment = self.time(at)
        key = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        self.statements.append(
            (
                key if self.native_uuid else key.hex,
                attempt,
                actor,
                verb.value,
                question,
                _json(found),
                moment,
                moment,
            )
        )


def _attempt_rows(school: int, attempts: list[Taken], rng: random.Random) -> _Rows:
    """The attempts' rows, with the keys of attempts and answers drawn."""
    rows = _Rows(rng)
    answer_ids = iter(reserve_ids(Answer, sum(len(a.answers) for a in attempts)))
    for pk, attempt in zip(reserve_ids(Attempt, len(attempts)), attempts, strict=True):
        given, student = attempt.given, attempt.student
        rows.attempts.append(
            (
                pk,
                school,
                given.test.material,
                given.test.version,
                student,
                given.homework,
                attempt.mode,
                attempt.number,
                attempt.seed,
                _json(attempt.drawn.order),
                Attempt.State.SUBMITTED.value,
                rows.time(attempt.started_at),
                rows.time(attempt.deadline_at),
                rows.time(attempt.submitted_at),
                rows.time(attempt.results_at),
                attempt.points(graded=True),
                attempt.drawn.max_points,
                attempt.waiting(graded=True),
            )
        )
        rows.statement(pk, student, Verb.ATTEMPTED, attempt.started_at)
        shown = [(a.question["id"], a.viewed_at, a) for a in attempt.answers]
        for question_id, viewed_at, answer in sorted(
            shown + [(q, at, None) for q, at in attempt.skipped], key=lambda s: s[1]
        ):
            rows.statement(pk, student, Verb.VIEWED, viewed_at, question_id)
            if answer is not None:
                _answer_rows(rows, attempt, pk, next(answer_ids), answer)
        waiting = attempt.waiting(graded=False)
        rows.statement(
            pk,
            student,
            Verb.COMPLETED,
            attempt.submitted_at,
            score=str(attempt.points(graded=False)),
            max=attempt.drawn.max_points,
            completion=True,
            waiting=waiting or None,
            duration=(attempt.submitted_at - attempt.started_at).total_seconds(),
        )
        for answer in attempt.answers:
            if answer.graded and attempt.graded_at:
                teacher = attempt.given.teacher
                rows.statement(
                    pk,
                    teacher,
                    Verb.SCORED,
                    attempt.graded_at,
                    answer.question["id"],
                    score=str(answer.graded[0]),
                )
    return rows


def _answer_rows(rows: _Rows, attempt: Taken, attempt_id: int, pk: int, answer: _Answer) -> None:
    question_id, teacher = answer.question["id"], attempt.given.teacher
    points, comment = answer.graded or (answer.points, "")
    rows.answers.append(
        (
            pk,
            attempt_id,
            question_id,
            _json(answer.response),
            points,
            answer.points,
            teacher if answer.graded else None,
            comment,
            1,
            rows.time(answer.saved_at),
        )
    )
    rows.statement(
        attempt_id,
        attempt.student,
        Verb.ANSWERED,
        answer.saved_at,
        question_id,
        response=answer.response,
        score=None if answer.points is None else str(answer.points),
        success=answer.correct,
        revision=1,
    )
    if answer.graded:
        rows.gradings.append((pk, None, points, comment, teacher, rows.time(attempt.graded_at)))


def attempts_insert(school: int, attempts: list[Taken], rng: random.Random) -> Counter[str]:
    """The students' work, the attempts, their answers, gradings and statements; counted."""
    works = _work_rows(school, attempts)
    rows = _attempt_rows(school, attempts, rng)
    insert_rows(HomeworkCompletion, WORK_FIELDS, works)
    insert_rows(Attempt, ATTEMPT_FIELDS, rows.attempts)
    insert_rows(Answer, ANSWER_FIELDS, rows.answers)
    insert_rows(Grading, GRADING_FIELDS, rows.gradings)
    insert_rows(Statement, STATEMENT_FIELDS, rows.statements)
    return Counter(
        {
            "test homework done": len(works),
            "test attempts": len(rows.attempts),
            "test answers": len(rows.answers),
            "test answers checked by hand": len(rows.gradings),
            "attempt statements": len(rows.statements),
        }
    )


__all__ = ["Given", "Taken", "Test", "attempts_at", "attempts_insert"]
