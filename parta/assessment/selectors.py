"""What an attempt shows, and to whom.

- The student (and their guardians) see the questions as drawn for the attempt — never the
  answers' key — with the responses saved; in training mode the right answer and explanation of
  every question answered; once the results are out (``results_at``) the score and each
  question's points, and the right answers if the test shows them.
- Staff who may read the attempt (``access.attempts_readable_by``) see all of it at once, with
  the answers' ids to check them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import timezone

from parta.assessment import definition, questions
from parta.assessment.access import attempts_readable_by
from parta.assessment.models import Answer, Attempt, Mode, Statement
from parta.assessment.statements import as_xapi, time_on_questions
from parta.library.models import MaterialVersion
from parta.schools.access import access_person, roles_of

Row = dict[str, Any]


def sees_whole(user: Any, attempt: Attempt) -> bool:
    """Staff reading the attempt through work (not as its student or their guardian)."""
    roles = roles_of(user)
    family = attempt.student_id in roles.child_ids | {roles.user_id}
    return roles.is_superuser or (not family and bool(roles.staff_school_ids))


def time_is_up(attempt: Attempt, now: dt.datetime) -> bool:
    """The attempt is in progress past its deadline: it takes no more answers."""
    return (
        attempt.state == Attempt.State.IN_PROGRESS
        and attempt.deadline_at is not None
        and attempt.deadline_at <= now
    )


def results_out(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    return (
        attempt.state == Attempt.State.SUBMITTED
        and attempt.results_at is not None
        and attempt.results_at <= (now or timezone.now())
    )


def _answer_row(answer: Answer, shown: Shown) -> Row:
    row: Row = {"response": answer.response, "revision": answer.revision, "saved_at": answer.saved_at}
    if shown.whole:
        row.update(id=answer.pk, auto_points=answer.auto_points)
    if shown.results:
        # The teacher's comment reaches the student with the points it explains.
        row["comment"] = answer.comment
    return row


@dataclass(frozen=True)
class Shown:
    """What the reader may see of the attempt's results."""

    whole: bool
    results: bool
    answers_key: bool


def _shown(user: Any, attempt: Attempt, test: dict[str, Any]) -> Shown:
    whole = sees_whole(user, attempt)
    results = whole or results_out(attempt)
    return Shown(
        whole=whole, results=results, answers_key=whole or (results and bool(test.get("show_answers")))
    )


def attempt_data(user: Any, attempt: Attempt) -> Row:
    """``attempt`` (reached through ``access_attempt`` or ``access_own_attempt``) as ``user`` sees it."""
    test = (attempt.version.content or {}).get(definition.KEY) or {}
    shown = _shown(user, attempt, test)
    by_id = definition.questions_of(test, attempt.questions)
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    items = []
    for question_id in attempt.questions:
        question = by_id[question_id]
        answer = answers.get(question_id)
        item: Row = {**questions.shown(question, attempt.seed), "answer": None}
        if answer is not None:
            item["answer"] = _answer_row(answer, shown)
        if shown.results or (attempt.mode == Mode.TRAINING and answer is not None):
            item["earned"] = answer.points if answer is not None else 0
        if shown.answers_key or (attempt.mode == Mode.TRAINING and answer is not None):
            item["feedback"] = questions.feedback(question, attempt.seed)
        items.append(item)
    return {
        **_fields(attempt, score=shown.results),
        "test": {
            "id": attempt.material_id,
            "title": attempt.version.title,
            "version": attempt.version.number,
        },
        "deadline_at": attempt.deadline_at,
        "questions": items,
    }


def _fields(attempt: Attempt, *, score: bool) -> Row:
    """What an attempt shows in a list and on its own; the score only when ``score``."""
    return {
        "id": attempt.pk,
        "homework": attempt.homework_id,
        "student": attempt.student_id,
        "number": attempt.number,
        "mode": attempt.mode,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "results_at": attempt.results_at,
        "score": _score(attempt) if score else None,
    }


def _score(attempt: Attempt) -> Row | None:
    if attempt.state != Attempt.State.SUBMITTED:
        return None
    return {"points": attempt.points, "max_points": attempt.max_points, "waiting": attempt.waiting}


def attempt_summary(user: Any, attempt: Attempt) -> Row:
    """An attempt in a list: no questions."""
    shown = sees_whole(user, attempt) or results_out(attempt)
    return {**_fields(attempt, score=shown), "test": attempt.material_id}


def attempts_at_test(user: Any, material_id: int, student_id: int) -> list[Row]:
    """The student's attempts at the test that ``user`` may read, the latest first; a student
    whose records the user may not open is a 404 (not an empty list)."""
    access_person(user, student_id)
    attempts = Attempt.objects.filter(
        attempts_readable_by(user), material_id=material_id, student_id=student_id
    )
    return [attempt_summary(user, attempt) for attempt in attempts.order_by("-started_at", "-id")]


def attempt_statements(attempt: Attempt, base: str) -> list[Row]:
    """The attempt's events as xAPI statements, oldest first, with the time on each question."""
    rows = list(Statement.objects.filter(attempt=attempt).order_by("timestamp", "stored"))
    spent = time_on_questions(rows, attempt.submitted_at)
    return [as_xapi(row, attempt, base, spent) for row in rows]


@lru_cache(maxsize=512)
def version_test(version_id: int) -> dict[str, Any]:
    """The test part of a version, read once per process: a version never changes (a save makes
    a new one), and an answer's save needs only its questions, not the version's row. An empty
    dict for a version that holds no test."""
    content = MaterialVersion.objects.values_list("content", flat=True).get(pk=version_id) or {}
    test = content.get(definition.KEY)
    return test if isinstance(test, dict) else {}
