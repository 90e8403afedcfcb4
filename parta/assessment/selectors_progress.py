"""Self-preparation for the final exams: a student's progress report over their attempts at the
training tests. Whose progress it is, a score's percentage and the tests' subjects come from the
catalogue's ``selectors_prep``.

Rules (each tested in ``tests/test_prep.py``):

- The report lists, by subject and test, every attempt's score — at tests marked with an exam in
  the version the attempt was made at, so that a test since withdrawn keeps its history — and, by
  topic, the share of the points earned on the questions that carry the topic.
- Whose report: as the catalogue's progress (``selectors_prep.whose_progress``); none for a user
  who follows no student.

Each function reads a fixed number of queries whatever the number of tests and attempts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parta.assessment import definition
from parta.assessment.access import attempts_readable_by
from parta.assessment.models import Answer, Attempt
from parta.assessment.selectors_prep import (
    Progress,
    SubjectRef,
    Whose,
    exam_task_of,
    percent,
    subject_key,
    subjects_of,
    whose_progress,
)
from parta.core.i18n import picker
from parta.curriculum.models import Topic
from parta.library.models import MaterialVersion

Row = dict[str, Any]


@dataclass(frozen=True)
class ScoredAttempt:
    id: int
    # The attempt's place among the student's scored attempts at the test, from 1.
    number: int
    submitted_at: dt.datetime | None
    points: Decimal
    max_points: int
    percent: int


@dataclass(frozen=True)
class TestHistory:
    id: int
    title: str
    exam: str
    exam_task: int | None
    attempts: list[ScoredAttempt]

    @property
    def progress(self) -> Progress:
        return Progress(tuple(attempt.percent for attempt in self.attempts))


@dataclass(frozen=True)
class SubjectHistory:
    subject: SubjectRef | None
    tests: list[TestHistory]

    def chart(self) -> Row:
        """The figures of the subject's chart: attempt numbers, and a line of scores per test."""
        longest = max((len(test.attempts) for test in self.tests), default=0)
        return {
            "labels": [str(number) for number in range(1, longest + 1)],
            "series": [
                {"label": test.title, "scores": [attempt.percent for attempt in test.attempts]}
                for test in self.tests
            ],
        }


@dataclass(frozen=True)
class TopicResult:
    id: int
    title: str
    subject_id: int
    # The topic's questions in the scored attempts, each counted once per attempt it was drawn in.
    questions: int
    points: Decimal
    max_points: int
    # The share of the points in the latest attempt that had a question on the topic.
    last_percent: int

    @property
    def percent(self) -> int:
        return percent(self.points, self.max_points)


@dataclass(frozen=True)
class ProgressReport:
    whose: Whose
    subjects: list[SubjectHistory]
    topics: list[TopicResult]

    @property
    def attempts(self) -> int:
        return sum(len(test.attempts) for group in self.subjects for test in group.tests)

    @property
    def tests_taken(self) -> int:
        return sum(len(group.tests) for group in self.subjects)


def prep_progress(user: Any, student_id: int | None = None) -> ProgressReport | None:
    """The learner's (``whose_progress``) exam-preparation attempts by subject and test, oldest
    first, and their results by topic; None when the user follows no student."""
    whose = whose_progress(user, student_id)
    if whose.learner is None:
        return None
    rows = list(
        Attempt.objects.filter(
            attempts_readable_by(user),
            student_id=whose.learner.id,
            homework__isnull=True,
            state=Attempt.State.SUBMITTED,
            results_at__lte=timezone.now(),
            version__content__test__exam__in=definition.EXAMS,
        )
        .order_by("submitted_at", "pk")
        .values(
            "pk",
            "material_id",
            "material__title",
            "version_id",
            "questions",
            "submitted_at",
            "points",
            "max_points",
            "version__content__test__exam",
            "version__content__test__exam_task",
        )
    )
    ids = list(dict.fromkeys(row["material_id"] for row in rows))
    subjects = subjects_of(ids)
    tests: dict[int, TestHistory] = {}
    for row in rows:
        test = tests.get(row["material_id"])
        if test is None:
            test = tests[row["material_id"]] = TestHistory(
                id=row["material_id"],
                title=row["material__title"],
                exam=row["version__content__test__exam"],
                exam_task=exam_task_of(row["version__content__test__exam_task"]),
                attempts=[],
            )
        test.attempts.append(
            ScoredAttempt(
                id=row["pk"],
                number=len(test.attempts) + 1,
                submitted_at=row["submitted_at"],
                points=row["points"] or Decimal(0),
                max_points=row["max_points"],
                percent=percent(row["points"], row["max_points"]),
            )
        )
    by_subject: dict[SubjectRef | None, list[TestHistory]] = defaultdict(list)
    for test in tests.values():
        by_subject[subjects[test.id][0] if subjects.get(test.id) else None].append(test)
    ordered = sorted(by_subject.items(), key=lambda item: (item[0] is None, *subject_key(item[0])))
    groups = [
        SubjectHistory(ref, sorted(group, key=lambda test: (test.exam, test.exam_task or 1_000, test.title)))
        for ref, group in ordered
    ]
    return ProgressReport(whose=whose, subjects=groups, topics=_topic_results(rows))


@dataclass
class _TopicTotal:
    questions: int = 0
    points: Decimal = Decimal(0)
    max_points: int = 0
    last: int = 0

    def add(self, points: Decimal, max_points: int, questions: int = 1) -> None:
        self.questions += questions
        self.points += points
        self.max_points += max_points


def _topic_results(attempts: Sequence[Mapping[str, Any]]) -> list[TopicResult]:
    """The points earned by topic over the attempts (oldest first): the questions drawn that carry
    topics, from the attempts' versions (one query), their answers (one), the topics' titles (one).
    A question not answered counts as 0; one waiting for a teacher is left out."""
    if not attempts:
        return []
    versions = dict(
        MaterialVersion.objects.filter(pk__in={row["version_id"] for row in attempts}).values_list(
            "pk", "content"
        )
    )
    topics_of: dict[int, dict[str, tuple[list[int], int]]] = {}
    for version_id, content in versions.items():
        test = (content or {}).get(definition.KEY) or {}
        topics_of[version_id] = {
            question["id"]: (list(question.get("topic_ids") or []), int(question.get("points", 1)))
            for section in test.get("sections", [])
            for question in section.get("questions", [])
            if question.get("topic_ids")
        }
    if not any(topics_of.values()):
        return []
    earned: dict[tuple[int, str], Decimal | None] = {
        (attempt_id, question_id): points
        for attempt_id, question_id, points in Answer.objects.filter(
            attempt_id__in=[row["pk"] for row in attempts]
        ).values_list("attempt_id", "question_id", "points")
    }
    totals: dict[int, _TopicTotal] = {}
    for row in attempts:
        in_attempt: dict[int, _TopicTotal] = defaultdict(_TopicTotal)
        questions = topics_of.get(row["version_id"], {})
        for question_id in row["questions"]:
            if question_id not in questions:
                continue
            topic_ids, points = questions[question_id]
            got = earned.get((row["pk"], question_id), Decimal(0))
            if got is None:
                continue  # waiting for a teacher
            for topic_id in topic_ids:
                in_attempt[topic_id].add(got, points)
        for topic_id, part in in_attempt.items():
            total = totals.setdefault(topic_id, _TopicTotal())
            total.add(part.points, part.max_points, part.questions)
            # The attempts come oldest first: the last one's share stays.
            total.last = percent(part.points, part.max_points)
    pick = picker()
    names = {
        pk: (pick(title_ru, title_en), subject_id)
        for pk, title_ru, title_en, subject_id in Topic.objects.filter(pk__in=totals).values_list(
            "pk", "title_ru", "title_en", "subject_id"
        )
    }
    results = [
        TopicResult(
            id=topic_id,
            title=names[topic_id][0],
            subject_id=names[topic_id][1],
            questions=total.questions,
            points=total.points,
            max_points=total.max_points,
            last_percent=total.last,
        )
        for topic_id, total in totals.items()
        if topic_id in names  # a topic since removed from the framework is left out
    ]
    return sorted(results, key=lambda result: (result.percent, result.title))
