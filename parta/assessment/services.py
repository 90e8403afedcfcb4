"""Taking a test: start or resume an attempt, save answers one by one, submit; and checking it.

Rules the API and the pages rely on (each tested in ``tests/test_attempts.py``):

- An attempt is made at the version of the test the student sees when it starts, with a seed
  that fixes its variants, draws and shuffles; later versions of the test never change it.
- One attempt is in progress per student, test and homework: starting again resumes it (two
  tabs starting at once get the same attempt).
- The server keeps the time: an attempt past its ``deadline_at`` takes no answers and is
  submitted as it stands, by the next request that touches it or by the beat's sweep.
- A submitted attempt never changes, except by a teacher's grading of an answer (kept in
  ``Grading``, with the points before).
- Two tabs answering the same question: the last save wins; a client that sends the
  ``revision`` it changes gets ``Refused`` (409) with the saved answer when another tab saved
  first.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.assessment import definition, questions
from parta.assessment.access import (
    access_answer_to_check,
    access_homework_with_test,
    access_own_attempt,
    access_test,
    student_school_id,
)
from parta.assessment.models import Answer, Attempt, Grading, Mode, Statement, Verb
from parta.assessment.selectors import time_is_up
from parta.homework.models import Homework
from parta.library.selectors.authoring import version_seen
from parta.schools.access import roles_of

MAX_COMMENT = 5000


class Refused(Exception):
    """The request is well formed but the attempt's state forbids it (HTTP 409): ``detail`` says
    why; ``current`` is the row as it is now, when there is one to show."""

    def __init__(self, detail: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.current = current


def _now() -> dt.datetime:
    return timezone.now()


def _record(attempt: Attempt, actor_id: int, verb: Verb, *, question_id: str = "", **result: Any) -> None:
    Statement.objects.create(
        attempt=attempt,
        actor_id=actor_id,
        verb=verb,
        question_id=question_id,
        result={key: value for key, value in result.items() if value is not None},
        timestamp=_now(),
    )


def homework_deadline(homework: Homework) -> dt.datetime:
    """When homework is due: the start of the lesson it is due at, else the end of its day."""
    if homework.due_lesson is not None:
        return homework.due_lesson.starts_at
    day_after = dt.datetime.combine(homework.due_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(day_after, timezone.get_default_timezone())


def _test_of(version: Any) -> dict[str, Any]:
    test = (version.content or {}).get(definition.KEY)
    if not isinstance(test, dict):
        raise ValidationError({"test": [_("This test is a file or a link: open it in the library.")]})
    return test


def _attempts_of(student_id: int, material_id: int, homework_id: int | None) -> QuerySet[Attempt]:
    attempts = Attempt.objects.filter(student_id=student_id, material_id=material_id)
    return (
        attempts.filter(homework__isnull=True)
        if homework_id is None
        else attempts.filter(homework_id=homework_id)
    )


@dataclass(frozen=True)
class Started:
    attempt: Attempt
    created: bool


def attempt_start(actor: Any, material_id: int, *, homework_id: int | None = None) -> Started:
    """The student's attempt in progress at the test, or a new one (``created``)."""
    material = access_test(actor, material_id)
    homework = access_homework_with_test(actor, homework_id, material_id) if homework_id is not None else None
    school_id = student_school_id(actor)
    version = version_seen(actor, material)
    test = _test_of(version)
    user_id = roles_of(actor).user_id
    now = _now()
    with transaction.atomic():
        attempts = _attempts_of(user_id, material.pk, homework.pk if homework else None)
        current = attempts.select_for_update().filter(state=Attempt.State.IN_PROGRESS).first()
        if current is not None:
            if current.deadline_at is None or current.deadline_at > now:
                _record(current, user_id, Verb.RESUMED)
                return Started(current, created=False)
            _close(current, current.deadline_at)
        done = attempts.count()
        mode = test.get("mode", Mode.TRAINING)
        limit = test.get("attempts")
        if mode == Mode.CONTROL and limit and done >= limit:
            raise Refused(_("No attempts are left at this test."))
        due = homework_deadline(homework) if homework is not None else None
        if due is not None and mode == Mode.CONTROL and due <= now:
            raise Refused(_("The homework's deadline has passed."))
        seed = secrets.randbelow(2**31)
        drawn = definition.draw(test, seed)
        ends = (
            [now + dt.timedelta(minutes=test["time_limit_minutes"])] if test.get("time_limit_minutes") else []
        )
        if due is not None and mode == Mode.CONTROL:
            ends.append(due)
        attempt = Attempt(
            school_id=school_id,
            material=material,
            version=version,
            student_id=user_id,
            homework=homework,
            mode=mode,
            number=done + 1,
            seed=seed,
            questions=drawn.order,
            started_at=now,
            deadline_at=min(ends) if ends else None,
            max_points=drawn.max_points,
        )
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            # Another request started one meanwhile (it waited on the unique index): resume it.
            current = attempts.filter(state=Attempt.State.IN_PROGRESS).first()
            if current is None:
                raise
            return Started(current, created=False)
        _record(attempt, user_id, Verb.ATTEMPTED)
    return Started(attempt, created=True)


def _writable(actor: Any, attempt_id: int) -> Attempt | None:
    """The actor's attempt, locked, if it takes answers; None when its time ran out — it is
    submitted as it stood, and the caller refuses once that is committed."""
    attempt = access_own_attempt(actor, attempt_id, lock=True)
    if attempt.state != Attempt.State.IN_PROGRESS:
        raise Refused(_("This attempt has been submitted: it can no longer change."))
    if time_is_up(attempt, _now()) and attempt.deadline_at is not None:
        _close(attempt, attempt.deadline_at)
        return None
    return attempt


def _time_up() -> Refused:
    return Refused(_("Time is up: the attempt was submitted as it stood."))


def _question(attempt: Attempt, question_id: str) -> dict[str, Any]:
    if question_id not in attempt.questions:
        raise ValidationError({"question": [_("This question is not in the attempt.")]})
    return definition.questions_of(_test_of(attempt.version), [question_id])[question_id]


@dataclass(frozen=True)
class Saved:
    answer: Answer
    # Training mode: what the student is shown at once (the right answer, the explanation, the
    # points); None in control mode.
    feedback: dict[str, Any] | None


def answer_save(
    actor: Any, attempt_id: int, question_id: str, response: Any, *, revision: int | None = None
) -> Saved:
    """Save one answer as it is given (again: it replaces the last one)."""
    with transaction.atomic():
        attempt = _writable(actor, attempt_id)
        if attempt is not None:
            return _save(attempt, question_id, response, revision)
    raise _time_up()


def _save(attempt: Attempt, question_id: str, response: Any, revision: int | None) -> Saved:
    question = _question(attempt, question_id)
    clean = questions.check_response(question, response)
    score = questions.score(question, clean, attempt.seed)
    now = _now()
    answer = Answer.objects.filter(attempt=attempt, question_id=question_id).first()
    if answer is None:
        if revision:
            raise Refused(_("This answer has not been saved yet."), current=None)
        answer = Answer.objects.create(
            attempt=attempt,
            question_id=question_id,
            response=clean,
            points=score.points,
            auto_points=score.points,
            saved_at=now,
        )
    else:
        if revision is not None and revision != answer.revision:
            raise Refused(
                _("Another tab saved this answer meanwhile: look at it again and retry."),
                current={"response": answer.response, "revision": answer.revision},
            )
        answer.response = clean
        answer.points = answer.auto_points = score.points
        answer.revision += 1
        answer.saved_at = now
        answer.save(update_fields=["response", "points", "auto_points", "revision", "saved_at"])
    _record(
        attempt,
        attempt.student_id,
        Verb.ANSWERED,
        question_id=question_id,
        response=clean,
        score=None if score.points is None else str(score.points),
        success=score.correct,
        revision=answer.revision,
    )
    shown = None
    if attempt.mode == Mode.TRAINING:
        shown = {
            "points": None if score.points is None else str(score.points),
            "max_points": score.max_points,
            "correct": score.correct,
            "detail": score.detail,
            **questions.feedback(question, attempt.seed),
        }
    return Saved(answer, shown)


def attempt_viewed(actor: Any, attempt_id: int, question_id: str) -> None:
    """The student was shown a question: recorded for the time spent on each question."""
    with transaction.atomic():
        attempt = _writable(actor, attempt_id)
        if attempt is not None:
            _question(attempt, question_id)
            _record(attempt, attempt.student_id, Verb.VIEWED, question_id=question_id)
            return
    raise _time_up()


def _results_at(attempt: Attempt, test: dict[str, Any], submitted_at: dt.datetime) -> dt.datetime:
    if attempt.mode == Mode.TRAINING or test.get("results") != "after_deadline":
        return submitted_at
    if attempt.homework_id is not None:
        homework = Homework.objects.select_related("due_lesson").get(pk=attempt.homework_id)
        return max(submitted_at, homework_deadline(homework))
    return max(submitted_at, attempt.deadline_at or submitted_at)


def _totals(attempt: Attempt) -> tuple[Decimal, int]:
    """The attempt's points so far and how many answers wait for a teacher."""
    points = Decimal(0)
    waiting = 0
    for answer_points in Answer.objects.filter(attempt=attempt).values_list("points", flat=True):
        if answer_points is None:
            waiting += 1
        else:
            points += answer_points
    return points, waiting


def _close(attempt: Attempt, at: dt.datetime) -> None:
    """Submit ``attempt`` (locked by the caller) at ``at``."""
    test = _test_of(attempt.version)
    points, waiting = _totals(attempt)
    attempt.state = Attempt.State.SUBMITTED
    attempt.submitted_at = at
    attempt.results_at = _results_at(attempt, test, at)
    attempt.points = points
    attempt.waiting = waiting
    attempt.save(update_fields=["state", "submitted_at", "results_at", "points", "waiting"])
    _record(
        attempt,
        attempt.student_id,
        Verb.COMPLETED,
        score=str(points),
        max=attempt.max_points,
        completion=True,
        waiting=waiting or None,
        duration=(at - attempt.started_at).total_seconds(),
    )


def attempt_submit(actor: Any, attempt_id: int) -> Attempt:
    """End the attempt; submitting a submitted attempt again changes nothing and answers it."""
    with transaction.atomic():
        attempt = access_own_attempt(actor, attempt_id, lock=True)
        if attempt.state == Attempt.State.IN_PROGRESS:
            now = _now()
            late = time_is_up(attempt, now)
            _close(attempt, attempt.deadline_at if late and attempt.deadline_at else now)
    return attempt


def attempts_close_expired(limit: int = 500) -> int:
    """Submit the attempts whose time ran out with nobody there (the beat, every minute)."""
    closed = 0
    ids = list(
        Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline_at__lte=_now())
        .order_by("deadline_at")
        .values_list("pk", flat=True)[:limit]
    )
    for attempt_id in ids:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("version")
                .filter(pk=attempt_id, state=Attempt.State.IN_PROGRESS)
                .first()
            )
            if attempt is not None and attempt.deadline_at is not None:
                _close(attempt, attempt.deadline_at)
                closed += 1
    return closed


def answer_grade(actor: Any, answer_id: int, points: Any, comment: str = "") -> Answer:
    """A teacher's points for an answer of a submitted attempt: an open answer checked by hand,
    or an automatic score overridden. The change is kept with the points before."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": [_("The comment is too long.")]})
    with transaction.atomic():
        answer = access_answer_to_check(actor, answer_id)
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=answer.attempt_id)
        )
        if attempt.state != Attempt.State.SUBMITTED:
            raise Refused(_("The attempt is still in progress: check it once it is submitted."))
        question = _question(attempt, answer.question_id)
        value = questions.check_manual_points(question, points)
        Grading.objects.create(
            answer=answer,
            points_before=answer.points,
            points=value,
            comment=comment,
            graded_by=actor,
        )
        answer.points = value
        answer.comment = comment
        answer.graded_by = actor
        answer.save(update_fields=["points", "comment", "graded_by"])
        attempt.points, attempt.waiting = _totals(attempt)
        attempt.save(update_fields=["points", "waiting"])
        _record(attempt, actor.pk, Verb.SCORED, question_id=answer.question_id, score=str(value))
    return answer
