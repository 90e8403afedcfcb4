"""Self-preparation for the final exams: the catalogue of training tests by exam and subject, with
a student's progress at each; and what the progress report (``selectors_progress``) shares with it —
whose progress is shown, a score's percentage, each test's subjects.

Rules (each tested in ``tests/test_prep.py``):

- A test is in the catalogue when its published version is marked with an exam
  (``definition.EXAMS``: a training test, unlimited attempts) and it is published, verified by a
  methodologist, for the city or for everyone — and the reader may open it
  (``library.access.materials_readable_by``). A newer draft of it changes nothing until published.
- OGE is the exam of grade 9, EGE of grade 11: a student sees their own grade's exam first (grades
  up to 9 OGE, 10 and 11 EGE); a guardian their child's; anyone else OGE, then EGE.
- Progress is a student's own attempts at the test outside homework (the start page's attempts),
  counted once submitted with their results out: how many, the best and the last score as a share
  of the maximum, and the change since the attempt before the last.
- Whose progress: a student's own; a guardian's child's (``?student=``, their first child by
  default). Anyone else's child is a 404 (``schools.access.access_child``); staff and others see
  the catalogue without progress.

Each function reads a fixed number of queries whatever the number of tests and attempts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.accounts.models import User
from parta.assessment import definition
from parta.assessment.access import attempts_readable_by
from parta.assessment.models import Attempt
from parta.core.i18n import picker
from parta.core.ids import parse_id
from parta.library.access import materials_readable_by
from parta.library.models import Kind, Material, Visibility
from parta.schools.access import access_child, roles_of

OGE, EGE = definition.EXAMS
EXAM_GRADES = {OGE: 9, EGE: 11}
EXAM_NAMES = definition.EXAM_NAMES
EXAM_DESCRIPTIONS = {
    OGE: _("The basic state exam at the end of grade 9"),
    EGE: _("The unified state exam at the end of grade 11"),
}
# Published for these audiences, a test is the city's: verified by a methodologist.
PREP_AUDIENCES = (Visibility.CITY, Visibility.PUBLIC)

_EXAM = "published__content__test__exam"
_EXAM_TASK = "published__content__test__exam_task"
_SUBJECT_COLUMNS = ("subject__code", "subject__name_ru", "subject__name_en", "subject__order")


def prep_tests_readable_by(user: Any) -> Q:
    """A Q over Material: the exam-preparation tests in the user's catalogue (the module's rules)."""
    return materials_readable_by(user) & Q(
        kind=Kind.TEST,
        published__isnull=False,
        visibility__in=PREP_AUDIENCES,
        **{f"{_EXAM}__in": definition.EXAMS},
    )


def exam_of_grade(grade: int | None) -> str | None:
    """The final exam a student of ``grade`` prepares for: OGE up to grade 9, EGE after."""
    if grade is None:
        return None
    return OGE if grade <= EXAM_GRADES[OGE] else EGE


def exams_in_order(grade: int | None) -> list[str]:
    """The exams, the student's own first."""
    own = exam_of_grade(grade)
    return sorted(definition.EXAMS, key=lambda exam: (exam != own, definition.EXAMS.index(exam)))


# --- whose progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Learner:
    """A student whose preparation the reader follows: themself, or a guardian's child."""

    id: int
    name: str
    grade: int | None
    is_self: bool


def _learners(user: Any, ids: Iterable[int]) -> list[Learner]:
    """These students with their names and latest grade (one query), the user first, then by name."""
    own = roles_of(user).user_id
    rows = (
        User.objects.filter(pk__in=set(ids), is_active=True)
        .annotate(grade=Max("enrolments__class_group__grade"))
        .only("username", "first_name", "last_name", "middle_name")
    )
    found = [Learner(row.pk, row.full_name or row.username, row.grade, row.pk == own) for row in rows]
    return sorted(found, key=lambda learner: (not learner.is_self, learner.name, learner.id))


@dataclass(frozen=True)
class Whose:
    """The student whose progress is shown (None: none — staff, a student's classmate's guardian…),
    and the others the reader may switch to."""

    learner: Learner | None
    learners: list[Learner]


def whose_progress(user: Any, student_id: int | None) -> Whose:
    """The student ``student_id`` (themself or the user's child, else 404), or by default the user
    if a student, else their first child; the user's students to choose from."""
    roles = roles_of(user)
    family = set(roles.child_ids) | ({roles.user_id} if roles.is_student else set())
    if student_id is not None:
        # Yourself or your child (a superuser anyone): 404 for anyone else, probing nothing.
        access_child(user, student_id)
        family.add(student_id)
    learners = _learners(user, family) if family else []
    if student_id is not None:
        chosen = next((learner for learner in learners if learner.id == student_id), None)
    else:
        chosen = learners[0] if learners else None
    return Whose(chosen, learners)


# --- progress at a test --------------------------------------------------------------------------


def percent(points: Decimal | int | None, max_points: int) -> int:
    """A score as a whole percentage of the maximum, rounded half up."""
    if not max_points or points is None:
        return 0
    share = Decimal(points) * 100 / max_points
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Progress:
    """A student's attempts at one test, scored (oldest first), and whether one is in progress."""

    scores: tuple[int, ...] = ()
    in_progress: bool = False

    @property
    def attempts(self) -> int:
        return len(self.scores)

    @property
    def best(self) -> int | None:
        return max(self.scores) if self.scores else None

    @property
    def last(self) -> int | None:
        return self.scores[-1] if self.scores else None

    @property
    def change(self) -> int | None:
        """The last score less the one before it, in percentage points; None under two attempts."""
        return self.scores[-1] - self.scores[-2] if len(self.scores) > 1 else None

    @property
    def trend(self) -> str:
        """ "up", "down" or "same" since the attempt before the last; "" under two attempts."""
        change = self.change
        if change is None:
            return ""
        return "up" if change > 0 else "down" if change < 0 else "same"


def _scored(attempt: Mapping[str, Any], now: dt.datetime) -> bool:
    return (
        attempt["state"] == Attempt.State.SUBMITTED
        and attempt["results_at"] is not None
        and attempt["results_at"] <= now
    )


def _progress_at(user: Any, student_id: int, material_ids: list[int]) -> dict[int, Progress]:
    """The student's progress at each of these tests (one query)."""
    if not material_ids:
        return {}
    rows = (
        Attempt.objects.filter(
            attempts_readable_by(user),
            student_id=student_id,
            material_id__in=material_ids,
            homework__isnull=True,
        )
        .order_by("started_at", "pk")
        .values("material_id", "state", "results_at", "points", "max_points")
    )
    now = timezone.now()
    scores: dict[int, list[int]] = defaultdict(list)
    open_ids: set[int] = set()
    for row in rows:
        if row["state"] == Attempt.State.IN_PROGRESS:
            open_ids.add(row["material_id"])
        elif _scored(row, now):
            scores[row["material_id"]].append(percent(row["points"], row["max_points"]))
    return {
        material_id: Progress(tuple(scores.get(material_id, ())), material_id in open_ids)
        for material_id in material_ids
    }


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectRef:
    id: int
    code: str
    name: str
    order: int


def subjects_of(material_ids: list[int]) -> dict[int, list[SubjectRef]]:
    """Each test's subjects in the city's order (one query); the progress report's too."""
    if not material_ids:
        return {}
    pick = picker()
    through = Material.subjects.through
    rows = (
        through.objects.filter(material_id__in=material_ids)
        .order_by("subject__order", "subject__code")
        .values_list("material_id", "subject_id", *_SUBJECT_COLUMNS)
    )
    found: dict[int, list[SubjectRef]] = defaultdict(list)
    for material_id, pk, code, name_ru, name_en, order in rows:
        found[material_id].append(SubjectRef(pk, code, pick(name_ru, name_en), order))
    return found


@dataclass(frozen=True)
class PrepTest:
    id: int
    title: str
    description: str
    exam: str
    exam_task: int | None
    duration_minutes: int | None
    subjects: tuple[SubjectRef, ...]
    # The learner's progress; None when the catalogue is read for no student.
    progress: Progress | None


@dataclass(frozen=True)
class SubjectTests:
    # None: tests that name no subject.
    subject: SubjectRef | None
    tests: list[PrepTest]


@dataclass(frozen=True)
class ExamTests:
    exam: str
    name: str
    description: str
    grade: int
    own: bool
    subjects: list[SubjectTests]

    @property
    def count(self) -> int:
        return len({test.id for group in self.subjects for test in group.tests})


@dataclass(frozen=True)
class Catalogue:
    whose: Whose
    exams: list[ExamTests]
    # The tests as filtered, in the catalogue's order (each once), for the API.
    tests: list[PrepTest]
    exam: str | None
    subject: SubjectRef | None
    # Every subject with tests in the catalogue (whatever the filters), for choosing one.
    subject_choices: list[SubjectRef] = field(default_factory=list)


def _subject_matches(subject: SubjectRef, wanted: str) -> bool:
    return wanted == subject.code or parse_id(wanted) == subject.id


def prep_catalogue(
    user: Any, *, exam: str | None = None, subject: str | None = None, student_id: int | None = None
) -> Catalogue:
    """The exam-preparation tests the user may open, by exam (the learner's first) and subject,
    each with the learner's progress (``whose_progress``); ``exam`` and ``subject`` (an id or a
    code) narrow them down. A subject no test has leaves none."""
    whose = whose_progress(user, student_id)
    rows = list(
        Material.objects.filter(prep_tests_readable_by(user))
        .order_by("title", "pk")
        .values("pk", "title", "description", "duration_minutes", _EXAM, _EXAM_TASK)
    )
    ids = [row["pk"] for row in rows]
    subjects = subjects_of(ids)
    progress = _progress_at(user, whose.learner.id, ids) if whose.learner is not None else {}
    choices = sorted(
        {ref for refs in subjects.values() for ref in refs}, key=lambda ref: (ref.order, ref.code)
    )
    chosen = next((ref for ref in choices if subject and _subject_matches(ref, subject)), None)
    tests = [
        PrepTest(
            id=row["pk"],
            title=row["title"],
            description=row["description"],
            exam=row[_EXAM],
            exam_task=exam_task_of(row[_EXAM_TASK]),
            duration_minutes=row["duration_minutes"],
            subjects=tuple(subjects.get(row["pk"], ())),
            progress=progress.get(row["pk"]) if whose.learner is not None else None,
        )
        for row in rows
    ]
    tests = [
        test
        for test in tests
        if (exam is None or test.exam == exam)
        and (not subject or (chosen is not None and chosen in test.subjects))
    ]
    grade = whose.learner.grade if whose.learner is not None else None
    order = exams_in_order(grade)
    tests.sort(key=lambda test: (order.index(test.exam), *_place(test)))
    return Catalogue(
        whose=whose,
        exams=[_exam_tests(code, tests, grade) for code in order if exam is None or code == exam],
        tests=tests,
        exam=exam,
        subject=chosen,
        subject_choices=choices,
    )


def exam_task_of(raw: Any) -> int | None:
    """The exam's task a test's content names, if a whole number."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _place(test: PrepTest) -> tuple[int, str, int, str, int]:
    """A test's place within its exam: by its first subject, then task, then title."""
    first = test.subjects[0] if test.subjects else None
    return (
        first.order if first else 10_000,
        first.code if first else "",
        test.exam_task or 1_000,
        test.title,
        test.id,
    )


def _exam_tests(code: str, tests: list[PrepTest], grade: int | None) -> ExamTests:
    by_subject: dict[SubjectRef | None, list[PrepTest]] = defaultdict(list)
    for test in tests:
        if test.exam != code:
            continue
        for ref in test.subjects or (None,):
            by_subject[ref].append(test)
    groups = sorted(by_subject.items(), key=lambda item: (item[0] is None, *subject_key(item[0])))
    return ExamTests(
        exam=code,
        name=str(EXAM_NAMES[code]),
        description=str(EXAM_DESCRIPTIONS[code]),
        grade=EXAM_GRADES[code],
        own=exam_of_grade(grade) == code,
        subjects=[
            SubjectTests(ref, sorted(group, key=lambda test: _place(test)[2:])) for ref, group in groups
        ],
    )


def subject_key(ref: SubjectRef | None) -> tuple[int, str]:
    """A subject group's place: the city's order of subjects."""
    return (ref.order, ref.code) if ref is not None else (0, "")
