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
import functools
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, QuerySet
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
from parta.assessment.models import Answer, AnswerFile, Attempt, Grading, Mode, Statement, Verb
from parta.assessment.questions.definitions import MAX_FILES
from parta.assessment.selectors import time_is_up, version_test
from parta.core.errors import FieldErrors
from parta.core.files import stored_upload
from parta.homework.models import Homework, HomeworkMaterial, WorkStatus
from parta.homework.services import MAX_FILE_NAME_LENGTH, clean_files
from parta.homework.work import work_reported
from parta.library.models import Kind
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


def _attempt_test(attempt: Attempt) -> dict[str, Any]:
    """The test an attempt is made at (its version's, which never changes)."""
    return version_test(attempt.version_id)


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
        _report_work(attempt)
    return Started(attempt, created=True)


def _writable(actor: Any, attempt_id: int) -> Attempt | None:
    """The actor's attempt, locked, if it takes answers; None when its time ran out — it is
    submitted as it stood, and the caller refuses once that is committed."""
    attempt = access_own_attempt(actor, attempt_id, lock=True, version=False)
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
    return definition.questions_of(_attempt_test(attempt), [question_id])[question_id]


@dataclass(frozen=True)
class Saved:
    answer: Answer
    # Training mode: what the student is shown at once (the right answer, the explanation, the
    # points); None in control mode.
    feedback: dict[str, Any] | None


def answer_save(
    actor: Any, attempt_id: int, question_id: str, response: Any, *, revision: int | None = None
) -> Saved:
    """Save one answer as it is given (again: it replaces the last one). The hot path of a class
    taking a test: on PostgreSQL a save that replaces whatever was there is the attempt's read and
    one statement; the rest (a named revision, time up, a submit meanwhile, SQLite) takes the
    attempt's lock for the transaction."""
    if revision is None and connection.vendor == "postgresql":
        attempt = access_own_attempt(actor, attempt_id, version=False)
        if attempt.state == Attempt.State.IN_PROGRESS and not time_is_up(attempt, _now()):
            saved = _save(attempt, question_id, response, None, unlocked=True)
            if saved is not None:
                return saved
    with transaction.atomic():
        locked = _writable(actor, attempt_id)
        if locked is not None:
            saved = _save(locked, question_id, response, revision)
            assert saved is not None  # written under the lock
            return saved
    raise _time_up()


def _check_files(attempt: Attempt, question_id: str, clean: dict[str, Any]) -> None:
    """An open answer names only files attached to it (``answer_file_add``)."""
    named = set(clean.get("files") or ())
    if named:
        found = AnswerFile.objects.filter(attempt=attempt, question_id=question_id, pk__in=named).count()
        if found != len(named):
            raise ValidationError({"response": [_("A file is not one attached to this answer.")]})


def _stored(name: str, value: Any) -> Any:
    """``value`` as the database stores ``Answer.<name>`` (JSON, a decimal, a time)."""
    field = Answer._meta.get_field(name)
    assert isinstance(field, Field)
    return field.get_db_prep_save(value, connection)


def _answer_values(
    attempt: Attempt, question_id: str, response: dict[str, Any], points: Any, now: dt.datetime
) -> list[Any]:
    return [
        attempt.pk,
        question_id,
        _stored("response", response),
        _stored("points", points),
        _stored("auto_points", points),
        _stored("saved_at", now),
    ]


def _upsert(table: str) -> str:
    """The answer inserted or replaced, its revision counted, in one statement. Only the table's
    own name goes into the statement; what varies is a parameter."""
    return (
        f"INSERT INTO {table} (attempt_id, question_id, response, points, auto_points, saved_at, revision,"  # noqa: S608
        " comment) VALUES (%s, %s, %s, %s, %s, %s, 1, '') ON CONFLICT (attempt_id, question_id) DO UPDATE"
        " SET response = excluded.response, points = excluded.points, auto_points = excluded.auto_points,"
        f" saved_at = excluded.saved_at, revision = {table}.revision + 1 RETURNING id, revision"
    )


def _saved_answer(
    attempt: Attempt, question_id: str, response: dict[str, Any], points: Any, now: dt.datetime, *, row: Any
) -> Answer:
    answer_id, saved_revision = row
    return Answer(
        pk=answer_id,
        attempt=attempt,
        question_id=question_id,
        response=response,
        points=points,
        auto_points=points,
        revision=saved_revision,
        saved_at=now,
    )


def _replace(
    attempt: Attempt, question_id: str, response: dict[str, Any], points: Any, now: dt.datetime
) -> Answer:
    """The last save wins (the attempt's row is locked, so saves of one attempt follow one another)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert(connection.ops.quote_name(Answer._meta.db_table)),
            _answer_values(attempt, question_id, response, points, now),
        )
        row = cursor.fetchone()
    return _saved_answer(attempt, question_id, response, points, now, row=row)


@functools.cache
def _replace_and_record_sql() -> str:
    """``_replace_and_record``'s statement, built once (PostgreSQL's: only it runs it)."""
    quote = connection.ops.quote_name
    answers, attempts, statements = (quote(model._meta.db_table) for model in (Answer, Attempt, Statement))
    upsert = _upsert(answers).replace(
        " VALUES (%s, %s, %s, %s, %s, %s, 1, '')", " SELECT %s, %s, %s, %s, %s, %s, 1, '' FROM open_attempt"
    )
    return (
        f"WITH open_attempt AS (SELECT id FROM {attempts} WHERE id = %s AND state = %s"  # noqa: S608
        " AND (deadline_at IS NULL OR deadline_at > %s) FOR NO KEY UPDATE),"
        f" saved AS ({upsert}),"
        f" recorded AS (INSERT INTO {statements} (id, attempt_id, actor_id, verb, question_id, result,"
        " timestamp, stored) SELECT %s, %s, %s, %s, %s,"
        " %s::jsonb || jsonb_build_object('revision', revision), %s, %s FROM saved)"
        " SELECT id, revision FROM saved"
    )


def _replace_and_record(
    attempt: Attempt,
    question_id: str,
    response: dict[str, Any],
    points: Any,
    *,
    now: dt.datetime,
    result: dict[str, Any],
) -> Answer | None:
    """PostgreSQL: the answer's save and its statement in one round trip and one implicit
    transaction, no explicit lock held across round trips. The attempt's row is locked for the
    statement's length only if it still takes answers (in progress, before its deadline), so a
    submit, which locks it too, either comes before (and nothing is written: None) or after."""
    values = [
        attempt.pk,
        Attempt.State.IN_PROGRESS,
        now,
        *_answer_values(attempt, question_id, response, points, now),
        uuid.uuid4(),
        attempt.pk,
        attempt.student_id,
        Verb.ANSWERED,
        question_id,
        Statement._meta.get_field("result").get_db_prep_save(result, connection),
        now,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_replace_and_record_sql(), values)
        row = cursor.fetchone()
    return None if row is None else _saved_answer(attempt, question_id, response, points, now, row=row)


def _replace_revision(
    attempt: Attempt, question_id: str, clean: dict[str, Any], points: Any, *, now: dt.datetime, revision: int
) -> Answer:
    """The save replaces the revision the client names (0: none yet), else ``Refused`` with the
    answer as it is."""
    answer = Answer.objects.filter(attempt=attempt, question_id=question_id).first()
    if answer is None:
        if revision:
            raise Refused(_("This answer has not been saved yet."), current=None)
        answer = Answer.objects.create(
            attempt=attempt,
            question_id=question_id,
            response=clean,
            points=points,
            auto_points=points,
            saved_at=now,
        )
    else:
        if revision != answer.revision:
            raise Refused(
                _("Another tab saved this answer meanwhile: look at it again and retry."),
                current={"response": answer.response, "revision": answer.revision},
            )
        answer.response = clean
        answer.points = answer.auto_points = points
        answer.revision += 1
        answer.saved_at = now
        answer.save(update_fields=["response", "points", "auto_points", "revision", "saved_at"])
    return answer


def _save(
    attempt: Attempt, question_id: str, response: Any, revision: int | None, *, unlocked: bool = False
) -> Saved | None:
    """The answer checked, scored, saved and recorded; ``unlocked`` (PostgreSQL, no named
    revision): in one statement, None if the attempt stopped taking answers meanwhile."""
    question = _question(attempt, question_id)
    clean = questions.check_response(question, response)
    _check_files(attempt, question_id, clean)
    score = questions.score(question, clean, attempt.seed)
    now = _now()
    result = {
        key: value
        for key, value in {
            "response": clean,
            "score": None if score.points is None else str(score.points),
            "success": score.correct,
        }.items()
        if value is not None
    }
    if unlocked:
        written = _replace_and_record(attempt, question_id, clean, score.points, now=now, result=result)
        if written is None:
            return None
        answer = written
    else:
        if revision is None:
            answer = _replace(attempt, question_id, clean, score.points, now)
        else:
            answer = _replace_revision(attempt, question_id, clean, score.points, now=now, revision=revision)
        _record(
            attempt,
            attempt.student_id,
            Verb.ANSWERED,
            question_id=question_id,
            revision=answer.revision,
            **result,
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


def answer_file_add(actor: Any, attempt_id: int, question_id: str, upload: UploadedFile[Any]) -> AnswerFile:
    """A file for an open answer that takes files, while the attempt is in progress; the student
    then names it in the answer's ``files``. Files that a school hands out (documents, pictures),
    checked against their names, within the size limit, at most ``MAX_FILES`` an answer."""
    errors = FieldErrors()
    clean_files([upload], errors)
    with transaction.atomic():
        attempt = _writable(actor, attempt_id)
        if attempt is not None:
            question = _question(attempt, question_id)
            if question["type"] != "open" or not question.get("allow_files"):
                errors.add("question", _("This question takes no files."))
            elif AnswerFile.objects.filter(attempt=attempt, question_id=question_id).count() >= MAX_FILES:
                errors.add("file", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
            errors.raise_if_any()
            record: AnswerFile = stored_upload(
                AnswerFile(attempt=attempt, question_id=question_id), upload, max_name=MAX_FILE_NAME_LENGTH
            )
            return record
    # The time ran out: the attempt was submitted as it stood (committed above).
    raise _time_up()


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


def _report_work(attempt: Attempt) -> None:
    """Tell the homework app how the student's homework stands after this attempt changed: in
    progress while a test of it is begun; handed in once every test of it has a submitted
    attempt; checked once, besides, none of their latest attempts waits for the teacher."""
    if attempt.homework_id is None:
        return
    status = WorkStatus.IN_PROGRESS
    if attempt.state == Attempt.State.SUBMITTED:
        tests = set(
            HomeworkMaterial.objects.filter(
                homework_id=attempt.homework_id, material__kind=Kind.TEST
            ).values_list("material_id", flat=True)
        )
        latest: dict[int, int] = {}
        for material_id, waiting in (
            Attempt.objects.filter(
                homework_id=attempt.homework_id,
                student_id=attempt.student_id,
                state=Attempt.State.SUBMITTED,
            )
            .order_by("submitted_at", "pk")
            .values_list("material_id", "waiting")
        ):
            latest[material_id] = waiting
        if tests <= latest.keys():
            waiting = any(latest[material_id] for material_id in tests)
            status = WorkStatus.HANDED_IN if waiting else WorkStatus.CHECKED
    work_reported(attempt.homework_id, attempt.student_id, status)


def _close(attempt: Attempt, at: dt.datetime) -> None:
    """Submit ``attempt`` (locked by the caller) at ``at``."""
    test = _attempt_test(attempt)
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
    _report_work(attempt)


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
        attempt = Attempt.objects.select_for_update(of=("self",)).get(pk=answer.attempt_id)
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
        _report_work(attempt)
    return answer
