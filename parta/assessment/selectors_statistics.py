"""The teacher's statistics of a test (``statistics`` has the definitions).

Reads the submitted attempts the user may read (``access.attempts_readable_by``) — of one
homework, if asked — with their answers and the times their questions were shown, in a fixed
number of queries whatever the number of attempts: the attempts, their versions, the answers and
the ``viewed`` statements, after the access checks. Each attempt is scored against its own
version: a question is the same question across versions by its id, with the points of the
version the attempt was made at.

Only staff see statistics: a student or a guardian gets 404 (they have the attempt history), as
does anyone for a test they may not open in the library, or for homework they do not read through
work or that does not hold the test. A teacher who reads none of the attempts gets empty figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from parta.assessment import definition
from parta.assessment.access import access_test, attempts_readable_by
from parta.assessment.models import Answer, Attempt, Statement, Verb
from parta.assessment.statements import time_on_questions
from parta.assessment.statistics import AttemptItems, Item, Statistics, summarise
from parta.homework.access import homework_staff_readable_by
from parta.homework.models import Homework, HomeworkMaterial
from parta.library.models import Material, MaterialVersion
from parta.schools.access import roles_of

MAX_HOMEWORK_CHOICES = 100


@dataclass(frozen=True)
class StatisticsOfTest:
    test: Material
    homework: Homework | None
    statistics: Statistics


def _staff_only(user: Any) -> None:
    roles = roles_of(user)
    if not (roles.is_superuser or roles.staff_school_ids):
        raise Http404


def _homework_holding(user: Any, material_id: int) -> QuerySet[Homework]:
    """Homework the user reads through work that holds the test."""
    return Homework.objects.filter(
        homework_staff_readable_by(user),
        pk__in=HomeworkMaterial.objects.filter(material_id=material_id).values("homework_id"),
    )


def test_statistics(user: Any, material_id: int, *, homework_id: int | None = None) -> StatisticsOfTest:
    """The statistics of the test's submitted attempts that ``user`` reads (of one homework, if
    ``homework_id``); 404 for anyone but staff and for a test or homework not theirs."""
    _staff_only(user)
    material = access_test(user, material_id)
    homework = None
    if homework_id is not None:
        homework = (
            _homework_holding(user, material.pk).select_related("class_group").filter(pk=homework_id).first()
        )
        if homework is None:
            raise Http404
    attempts = Attempt.objects.filter(
        attempts_readable_by(user), material_id=material.pk, state=Attempt.State.SUBMITTED
    )
    if homework is not None:
        attempts = attempts.filter(homework_id=homework.pk)
    rows = list(attempts.order_by().values_list("pk", "version_id", "questions", "submitted_at"))
    if not rows:
        return StatisticsOfTest(material, homework, summarise({}, []))
    # The attempts again as a subquery, not a list of ids: a city's test may have more attempts
    # than a query takes parameters.
    chosen = attempts.order_by().values("pk")
    versions = MaterialVersion.objects.filter(pk__in={row[1] for row in rows}).order_by("-number")
    by_version = {pk: _questions(content) for pk, content in versions.values_list("pk", "content")}
    answers = {
        (attempt_id, question_id): (points, response)
        for attempt_id, question_id, points, response in Answer.objects.filter(
            attempt__in=chosen
        ).values_list("attempt_id", "question_id", "points", "response")
    }
    seconds = _seconds_on_questions(chosen, {row[0]: row[3] for row in rows})
    records = [
        _attempt_items(attempt_id, drawn, by_version.get(version_id, {}), answers, seconds)
        for attempt_id, version_id, drawn, _submitted_at in rows
    ]
    return StatisticsOfTest(material, homework, summarise(_shown_questions(by_version), records))


def _attempt_items(
    attempt_id: int,
    drawn: list[str],
    version_questions: dict[str, dict[str, Any]],
    answers: dict[tuple[int, str], tuple[Decimal | None, dict[str, Any] | None]],
    seconds: dict[tuple[int, str], float],
) -> AttemptItems:
    """One attempt's questions, with the points of its own version."""
    items = {}
    for question_id in drawn:
        question = version_questions.get(question_id)
        if question is None:
            continue
        # Not answered: 0 points, as scoring gives a missing response.
        points, response = answers.get((attempt_id, question_id), (Decimal(0), None))
        items[question_id] = Item(
            question_id=question_id,
            max_points=int(question.get("points", 1)),
            points=points,
            response=response,
            seconds=seconds.get((attempt_id, question_id)),
        )
    return AttemptItems(items)


def _questions(content: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """A version's questions by id, in the test's order."""
    test = (content or {}).get(definition.KEY) or {}
    return {
        question["id"]: question
        for section in test.get("sections", [])
        for question in section.get("questions", [])
    }


def _shown_questions(by_version: dict[int, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Every question of the versions, as the newest of them has it, in its order; questions only
    older versions have come after."""
    shown: dict[str, dict[str, Any]] = {}
    for questions in by_version.values():  # the newest version first
        for question_id, question in questions.items():
            shown.setdefault(question_id, question)
    return shown


def _seconds_on_questions(
    chosen: QuerySet[Attempt, Any], ended: dict[int, dt.datetime | None]
) -> dict[tuple[int, str], float]:
    """The seconds on each question of each attempt: its ``viewed`` statements' times, summed."""
    views: dict[int, list[Statement]] = defaultdict(list)
    rows = (
        Statement.objects.filter(attempt__in=chosen, verb=Verb.VIEWED)
        .order_by("attempt_id", "timestamp", "stored")
        .only("id", "attempt_id", "question_id", "verb", "timestamp")
    )
    for row in rows:
        views[row.attempt_id].append(row)
    total: dict[tuple[int, str], float] = defaultdict(float)
    for attempt_id, attempt_views in views.items():
        if attempt_id not in ended:
            continue  # submitted between the two queries: not in the figures
        spent = time_on_questions(attempt_views, ended[attempt_id])
        for row in attempt_views:
            if row.id in spent:
                total[(attempt_id, row.question_id)] += spent[row.id]
    return dict(total)


def homework_choices(user: Any, material_id: int) -> list[Homework]:
    """The homework holding the test that the user reads through work, the latest due first:
    the page offers them as filters."""
    return list(
        _homework_holding(user, material_id)
        .select_related("class_group")
        .order_by("-due_on", "-pk")[:MAX_HOMEWORK_CHOICES]
    )
