"""A test's statistics for the teacher: the computations on hand-worked examples and their
invariants, the selector's access and query budget, the API and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from parta.accounts.models import User
from parta.assessment import questions, selectors_statistics, services
from parta.assessment import statistics as stats
from parta.assessment.models import Attempt, Statement, Verb
from parta.assessment.tests.conftest import homework_with, make_test, quiz_content, single
from parta.homework.models import Homework
from parta.library.models import Material
from parta.library.services.authoring import MaterialData, material_save
from parta.testing.factories import api_key
from parta.testing.library import published
from parta.testing.world import World

# --- the computations ----------------------------------------------------------------------


def attempt(*items: tuple[Any, ...]) -> stats.AttemptItems:
    """An attempt from (question id, max points, points[, response[, seconds]]) tuples."""
    built = [
        stats.Item(qid, maximum, None if points is None else Decimal(str(points)), *rest)
        for qid, maximum, points, *rest in items
    ]
    return stats.AttemptItems({item.question_id: item for item in built})


SINGLE = single("q1")  # options a: "3", b: "4" (right), c: "5"


def test_the_distribution_bins_scores_by_tenths() -> None:
    attempts = [
        attempt(("q1", 6, 0)),  # 0 %        → [0, 10)
        attempt(("q1", 6, "0.6")),  # 10 %   → [10, 20): a bin includes its low end
        attempt(("q1", 6, 3)),  # 50 %       → [50, 60)
        attempt(("q1", 6, "5.99")),  # 99.8 % → [90, 100]
        attempt(("q1", 6, 6)),  # 100 %      → [90, 100]: full marks are in the last bin
        attempt(("q1", 3, 1), ("q2", 3, None)),  # 1 of 6, an answer waiting: 16.7 % → [10, 20)
    ]
    found = stats.distribution(attempts)
    assert [b.count for b in found.bins] == [1, 2, 0, 0, 0, 1, 0, 0, 0, 2]
    assert (found.bins[0].low, found.bins[0].high, found.bins[-1].high) == (0, 10, 100)
    assert (found.count, found.waiting) == (6, 1)
    # Scaled: 0, 0.1, 0.5, 0.99833, 1, 0.16667 → mean 2.765/6 = 0.46083; median (0.16667 + 0.5)/2.
    assert found.mean == 0.4608
    assert found.median == 0.3333


def test_nothing_submitted_gives_empty_figures() -> None:
    found = stats.summarise({"q1": SINGLE}, [])
    assert (found.distribution.count, found.distribution.mean, found.distribution.median) == (0, None, None)
    assert sum(b.count for b in found.distribution.bins) == 0
    (question,) = found.questions
    assert (question.drawn, question.difficulty, question.discrimination, question.median_seconds) == (
        0,
        None,
        None,
        None,
    )


def test_difficulty_and_discrimination_on_a_hand_worked_example() -> None:
    # q1 is worth 1 point, q2 4 points; five attempts.
    #   q1 fraction x:        1     1     1     0     0     → difficulty 3/5 = 0.6
    #   q2 points:            4     3     1     2     0     → difficulty 10/20 = 0.5
    #   rest of q1, y = q2/4: 1     0.75  0.25  0.5   0
    # mean x = 0.6, mean y = 0.5; dx = .4 .4 .4 −.6 −.6; dy = .5 .25 −.25 0 −.5
    # Sxy = .2 + .1 − .1 + 0 + .3 = 0.5; Sxx = 3 × .16 + 2 × .36 = 1.2; Syy = .25 + .0625 × 2 + .25 = 0.625
    # r = 0.5 / √(1.2 × 0.625) = 0.5 / √0.75 = 0.577 — and the same for q2, whose rest is q1.
    rows = [(1, 4), (1, 3), (1, 1), (0, 2), (0, 0)]
    attempts = [attempt(("q1", 1, q1), ("q2", 4, q2)) for q1, q2 in rows]
    found = stats.summarise({"q1": SINGLE, "q2": {**SINGLE, "id": "q2", "points": 4}}, attempts)
    first, second = found.questions
    assert (first.difficulty, first.discrimination) == (0.6, 0.577)
    assert (second.difficulty, second.discrimination) == (0.5, 0.577)
    assert (first.drawn, first.scored) == (5, 5)


def test_discrimination_needs_five_attempts_and_spread() -> None:
    four = [attempt(("q1", 1, q1), ("q2", 1, q2)) for q1, q2 in [(1, 1), (0, 0), (1, 0), (0, 1)]]
    assert stats.question_statistics(SINGLE, four).discrimination is None
    # Everyone right on q1: its score does not vary, r is undefined.
    all_right = [attempt(("q1", 1, 1), ("q2", 2, q2)) for q2 in (0, 1, 2, 1, 0)]
    assert stats.question_statistics(SINGLE, all_right).discrimination is None
    assert stats.question_statistics(SINGLE, all_right).difficulty == 1.0
    # A one-question test has no rest to compare with.
    alone = [attempt(("q1", 1, points)) for points in (1, 0, 1, 0, 1)]
    assert stats.question_statistics(SINGLE, alone).discrimination is None


def test_open_answers_waiting_are_left_out_of_their_question() -> None:
    essay = {"id": "q3", "type": "open", "text": "Explain why.", "points": 3}
    # Two checked (3 of 3, 1.5 of 3), one waiting: difficulty (1 + 0.5) / 2 = 0.75 over 2 scored.
    attempts = [
        attempt(("q3", 3, 3, {"text": "…", "files": []})),
        attempt(("q3", 3, "1.5", {"text": "…", "files": []})),
        attempt(("q3", 3, None, {"text": "…", "files": []})),
    ]
    found = stats.question_statistics(essay, attempts)
    assert (found.drawn, found.answered, found.scored, found.difficulty) == (3, 3, 2, 0.75)
    # Essays are not grouped as wrong answers.
    assert found.wrong_answers == ()


def test_the_most_common_wrong_answers_in_words() -> None:
    responses = ["a", "a", "c", "a", "c", "b", None]
    attempts = [attempt(("q1", 1, 1 if option == "b" else 0, {"option": option})) for option in responses] + [
        attempt(("q1", 1, 0))
    ]  # drawn but not answered: no response to count
    found = stats.question_statistics(SINGLE, attempts)
    assert [(w.text, w.count) for w in found.wrong_answers] == [("3", 3), ("5", 2)]
    assert found.wrong_answers[0].response == {"option": "a"}
    assert (found.drawn, found.answered) == (8, 7)


def test_only_three_wrong_answers_ties_in_a_stable_order() -> None:
    typed = {"id": "q5", "type": "short_text", "text": "The capital?", "points": 1}
    texts = ["Piter", "Kazan", "Kazan", "Omsk", "Tver", "Moscow"]
    attempts = [attempt(("q5", 1, 1 if text == "Moscow" else 0, {"text": text})) for text in texts]
    found = stats.question_statistics(typed, attempts)
    assert [(w.text, w.count) for w in found.wrong_answers] == [("Kazan", 2), ("Omsk", 1), ("Piter", 1)]


def test_partial_credit_is_a_wrong_answer() -> None:
    choose = {
        "id": "q6",
        "type": "multiple",
        "points": 2,
        "options": [{"id": "a", "text": "2"}, {"id": "b", "text": "3"}, {"id": "c", "text": "4"}],
        "correct": ["a", "b"],
    }
    attempts = [attempt(("q6", 2, 1, {"options": ["a"]})), attempt(("q6", 2, 2, {"options": ["a", "b"]}))]
    assert [(w.text, w.count) for w in stats.question_statistics(choose, attempts).wrong_answers] == [
        ("2", 1)
    ]


@pytest.mark.parametrize(
    ("question", "response", "text"),
    [
        (SINGLE, {"option": "c"}, "5"),
        (
            {"type": "multiple", "options": [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]},
            {"options": ["a", "b"]},
            "x, y",
        ),
        ({"type": "true_false"}, {"value": False}, "false"),
        ({"type": "short_text"}, {"text": "Питер"}, "Питер"),
        ({"type": "numeric"}, {"value": "3.5"}, "3.5"),
        (
            {
                "type": "matching",
                "left": [{"id": "l1", "text": "dog"}, {"id": "l2", "text": "cat"}],
                "right": [{"id": "r1", "text": "собака"}, {"id": "r2", "text": "кошка"}],
            },
            {"pairs": {"l1": "r2", "l2": "r1"}},
            "dog → кошка; cat → собака",
        ),
        (
            {"type": "ordering", "items": [{"id": "a", "text": "one"}, {"id": "b", "text": "two"}]},
            {"order": ["b", "a"]},
            "two, one",
        ),
        (
            {
                "type": "blanks",
                "gaps": {"1": {"variants": ["root"]}, "2": {"options": [{"id": "x", "text": "is"}]}},
            },
            {"gaps": {"1": "rot", "2": "x"}},
            "(1) rot; (2) is",
        ),
        # An option the question's newest version no longer has is shown by its id.
        (SINGLE, {"option": "z"}, "z"),
    ],
)
def test_responses_read_with_the_questions_texts(question: dict[str, Any], response: Any, text: str) -> None:
    assert stats.response_text(question, response) == text


def test_the_median_time_on_a_question() -> None:
    attempts = [
        attempt(("q1", 1, 1, {"option": "b"}, 10.0)),
        attempt(("q1", 1, 0, {"option": "a"}, 30.0)),
        attempt(("q1", 1, 1, {"option": "b"}, 20.0)),
        attempt(("q1", 1, 0, None, None)),  # never shown: not counted
    ]
    assert stats.question_statistics(SINGLE, attempts).median_seconds == 20.0


@st.composite
def attempts_strategy(draw: Any) -> list[stats.AttemptItems]:
    found = []
    for _ in range(draw(st.integers(0, 12))):
        ids = draw(st.lists(st.sampled_from(["q1", "q2", "q3", "q4"]), min_size=1, max_size=4, unique=True))
        items = []
        for qid in ids:
            maximum = draw(st.integers(1, 5))
            halves = draw(st.none() | st.integers(0, 2 * maximum))
            points = None if halves is None else Decimal(halves) / 2
            response = draw(st.none() | st.just({"option": draw(st.sampled_from(["a", "b", "c"]))}))
            seconds = draw(st.none() | st.floats(0, 3600))
            items.append((qid, maximum, points, response, seconds))
        found.append(attempt(*items))
    return found


@given(attempts_strategy())
def test_the_figures_keep_their_bounds(attempts: list[stats.AttemptItems]) -> None:
    definitions = {qid: {**SINGLE, "id": qid} for qid in ("q1", "q2", "q3", "q4")}
    found = stats.summarise(definitions, attempts)
    assert sum(b.count for b in found.distribution.bins) == found.distribution.count == len(attempts)
    for value in (found.distribution.mean, found.distribution.median):
        assert value is None or 0 <= value <= 1
    for question in found.questions:
        assert question.scored <= question.drawn and question.answered <= question.drawn
        assert question.difficulty is None or 0 <= question.difficulty <= 1
        assert question.discrimination is None or -1 <= question.discrimination <= 1
        assert question.discrimination is None or question.scored >= stats.MIN_FOR_DISCRIMINATION
        assert len(question.wrong_answers) <= stats.WRONG_ANSWERS
        assert question.median_seconds is None or question.median_seconds >= 0


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_every_score_has_one_bin(hundredths: int, maximum: int) -> None:
    points = min(Decimal(hundredths) / 100, Decimal(maximum))
    index = stats.score_bin(points, maximum)
    assert 0 <= index < stats.BINS
    # The bin holds the score: low ≤ percent < high (full marks in the last one).
    percent = points * 100 / maximum
    assert index * 10 <= percent and (percent < (index + 1) * 10 or index == stats.BINS - 1)


# --- through the database --------------------------------------------------------------------


def fresh(user: User) -> User:
    """The user as a new request has them (no roles read yet)."""
    return User.objects.get(pk=user.pk)


def right_numeric(attempt_row: Attempt) -> str:
    question = next(
        q
        for section in attempt_row.version.content["test"]["sections"]
        for q in section["questions"]
        if q["id"] == "q2"
    )
    return str(questions.feedback(question, attempt_row.seed)["answer"]["value"])


def take(
    student: User,
    material: Material,
    homework: Homework | None,
    answers: dict[str, Any],
    *,
    seconds: dict[str, int] | None = None,
) -> Attempt:
    """An attempt through the services: each question shown, then answered; ``seconds`` moves
    the questions' ``viewed`` times so that each took that long (the clock is the server's)."""
    started = services.attempt_start(student, material.pk, homework_id=homework.pk if homework else None)
    row = started.attempt
    for question_id, response in answers.items():
        services.attempt_viewed(student, row.pk, question_id)
        value = {"value": right_numeric(row)} if response == "right" else response
        services.answer_save(student, row.pk, question_id, value)
    submitted = services.attempt_submit(student, row.pk)
    if seconds:
        assert submitted.submitted_at is not None
        moment = submitted.submitted_at
        for question_id in reversed(list(seconds)):
            moment -= dt.timedelta(seconds=seconds[question_id])
            Statement.objects.filter(attempt=submitted, verb=Verb.VIEWED, question_id=question_id).update(
                timestamp=moment
            )
    return submitted


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def url(material: Material, **query: Any) -> str:
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/tests/{material.pk}/statistics" + (f"?{suffix}" if suffix else "")


@pytest.fixture
def class_work(world: World, quiz: Material) -> Homework:
    """Homework with the quiz; the student and the classmate took it five times between them."""
    homework = homework_with(world, quiz)
    a = world.a
    take(a.student, quiz, homework, {"q1": {"option": "b"}, "q2": "right"}, seconds={"q1": 20, "q2": 40})
    take(
        a.student, quiz, homework, {"q1": {"option": "a"}, "q2": {"value": "1"}}, seconds={"q1": 30, "q2": 50}
    )
    take(a.classmate, quiz, homework, {"q1": {"option": "a"}, "q2": "right"}, seconds={"q1": 10, "q2": 60})
    take(
        a.classmate,
        quiz,
        homework,
        {"q1": {"option": "c"}, "q2": {"value": "1"}},
        seconds={"q1": 40, "q2": 5},
    )
    essay = {"text": "Потому что.", "files": []}
    take(
        a.classmate,
        quiz,
        homework,
        {"q1": {"option": "b"}, "q2": "right", "q3": essay},
        seconds={"q1": 50, "q2": 10, "q3": 100},
    )
    return homework


@pytest.mark.django_db
def test_the_teacher_reads_the_homeworks_statistics(
    world: World, quiz: Material, class_work: Homework
) -> None:
    # One attempt outside homework, which the subject teacher does not read (the class teacher does).
    take(world.a.student, quiz, None, {"q1": {"option": "c"}})
    response = api(world.a.subject_teacher).get(url(quiz, homework=class_work.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["test"] == {"id": quiz.pk, "title": quiz.title}
    assert body["homework"] == class_work.pk
    distribution = body["distribution"]
    # Scores of 6: 3, 0, 2, 0, 3 (+ an open answer waiting) → 50 %, 0 %, 33 %, 0 %, 50 %.
    assert (distribution["count"], distribution["waiting"]) == (5, 1)
    assert [b["count"] for b in distribution["bins"]] == [2, 0, 0, 1, 0, 2, 0, 0, 0, 0]
    assert distribution["median"] == pytest.approx(1 / 3, abs=1e-4)
    by_id = {q["id"]: q for q in body["questions"]}
    assert list(by_id) == ["q1", "q2", "q3"]
    q1 = by_id["q1"]
    assert (q1["drawn"], q1["answered"], q1["scored"], q1["difficulty"]) == (5, 5, 5, 0.4)
    assert q1["wrong_answers"] == [
        {"response": {"option": "a"}, "text": "3", "count": 2},
        {"response": {"option": "c"}, "text": "5", "count": 1},
    ]
    # 20, 30, 10, 40, 50 seconds.
    assert q1["median_seconds"] == 30.0
    assert by_id["q2"]["median_seconds"] == 40.0
    # q1, x: 1 0 0 0 1; the rest (of 5 points; the waiting essay counts 0): 2 0 2 0 2, y: .4 0 .4 0 .4.
    # mean x = 0.4, mean y = 0.24; dx = .6 −.4 −.4 −.4 .6; dy = .16 −.24 .16 −.24 .16
    # Sxy = .096 + .096 − .064 + .096 + .096 = 0.32; Sxx = 2 × .36 + 3 × .16 = 1.2;
    # Syy = 3 × .0256 + 2 × .0576 = 0.192; r = 0.32 / √(1.2 × 0.192) = 0.32 / 0.48 = 0.667.
    assert q1["discrimination"] == 0.667
    # The open answer waits for the teacher: no difficulty yet, not a wrong answer.
    q3 = by_id["q3"]
    assert (q3["drawn"], q3["answered"], q3["scored"], q3["difficulty"]) == (5, 1, 4, 0.0)
    assert q3["wrong_answers"] == []
    # Without ?homework= the subject teacher reads the same five; the class teacher all six.
    assert api(world.a.subject_teacher).get(url(quiz)).json()["distribution"]["count"] == 5
    assert api(world.a.class_teacher).get(url(quiz)).json()["distribution"]["count"] == 6


@pytest.mark.django_db
def test_each_attempt_is_scored_against_its_own_version(world: World, quiz: Material) -> None:
    homework = homework_with(world, quiz)
    take(world.a.student, quiz, homework, {"q1": {"option": "b"}})
    # The author makes q1 worth 2 points and drops the open question; the new version is published.
    content = quiz_content()
    content["test"]["sections"][0]["questions"] = [
        single("q1", points=2),
        content["test"]["sections"][0]["questions"][1],
    ]
    material_save(world.a.subject_teacher, quiz.pk, data=MaterialData(title=quiz.title, content=content))
    published(quiz, world.methodologist)
    second = take(world.a.classmate, quiz, homework, {"q1": {"option": "a"}})
    assert second.max_points == 4
    body = api(world.a.subject_teacher).get(url(quiz, homework=homework.pk)).json()
    by_id = {q["id"]: q for q in body["questions"]}
    # The newest version's points and order, and the question only the old version has after them.
    assert list(by_id) == ["q1", "q2", "q3"]
    assert by_id["q1"]["points"] == 2
    # 1 of 1 and 0 of 2: (1 + 0) / 2.
    assert by_id["q1"]["difficulty"] == 0.5
    assert (by_id["q3"]["drawn"], by_id["q3"]["difficulty"]) == (1, 0.0)
    # 1 of 6 → [10, 20); 0 of 4 → [0, 10).
    assert [b["count"] for b in body["distribution"]["bins"]][:2] == [1, 1]


@pytest.mark.django_db
def test_the_selector_reads_in_a_fixed_number_of_queries(
    world: World, quiz: Material, class_work: Homework
) -> None:
    def count() -> int:
        teacher = fresh(world.a.subject_teacher)
        with CaptureQueriesContext(connection) as queries:
            found = selectors_statistics.test_statistics(teacher, quiz.pk, homework_id=class_work.pk)
        assert found.statistics.distribution.count >= 5
        return len(queries)

    few = count()
    for _ in range(4):
        take(world.a.student, quiz, class_work, {"q1": {"option": "b"}, "q2": "right"}, seconds={"q1": 5})
    # Roles, what was given at the school (library.access, kept after a first read), the test, the
    # homework, then attempts, versions, answers and viewed statements.
    assert count() == few <= 8


@pytest.mark.django_db
def test_only_staff_see_statistics(world: World, quiz: Material, class_work: Homework) -> None:
    for person in (
        world.a.student,
        world.a.parent,
        world.a.classmate_parent,
        world.outsider,
        world.methodologist,
    ):
        assert api(person).get(url(quiz)).status_code == 404, person
        assert api(person).get(url(quiz, homework=class_work.pk)).status_code == 404, person
    # Another school's teacher may open the published test but reads none of its attempts.
    other = api(world.b.subject_teacher)
    empty = other.get(url(quiz))
    assert empty.status_code == 200
    assert empty.json()["distribution"]["count"] == 0
    assert empty.json()["questions"] == []
    assert other.get(url(quiz, homework=class_work.pk)).status_code == 404
    assert api(world.b.admin).get(url(quiz, homework=class_work.pk)).status_code == 404
    # A draft nobody else may open is not there for them at all.
    draft = make_test(world.a.subject_teacher)
    assert other.get(url(draft)).status_code == 404
    assert APIClient().get(url(quiz)).status_code == 401
    # The homework must hold the test.
    assert api(world.a.subject_teacher).get(url(draft, homework=class_work.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", str(2**63)])
def test_a_bad_homework_is_400(world: World, quiz: Material, value: str) -> None:
    response = api(world.a.subject_teacher).get(url(quiz, homework=value))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["homework"]


# --- the page -----------------------------------------------------------------------------------


def page(user: User | None, material: Material, homework: Homework | None = None) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    query = f"?homework={homework.pk}" if homework is not None else ""
    return client.get(f"/tests/{material.pk}/statistics/{query}")


@pytest.mark.django_db
def test_the_page_shows_the_chart_and_the_questions(
    world: World, quiz: Material, class_work: Homework
) -> None:
    response = page(world.a.subject_teacher, quiz, class_work)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="score-chart"' in html and 'id="score-chart-data"' in html
    assert "Question q1: 2 + 2 = ?" in html
    assert "× 2" in html  # the most common wrong answer, twice
    assert f'<option value="{class_work.pk}" selected>' in html
    # A bad ?homework= is ignored by the page: all the attempts the teacher reads.
    client = Client()
    client.force_login(world.a.subject_teacher)
    assert client.get(f"/tests/{quiz.pk}/statistics/?homework=abc").status_code == 200


@pytest.mark.django_db
def test_the_page_is_not_there_for_others(world: World, quiz: Material, class_work: Homework) -> None:
    for person in (world.a.student, world.a.parent, world.b.subject_teacher, world.b.admin, world.outsider):
        assert page(person, quiz, class_work).status_code == 404, person
    # Another school's teacher opens the published test's page, with no attempts of theirs on it.
    empty = page(world.b.subject_teacher, quiz)
    assert empty.status_code == 200
    assert "No submitted attempts yet." in empty.content.decode()
    assert page(None, quiz, class_work).status_code == 302
