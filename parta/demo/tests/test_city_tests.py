"""The benchmark city's tests and attempts: the library's tests carry valid questions; homework
gives them at about two a month per class group; the attempts, answers, statements and the
students' work agree with each other and with the assessment app's own rules, and read through
its selectors."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.assessment import definition, questions
from parta.assessment.access import access_attempt, access_own_attempt
from parta.assessment.models import Answer, Attempt, Grading, Mode, Statement, Verb
from parta.assessment.selectors import attempt_data, attempt_statements
from parta.assessment.services import homework_deadline
from parta.core.errors import FieldErrors
from parta.demo.generator import generate_city
from parta.demo.generator.catalogue import SUBJECTS
from parta.demo.generator.city_tests import city_tests_generate
from parta.demo.generator.library_city import library_generate_city
from parta.demo.generator.question_bank import BANKS, GENERIC, TEMPLATES_PER_SUBJECT, templates_of
from parta.homework.models import Homework, HomeworkCompletion, HomeworkMaterial, WorkStatus
from parta.homework.selectors_work import homework_completion, homework_students
from parta.homework.services import material_origin
from parta.library.content import checked_parts
from parta.library.models import Assignment, Kind, MaterialVersion, Status, Visibility

TODAY = dt.date(2026, 11, 23)
SEED = 5


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A small school, its city's library and the tests given in it, made once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = generate_city(
            schools=1,
            seed=SEED,
            grades=(3, 7),
            groups_per_grade=1,
            students_per_group=14,
            today=TODAY,
            load_framework=False,
        )
        library_generate_city(city=made.city, materials=1500, authors=25, seed=SEED, today=TODAY)
        counts = city_tests_generate(city=made.city, seed=SEED, today=TODAY)
        yield made, counts
        transaction.set_rollback(True)


@pytest.fixture
def counts(city, db):
    return city[1]


def test_every_template_is_a_valid_test_whose_right_answers_score_in_full():
    for code in [code for code, _ru, _en in SUBJECTS] + ["unknown"]:
        templates = templates_of(code)
        assert len(templates) == TEMPLATES_PER_SUBJECT
        for template in templates:
            errors = FieldErrors()
            assert checked_parts(Kind.TEST, {"test": template}, errors, None) == {"test": template}
            assert not errors.by_field, (code, errors.by_field)
            for section in template["sections"]:
                for question in section["questions"]:
                    right = questions.feedback(question, 7)["answer"]
                    if right is not None:
                        score = questions.score(question, questions.check_response(question, right), 7)
                        assert score.correct and score.points == question["points"], (code, question)
    assert all(len(bank) >= 5 for bank in BANKS.values()) and len(GENERIC) >= 5


def test_the_librarys_tests_carry_their_questions(city, db):
    tests = MaterialVersion.objects.filter(material__kind=Kind.TEST)
    assert tests.count() > 100
    for content in tests.values_list("content", flat=True):
        errors = FieldErrors()
        assert checked_parts(Kind.TEST, content, errors, None) == {"test": content["test"]}
        assert not errors.by_field
        assert content["body"]


def test_about_two_homework_a_month_give_a_usable_test_of_the_subject_and_grade(city, counts):
    made, _counts = city
    school = made.schools[0].school
    given = HomeworkMaterial.objects.select_related("homework__class_group", "homework__lesson", "material")
    assert given.count() == counts["homework with tests"] > 0
    per_group: Counter[int] = Counter()
    for row in given:
        homework, material = row.homework, row.material
        per_group[homework.class_group_id] += 1
        assert material.kind == Kind.TEST and material.status == Status.PUBLISHED
        assert material.visibility in (Visibility.CITY, Visibility.PUBLIC) or material.school_id == school.pk
        assert homework.subject_id in set(material.subjects.values_list("pk", flat=True))
        assert homework.class_group.grade in material.grades
        assert homework.lesson.date < TODAY < homework.lesson.date + dt.timedelta(days=120)
        assert homework.due_on > homework.lesson.date
        assert material.title in homework.text
        assignment = Assignment.objects.get(origin=material_origin(homework.pk))
        assert (assignment.material_id, assignment.class_group_id, assignment.lesson_id) == (
            material.pk,
            homework.class_group_id,
            homework.lesson_id,
        )
    # 1 September to 23 November: 2.7 months, about two a month, a class never given a test twice.
    assert all(3 <= n <= 10 for n in per_group.values()), per_group
    pairs = list(given.values_list("homework__class_group_id", "material_id"))
    assert len(pairs) == len(set(pairs))


def _questions_of(attempt):
    return definition.questions_of(attempt.version.content["test"], attempt.questions)


def test_attempts_are_drawn_answered_and_scored_by_the_tests_rules(city, counts):
    attempts = list(Attempt.objects.select_related("version", "material"))
    assert len(attempts) == counts["test attempts"] > 50
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.all():
        answers[answer.attempt_id].append(answer)
    assert sum(len(found) for found in answers.values()) == counts["test answers"]
    modes: Counter[str] = Counter()
    for attempt in attempts:
        modes[attempt.mode] += 1
        test = attempt.version.content["test"]
        drawn = definition.draw(test, attempt.seed)
        assert attempt.state == Attempt.State.SUBMITTED
        assert attempt.version_id == attempt.material.published_id
        assert attempt.mode == test["mode"]
        assert (attempt.questions, attempt.max_points) == (drawn.order, drawn.max_points)
        by_id = _questions_of(attempt)
        mine = answers[attempt.pk]
        assert {a.question_id for a in mine} <= set(attempt.questions)
        assert len({a.question_id for a in mine}) == len(mine)
        assert attempt.points == sum((a.points for a in mine if a.points is not None), Decimal(0))
        assert attempt.waiting == sum(1 for a in mine if a.points is None)
        submitted, results = attempt.submitted_at, attempt.results_at
        assert submitted is not None and results is not None and attempt.points is not None
        assert attempt.started_at < submitted <= results
        assert timezone.localdate(submitted) < TODAY
        for answer in mine:
            question = by_id[answer.question_id]
            clean = questions.check_response(question, answer.response)
            assert clean == answer.response
            assert answer.auto_points == questions.score(question, clean, attempt.seed).points
            assert attempt.started_at < answer.saved_at <= submitted
            if answer.graded_by_id is not None:
                assert question["type"] == "open"
                assert Grading.objects.get(answer=answer).points == answer.points
            elif answer.auto_points is not None:
                assert answer.points == answer.auto_points
        if attempt.deadline_at is not None:
            assert submitted <= attempt.deadline_at
    assert modes[Mode.TRAINING] and modes[Mode.CONTROL]
    # Right and wrong answers both, by the students' abilities.
    earned = [(a.points or 0) / a.max_points for a in attempts if a.max_points]
    assert 0.4 < sum(earned) / len(earned) < 0.85
    assert Grading.objects.count() == counts["test answers checked by hand"]


def test_attempts_are_made_the_evening_after_the_lesson_and_within_the_homeworks_rules(city, db):
    for attempt in Attempt.objects.select_related("homework__lesson", "homework__due_lesson", "version"):
        homework = attempt.homework
        assert homework is not None
        started = timezone.localtime(attempt.started_at)
        assert (started.date(), started.hour >= 16) == (homework.lesson.date, True)
        test = attempt.version.content["test"]
        deadline = homework_deadline(homework)
        if attempt.mode == Mode.CONTROL:
            assert attempt.deadline_at is not None and attempt.deadline_at <= deadline
        assert attempt.submitted_at is not None
        if attempt.mode == Mode.CONTROL and test["results"] == "after_deadline":
            assert attempt.results_at == max(attempt.submitted_at, deadline)
        else:
            assert attempt.results_at == attempt.submitted_at


def test_statements_are_those_the_service_writes(city, counts):
    attempts = {a.pk: a for a in Attempt.objects.all()}
    statements = defaultdict(list)
    for row in Statement.objects.order_by("timestamp", "verb"):
        statements[row.attempt_id].append(row)
    assert sum(len(rows) for rows in statements.values()) == counts["attempt statements"]
    answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    for answer in Answer.objects.all():
        answers[answer.attempt_id][answer.question_id] = answer
    for pk, attempt in attempts.items():
        rows = statements[pk]
        verbs = Counter(row.verb for row in rows)
        assert verbs[Verb.ATTEMPTED] == verbs[Verb.COMPLETED] == 1
        assert verbs[Verb.ANSWERED] == len(answers[pk])
        # Each question shown once (the browser reports it), before its answer.
        viewed = [row.question_id for row in rows if row.verb == Verb.VIEWED]
        assert len(viewed) == len(set(viewed)) and set(answers[pk]) <= set(viewed) <= set(attempt.questions)
        assert verbs[Verb.SCORED] == sum(1 for a in answers[pk].values() if a.graded_by_id)
        first, *_rest = rows
        assert (first.verb, first.timestamp, first.actor_id) == (
            Verb.ATTEMPTED,
            attempt.started_at,
            attempt.student_id,
        )
        seen = set()
        for row in rows:
            if row.verb == Verb.VIEWED:
                seen.add(row.question_id)
            if row.verb == Verb.ANSWERED:
                assert row.question_id in seen
                answer = answers[pk][row.question_id]
                assert row.timestamp == answer.saved_at
                assert row.result["response"] == answer.response
                assert row.result.get("score") == (
                    None if answer.auto_points is None else str(answer.auto_points)
                )
            elif row.verb == Verb.COMPLETED:
                assert row.timestamp == attempt.submitted_at
                assert row.result["max"] == attempt.max_points and row.result["completion"] is True
            elif row.verb == Verb.SCORED:
                assert row.actor_id == answers[pk][row.question_id].graded_by_id
    assert len(set(Statement.objects.values_list("pk", flat=True))) == Statement.objects.count()


def test_the_students_work_agrees_with_their_attempts(city, counts):
    by_work: dict[tuple[int | None, int], list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.order_by("number"):
        by_work[(attempt.homework_id, attempt.student_id)].append(attempt)
    works: dict[tuple[int | None, int], HomeworkCompletion] = {
        (w.homework_id, w.student_id): w
        for w in HomeworkCompletion.objects.filter(homework_id__in=[k[0] for k in by_work])
    }
    assert works.keys() == by_work.keys()
    assert len(works) == counts["test homework done"]
    statuses: Counter[str] = Counter()
    for key, taken in by_work.items():
        work = works[key]
        statuses[work.status] += 1
        assert [a.number for a in taken] == list(range(1, len(taken) + 1))
        assert work.done_at == taken[0].submitted_at
        if any(a.waiting == 0 for a in taken):
            assert work.status == WorkStatus.CHECKED and work.checked_at is not None
            assert work.checked_by_id is None
        else:
            assert work.status == WorkStatus.HANDED_IN and work.checked_at is None
    assert statuses[WorkStatus.CHECKED] > statuses[WorkStatus.HANDED_IN]
    # About 85 % of a class takes a test that is due.
    due = Homework.objects.filter(pk__in={k[0] for k in by_work}, due_on__lte=TODAY)
    given = sum(homework_students(homework).count() for homework in due)
    done = sum(1 for (homework, _student) in by_work if homework in {h.pk for h in due})
    assert 0.7 < done / given < 0.97


def test_attempts_read_through_the_selectors(city, db):
    attempts = list(Attempt.objects.order_by("pk"))
    students = User.objects.in_bulk({a.student_id for a in attempts})
    for attempt in attempts[::7]:
        student = students[attempt.student_id]
        mine = access_own_attempt(student, attempt.pk)
        shown = attempt_data(student, mine)
        assert [item["id"] for item in shown["questions"]] == attempt.questions
        assert attempt_statements(mine, "https://school.example")
        guardian = Guardianship.objects.filter(student=student).first()
        if guardian is not None:
            assert (
                attempt_data(guardian.guardian, access_attempt(guardian.guardian, attempt.pk))["id"]
                == attempt.pk
            )
    homework = Homework.objects.get(pk=attempts[0].homework_id or 0)
    teacher = User.objects.get(pk=homework.created_by_id)
    assert homework_completion(teacher, homework.pk)
