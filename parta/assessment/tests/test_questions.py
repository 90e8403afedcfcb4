"""The question types: checking a definition, what a student is shown, checking and scoring a
response, parameterised variants and their formulas, and training mode's feedback. Plain functions:
no database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from parta.assessment.expressions import ExpressionError, evaluate
from parta.assessment.questions import (
    MAX_QUESTIONS_PER_TEST,
    TYPES,
    check_manual_points,
    check_question,
    check_response,
    feedback,
    score,
    shown,
)
from parta.core.errors import FieldErrors

AUTO_TYPES = sorted(TYPES - {"open"})


def options(*ids: str) -> list[dict[str, str]]:
    return [{"id": option, "text": f"Option {option}"} for option in ids]


def clean(raw: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    question = check_question(raw, 1, errors)
    assert not errors, errors.by_field
    return question


def problems(raw: object) -> list[str]:
    errors = FieldErrors()
    check_question(raw, 3, errors)
    return errors.by_field.get("content", [])


def points(question: dict[str, Any], response: dict[str, Any] | None, seed: int = 0) -> Decimal | None:
    cleaned = None if response is None else check_response(question, response)
    return score(question, cleaned, seed).points


def refusal(question: dict[str, Any], response: object) -> str:
    with pytest.raises(ValidationError) as raised:
        check_response(question, response)
    return raised.value.message_dict["response"][0]


# One of each type, with secrets (answers, variants, explanations) written so that a leak shows.
EXAMPLES: dict[str, dict[str, Any]] = {
    "single": {
        "id": "capital",
        "type": "single",
        "text": "The capital of France?",
        "options": [{"id": "a", "text": "Lyon"}, {"id": "b", "text": "Paris"}, {"id": "c", "text": "Nice"}],
        "correct": "b",
        "explanation": "SECRET-EXPLANATION since 508.",
    },
    "multiple": {
        "type": "multiple",
        "text": "Which are primes?",
        "options": options("a", "b", "c", "d", "e", "f"),
        "correct": ["c", "a", "b"],
        "points": 3,
        "shuffle": True,
    },
    "true_false": {"type": "true_false", "text": "Water boils at 100 °C at sea level.", "correct": True},
    "short_text": {
        "type": "short_text",
        "text": "Who founded Saint Petersburg?",
        "variants": ["SECRET Пётр Первый", "SECRET Петр I"],
    },
    "numeric": {
        "type": "numeric",
        "text": "Half of seven?",
        "answer": "3,5",
        "tolerance": "0,1",
        "explanation": "SECRET-EXPLANATION",
    },
    "matching": {
        "type": "matching",
        "text": "Match the country with its capital.",
        "left": [
            {"id": "fr", "text": "France"},
            {"id": "de", "text": "Germany"},
            {"id": "it", "text": "Italy"},
        ],
        "right": [
            {"id": "paris", "text": "Paris"},
            {"id": "berlin", "text": "Berlin"},
            {"id": "rome", "text": "Rome"},
            {"id": "madrid", "text": "Madrid"},
        ],
        "pairs": {"fr": "paris", "de": "berlin", "it": "rome"},
        "points": 3,
    },
    "ordering": {
        "type": "ordering",
        "text": "Oldest first.",
        "items": options("a", "b", "c", "d"),
        "points": 3,
    },
    "blanks": {
        "type": "blanks",
        "text": "The [[1]] is the capital of [[2]], on the [[3]].",
        "gaps": {
            "1": {"variants": ["SECRET city"]},
            "2": {
                "options": [{"id": "fr", "text": "France"}, {"id": "es", "text": "Spain"}],
                "correct": "fr",
            },
            "3": {"variants": ["SECRET Seine"]},
        },
        "points": 2,
    },
    "open": {"type": "open", "text": "Explain why the sky is blue.", "points": 4},
}
QUESTIONS = {kind: clean(raw) for kind, raw in EXAMPLES.items()}
PARAMETERISED = clean(
    {
        "id": "product",
        "type": "numeric",
        "text": "{a} × {b} = ?",
        "params": {"a": {"min": 2, "max": 9}, "b": {"min": 2, "max": 9}},
        "answer": "a*b",
        "explanation": "{a} × {b} is SECRET.",
    }
)


def test_the_types_and_the_limit():
    expected = {
        "single",
        "multiple",
        "true_false",
        "short_text",
        "numeric",
        "matching",
        "ordering",
        "blanks",
        "open",
    }
    assert expected == TYPES
    assert MAX_QUESTIONS_PER_TEST == 200


# --- definitions ---------------------------------------------------------------------------------


def test_a_definition_is_cleaned_to_known_keys_with_defaults():
    raw = {
        "id": " capital ",
        "type": "single",
        "text": "  The capital of France?  ",
        "options": [{"id": "a", "text": " Lyon ", "colour": "red"}, {"id": "b", "text": "Paris"}],
        "correct": "b",
        "image": "https://example.org/france.png",
        "topic_ids": [4, 4, 7],
        "outcomes": [" knows capitals ", ""],
        "unknown": "dropped",
    }
    assert clean(raw) == {
        "id": "capital",
        "type": "single",
        "text": "The capital of France?",
        "image": "https://example.org/france.png",
        "points": 1,
        "topic_ids": [4, 7],
        "outcomes": ["knows capitals"],
        "explanation": "",
        "shuffle": False,
        "params": {},
        "options": [{"id": "a", "text": "Lyon"}, {"id": "b", "text": "Paris"}],
        "correct": "b",
    }


def test_a_missing_id_comes_from_the_number_and_a_material_may_be_the_image():
    errors = FieldErrors()
    question = check_question(
        {"type": "true_false", "text": "Yes?", "correct": False, "image": 12}, 7, errors
    )
    assert not errors
    assert (question["id"], question["image"], question["correct"]) == ("q7", 12, False)


def test_the_type_specific_parts_are_kept_exactly():
    assert QUESTIONS["multiple"]["correct"] == ["a", "b", "c"]  # in the options' order
    assert (QUESTIONS["numeric"]["answer"], QUESTIONS["numeric"]["tolerance"]) == ("3.5", "0.1")
    assert QUESTIONS["short_text"]["case_sensitive"] is False
    assert QUESTIONS["short_text"]["ignore_spaces"] is False
    assert QUESTIONS["matching"]["pairs"] == {"fr": "paris", "de": "berlin", "it": "rome"}
    assert QUESTIONS["blanks"]["gaps"]["2"] == {
        "options": EXAMPLES["blanks"]["gaps"]["2"]["options"],
        "correct": "fr",
    }
    assert QUESTIONS["open"]["allow_files"] is True
    assert PARAMETERISED["params"] == {
        "a": {"min": "2", "max": "9", "step": "1"},
        "b": {"min": "2", "max": "9", "step": "1"},
    }
    stepped = clean(
        {
            "type": "numeric",
            "text": "?",
            "answer": "x",
            "params": {"x": {"min": 0.5, "max": "2,5", "step": 0.25}},
        }
    )
    assert stepped["params"] == {"x": {"min": "0.5", "max": "2.5", "step": "0.25"}}


def with_(kind: str, **changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(EXAMPLES[kind])
    raw.update(changes)
    return raw


def with_gap(first: object) -> dict[str, Any]:
    return with_("blanks", gaps={"1": first, "2": {"variants": ["a"]}, "3": {"variants": ["b"]}})


def with_params(params: object) -> dict[str, Any]:
    return with_("numeric", answer="7", params=params)


TWO_OPTIONS_BUT = [{"id": "b", "text": "B"}]
MALFORMED = [
    ("not a dict", ["a question"], "describe it as an object with a type and a text."),
    ("unknown type", {"type": "essay", "text": "?"}, "choose its type: blanks, matching,"),
    ("no text", with_("true_false", text="   "), "write its text, at most 10000 characters."),
    ("text too long", with_("true_false", text="x" * 10_001), "write its text"),
    ("bad id", with_("true_false", id="Q 1"), "its id may hold a–z, 0–9, _ and -, up to 40 characters."),
    ("id too long", with_("true_false", id="q" * 41), "its id may hold"),
    ("zero points", with_("true_false", points=0), "points must be a whole number from 1 to 100."),
    ("true as points", with_("true_false", points=True), "points must be a whole number"),
    ("http image", with_("true_false", image="http://example.org/a.png"), "the image must be an https://"),
    ("zero material", with_("true_false", image=0), "the image must be an https://"),
    ("topics", with_("true_false", topic_ids=["4"]), "topics must be a list of at most 20 topic ids."),
    ("outcomes", with_("true_false", outcomes=[1]), "outcomes must be at most 20 texts"),
    ("explanation", with_("true_false", explanation=["x"]), "the explanation must be a text"),
    ("shuffle", with_("single", shuffle="yes"), "“shuffle” must be true or false."),
    ("one option", with_("single", options=options("a")), "options: give from 2 to 20."),
    ("no option id", with_("single", options=[{"text": "A"}, *TWO_OPTIONS_BUT]), "options: each needs an id"),
    ("empty option", with_("single", options=[{"id": "a", "text": " "}, *TWO_OPTIONS_BUT]), "options: each"),
    ("same ids", with_("single", options=options("a", "a")), "options: the ids must differ."),
    ("unknown correct", with_("single", correct="z"), "mark the correct option."),
    ("no correct", with_("multiple", correct=[]), "mark the correct options, each once."),
    ("twice correct", with_("multiple", correct=["a", "a"]), "mark the correct options, each once."),
    ("unknown of several", with_("multiple", correct=["a", "z"]), "mark the correct options, each once."),
    ("not a bool", with_("true_false", correct="true"), "mark whether the statement is true or false."),
    ("no variants", with_("short_text", variants=[]), "accepted answers: give from 1 to 20"),
    ("blank variant", with_("short_text", variants=["a", " "]), "accepted answers: give from 1 to 20"),
    ("case flag", with_("short_text", case_sensitive=1), "“case_sensitive” must be true or false."),
    ("no answer", with_("numeric", answer=None), "give the answer: a number or a formula over the params."),
    ("negative tolerance", with_("numeric", tolerance=-1), "the tolerance must be a number, 0 or more."),
    ("text tolerance", with_("numeric", tolerance="some"), "the tolerance must be a number, 0 or more."),
    ("import", with_("numeric", answer="__import__('os').system('ls')"), "the answer's formula: only"),
    ("not a param", with_("numeric", answer="x + 1"), "the answer's formula: “x” is not a parameter"),
    ("unreadable", with_("numeric", answer="2 +* 3"), "the answer's formula: it cannot be read"),
    ("pair missing", with_("matching", pairs={"fr": "paris", "de": "berlin"}), "match every item on"),
    ("right twice", with_("matching", pairs={"fr": "paris", "de": "paris", "it": "rome"}), "match every"),
    ("unknown right", with_("matching", pairs={"fr": "paris", "de": "oslo", "it": "rome"}), "match every"),
    ("left column", with_("matching", left=[]), "left column: give from 2 to 20."),
    ("one item", with_("ordering", items=options("a")), "items: give from 2 to 20."),
    ("no gaps", with_("blanks", text="No gaps here."), "mark from 1 to 20 gaps in the text as [[1]]"),
    ("gap twice", with_("blanks", text="[[1]] [[1]] [[2]] [[3]]"), "each once."),
    ("gap undescribed", with_("blanks", text="[[1]] [[2]] [[3]] [[4]]"), "describe every gap of the text"),
    ("gap of nothing", with_gap("x"), "gap 1: give its accepted answers or its options."),
    ("gap variants", with_gap({"variants": []}), "gap 1 answers: give from 1 to 20"),
    (
        "gap correct",
        with_gap({"options": options("a", "b"), "correct": "c"}),
        "gap 1: mark the correct option.",
    ),
    ("gap options", with_gap({"options": options("a"), "correct": "a"}), "gap 1 options: give from 2 to 20."),
    ("files flag", with_("open", allow_files="no"), "“allow_files” must be true or false."),
    ("params not a dict", with_params([1]), "give at most 5 params, each as {min, max, step}."),
    ("six params", with_params({n: {"min": 1, "max": 2} for n in "abcdef"}), "give at most 5 params"),
    ("param name", with_params({"A": {"min": 1, "max": 2}}), "a param's name is a lower-case letter"),
    ("function as name", with_params({"round": {"min": 1, "max": 2}}), "a param's name"),
    ("min above max", with_params({"a": {"min": 3, "max": 2}}), "param “a”: give numbers min ≤ max"),
    ("no max", with_params({"a": {"min": 3}}), "param “a”: give numbers min ≤ max"),
    ("zero step", with_params({"a": {"min": 1, "max": 2, "step": 0}}), "param “a”: give numbers"),
    ("1001 values", with_params({"a": {"min": 0, "max": 1000}}), "for at most 1000 values."),
]


@pytest.mark.parametrize(
    ("raw", "message"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_a_malformed_definition_is_reported_by_question_number(raw, message):
    found = problems(raw)
    assert found, "no problem reported"
    assert all(problem.startswith("Question 3: ") for problem in found)
    assert any(message in problem for problem in found), found


def test_a_thousand_values_of_a_param_are_allowed():
    assert not problems(with_("numeric", params={"a": {"min": 0, "max": 999}}))  # 0, 1, …, 999


def test_a_formula_is_checked_at_every_corner_of_the_params():
    # 1 / (a − 9) has a value at a = 2 but none at a = 9, the max.
    found = problems(with_("numeric", answer="1 / (a - 9)", params={"a": {"min": 2, "max": 9}}))
    assert found == ["Question 3: the answer's formula: it has no value here (a division by zero?)."]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
KNOWN_KEYS = [
    "id", "text", "image", "points", "topic_ids", "outcomes", "explanation", "shuffle", "params", "options",
    "correct", "variants", "case_sensitive", "ignore_spaces", "answer", "tolerance", "left", "right", "pairs",
    "items", "gaps", "allow_files",
]  # fmt: skip


@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"type": st.sampled_from(sorted(TYPES))}, optional=dict.fromkeys(KNOWN_KEYS, json_values)
        ),
    )
)
def test_check_question_never_raises(raw):
    errors = FieldErrors()
    question = check_question(raw, 1, errors)
    assert isinstance(question, dict)
    assert set(errors.by_field) <= {"content"}


def test_messages_go_under_the_given_field():
    errors = FieldErrors()
    check_question({}, 4, errors, field="questions")
    assert set(errors.by_field) == {"questions"}


# --- scoring, by hand ----------------------------------------------------------------------------


def test_single_is_all_or_nothing():
    question = QUESTIONS["single"]
    assert points(question, {"option": "b"}) == Decimal("1.00")
    assert points(question, {"option": "a"}) == Decimal("0.00")
    assert points(question, {}) == Decimal("0.00")  # nothing chosen
    assert points(question, None) == Decimal("0.00")
    assert score(question, {"option": "a"}, 0).detail == {"options": {"a": False}}


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["a", "b", "c"], "3.00"),  # 3 × (3 − 0) / 3
        (["a", "b"], "2.00"),  # 3 × (2 − 0) / 3
        (["a", "b", "d"], "1.00"),  # 3 × (2 − 1) / 3
        (["a", "d", "e"], "0.00"),  # 3 × max(0, 1 − 2) / 3
        (["a", "b", "c", "d", "e", "f"], "0.00"),  # 3 × (3 − 3) / 3: everything scores nothing
        ([], "0.00"),
    ],
)
def test_multiple_gives_a_point_per_right_option_less_one_per_wrong_one(chosen, expected):
    assert points(QUESTIONS["multiple"], {"options": chosen}) == Decimal(expected)


def test_multiple_rounds_half_up_to_cents():
    two = clean(with_("multiple", points=2))
    assert points(two, {"options": ["a"]}) == Decimal("0.67")  # 2 × 1 / 3 = 0.666…
    eight = clean(
        {"type": "multiple", "text": "?", "options": options(*"abcdefghi"), "correct": list("abcdefgh")}
    )
    assert points(eight, {"options": ["a"]}) == Decimal("0.13")  # 1 × 1 / 8 = 0.125, half up (not 0.12)
    detail = score(QUESTIONS["multiple"], {"options": ["a", "d"]}, 0).detail
    assert detail == {"options": {"a": True, "d": False}}


def test_true_false():
    question = QUESTIONS["true_false"]
    assert points(question, {"value": True}) == Decimal("1.00")
    assert points(question, {"value": False}) == Decimal("0.00")
    assert points(question, {"value": None}) == Decimal("0.00")


@pytest.mark.parametrize(
    ("rules", "typed", "right"),
    [
        ({}, "  secret   пётр   первый ", True),  # case and spaces
        ({}, "SECRET Петр Первый", True),  # ё read as е
        ({}, "SECRET Пе\u0308тр Первый", True),  # ё typed as е + combining diaeresis
        ({}, "secret петр i", True),  # the second variant
        ({}, "SECRET ПётрПервый", False),  # spaces are collapsed, not removed
        ({"ignore_spaces": True}, "SECRET ПётрПервый", True),
        ({"case_sensitive": True}, "secret пётр первый", False),
        ({"case_sensitive": True}, "SECRET Петр Первый", True),  # ё folding holds when case counts
        ({}, "", False),
        ({}, "SECRET Пётр", False),
    ],
)
def test_short_text_rules(rules, typed, right):
    question = clean(with_("short_text", **rules))
    assert points(question, {"text": typed}) == (Decimal("1.00") if right else Decimal("0.00"))


@pytest.mark.parametrize(
    ("value", "right"),
    [
        ("3,5", True),
        ("3.5", True),
        (3.5, True),
        ("3,6", True),  # |3.6 − 3.5| = 0.1 ≤ 0.1, exactly: decimals, not floats
        ("3.4", True),
        ("3.61", False),  # 0.11 > 0.1
        (" 3 , 5 ", True),  # spaces dropped
        ("−3,5", False),  # a typographic minus reads as a minus
        (None, False),
    ],
)
def test_numeric_within_the_tolerance(value, right):
    assert points(QUESTIONS["numeric"], {"value": value}) == (Decimal("1.00") if right else Decimal("0.00"))


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ({"fr": "paris", "de": "berlin", "it": "rome"}, "3.00"),  # 3 × 3 / 3
        ({"fr": "paris", "de": "berlin"}, "2.00"),  # 3 × 2 / 3, a partial answer
        ({"fr": "paris", "de": "rome", "it": "berlin"}, "1.00"),  # 3 × 1 / 3
        ({"fr": "madrid", "de": "madrid", "it": "madrid"}, "0.00"),  # the distractor, three times
    ],
)
def test_matching_gives_a_share_per_pair(pairs, expected):
    assert points(QUESTIONS["matching"], {"pairs": pairs}) == Decimal(expected)


def test_matching_detail_names_each_left_item():
    detail = score(QUESTIONS["matching"], {"pairs": {"fr": "paris", "de": "rome"}}, 0).detail
    assert detail == {"pairs": {"fr": True, "de": False, "it": False}}


@pytest.mark.parametrize(
    ("order", "question_points", "expected"),
    [
        (["a", "b", "c", "d"], 3, "3.00"),  # links ab, bc, cd all right: 3 × 3 / 3
        (["b", "c", "d", "a"], 3, "2.00"),  # bc, cd right, da wrong: 3 × 2 / 3
        (["d", "c", "b", "a"], 3, "0.00"),  # reversed: no link right
        (["a", "c", "b", "d"], 3, "0.00"),  # ac, cb, bd: none follows directly
        (["b", "a", "c", "d"], 1, "0.33"),  # only cd: 1 × 1 / 3
        (["a", "b", "d", "c"], 2, "0.67"),  # only ab: 2 × 1 / 3
        ([], 3, "0.00"),
    ],
)
def test_ordering_counts_the_links_in_the_right_order(order, question_points, expected):
    question = clean(with_("ordering", points=question_points))
    assert points(question, {"order": order}) == Decimal(expected)


def test_ordering_detail_is_the_links():
    assert score(QUESTIONS["ordering"], {"order": ["b", "c", "d", "a"]}, 0).detail == {
        "links": [True, True, False]
    }


def test_blanks_give_a_share_per_gap():
    question = QUESTIONS["blanks"]
    response = {"gaps": {"1": "secret CITY", "2": "fr", "3": "Thames"}}
    result = score(question, check_response(question, response), 0)
    assert result.points == Decimal("1.33")  # 2 × 2 / 3 = 1.333…
    assert result.correct is False
    assert result.detail == {"gaps": {"1": True, "2": True, "3": False}}
    assert points(question, {"gaps": {"2": "es"}}) == Decimal("0.00")  # one wrong gap, two empty


def test_open_waits_for_the_teacher_unless_nothing_was_handed_in():
    question = QUESTIONS["open"]
    assert score(question, check_response(question, {"text": "Rayleigh scattering."}), 0).points is None
    assert score(question, check_response(question, {"files": [5]}), 0).correct is None
    assert score(question, check_response(question, {"text": "  "}), 0).points == Decimal("0.00")
    assert score(question, None, 0) == score(question, {"text": "", "files": []}, 0)
    assert score(question, None, 0).max_points == 4


@pytest.mark.parametrize(
    ("given", "expected"), [(0, "0.00"), ("2,5", "2.50"), (Decimal("4"), "4.00"), (3.5, "3.50")]
)
def test_manual_points_in_half_steps(given, expected):
    assert check_manual_points(QUESTIONS["open"], given) == Decimal(expected)


@pytest.mark.parametrize("given", [-0.5, 4.5, "2.25", "many", None, True])
def test_manual_points_out_of_range_or_off_step(given):
    with pytest.raises(ValidationError) as raised:
        check_manual_points(QUESTIONS["open"], given)
    assert raised.value.message_dict == {"points": ["Give from 0 to 4 points in steps of 0.5."]}


def test_a_score_knows_its_maximum_and_full_marks():
    result = score(
        QUESTIONS["multiple"], check_response(QUESTIONS["multiple"], {"options": ["a", "b", "c"]}), 0
    )
    assert (result.points, result.max_points, result.correct) == (Decimal("3.00"), 3, True)


# --- responses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "response", "message"),
    [
        ("single", "b", "The answer has the wrong shape."),
        ("single", {"option": "z"}, "Choose one of the options given."),
        ("single", {"option": 1}, "Choose one of the options given."),
        ("multiple", {"options": "a"}, "The answer has the wrong shape."),
        ("multiple", {"options": ["a", "z"]}, "Choose one of the options given."),
        ("multiple", {"options": ["a"] * 21}, "The answer has the wrong shape."),
        ("true_false", {"value": "yes"}, "Answer true or false."),
        ("short_text", {"text": 5}, "Write the answer as a text."),
        ("short_text", {"text": "x" * 10_001}, "The answer is too long: at most 10000 characters."),
        ("numeric", {"value": "three"}, "Enter a number, such as 3,5."),
        ("numeric", {"value": "1e5"}, "Enter a number, such as 3,5."),
        ("numeric", {"value": True}, "Enter a number, such as 3,5."),
        ("numeric", {"value": float("nan")}, "Enter a number, such as 3,5."),
        ("matching", {"pairs": ["fr", "paris"]}, "The answer has the wrong shape."),
        ("matching", {"pairs": {"es": "madrid"}}, "Match only the items given."),
        ("matching", {"pairs": {"fr": "oslo"}}, "Choose one of the options given."),
        ("ordering", {"order": ["a", "b", "c"]}, "Put every item in order, each once."),
        ("ordering", {"order": ["a", "b", "c", "c"]}, "Put every item in order, each once."),
        ("ordering", {"order": ["a", "b", "c", 4]}, "Put every item in order, each once."),
        ("blanks", {"gaps": {"4": "x"}}, "Fill only the gaps of the text."),
        ("blanks", {"gaps": {"2": "Italy"}}, "Choose one of the options given."),
        ("blanks", {"gaps": {"1": ["city"]}}, "Write the answer as a text."),
        ("blanks", {"gaps": {"1": "x" * 1001}}, "The answer is too long: at most 1000 characters."),
        ("open", {"text": "x" * 10_001}, "The answer is too long: at most 10000 characters."),
        ("open", {"files": [0]}, "The answer has the wrong shape."),
        ("open", {"files": "5"}, "The answer has the wrong shape."),
        ("open", {"files": list(range(1, 12))}, "The answer has the wrong shape."),
    ],
)
def test_a_malformed_response_is_refused(kind, response, message):
    assert refusal(QUESTIONS[kind], response) == message


def test_files_only_where_the_question_takes_them():
    question = clean(with_("open", allow_files=False))
    assert refusal(question, {"text": "Mine.", "files": [3]}) == "This question takes no files."


@pytest.mark.parametrize(
    ("kind", "response", "cleaned"),
    [
        ("single", {}, {"option": None}),
        ("multiple", {"options": ["c", "a", "a"], "extra": 1}, {"options": ["a", "c"]}),
        ("true_false", {}, {"value": None}),
        ("short_text", {"text": "  Пётр  "}, {"text": "Пётр"}),
        ("numeric", {"value": " "}, {"value": None}),
        ("numeric", {"value": "3,50"}, {"value": "3.5"}),
        ("numeric", {"value": 2}, {"value": "2"}),
        ("matching", {"pairs": {"fr": "paris", "de": None}}, {"pairs": {"fr": "paris"}}),
        ("ordering", {}, {"order": []}),
        ("blanks", {"gaps": {"3": "Seine", "1": "", "2": "fr"}}, {"gaps": {"2": "fr", "3": "Seine"}}),
        ("open", {"text": "Because.", "files": [3, 3, 4]}, {"text": "Because.", "files": [3, 4]}),
    ],
)
def test_a_partial_response_is_valid_and_cleaned(kind, response, cleaned):
    assert check_response(QUESTIONS[kind], response) == cleaned


# --- what the student sees -----------------------------------------------------------------------


def walk(value: object) -> Iterator[tuple[str | None, object]]:
    """Every (key, scalar) of a JSON-like value, with the key of each dict entry as (key, None)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, None
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
    else:
        yield None, value


def keys_and_texts(value: object) -> tuple[set[str], list[str]]:
    found = list(walk(value))
    keys = {key for key, _scalar in found if key is not None}
    return keys, [scalar for key, scalar in found if key is None and isinstance(scalar, str)]


SECRET_KEYS = {
    "correct", "variants", "tolerance", "explanation", "answer", "pairs", "case_sensitive", "ignore_spaces",
    "params", "outcomes", "topic_ids", "shuffle",
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shown_never_leaks_an_answer(kind, seed):
    view = shown(QUESTIONS[kind], seed)
    keys, texts = keys_and_texts(view)
    assert not keys & SECRET_KEYS
    assert not any("SECRET" in text for text in texts)
    assert {"id", "type", "text", "image", "points"} <= keys


def test_shown_numeric_never_shows_the_answer_nor_the_formula():
    for seed in range(20):
        keys, texts = keys_and_texts(shown(PARAMETERISED, seed))
        answer = feedback(PARAMETERISED, seed)["answer"]["value"]
        assert answer not in texts
        assert not any("a*b" in text or "SECRET" in text for text in texts)
        assert not keys & SECRET_KEYS


def test_shown_keeps_the_order_unless_asked_to_shuffle():
    assert shown(QUESTIONS["single"], 3)["options"] == EXAMPLES["single"]["options"]
    orders = {
        tuple(option["id"] for option in shown(QUESTIONS["multiple"], seed)["options"]) for seed in range(10)
    }
    assert len(orders) > 1
    assert shown(QUESTIONS["multiple"], 5) == shown(QUESTIONS["multiple"], 5)


def test_the_right_column_is_always_shuffled_and_the_left_kept():
    firsts = set()
    for seed in range(20):
        view = shown(QUESTIONS["matching"], seed)
        assert [item["id"] for item in view["left"]] == ["fr", "de", "it"]
        assert sorted(item["id"] for item in view["right"]) == ["berlin", "madrid", "paris", "rome"]
        firsts.add(view["right"][0]["id"])
    assert len(firsts) > 1


@pytest.mark.parametrize("count", [2, 3, 4])
def test_ordering_items_are_never_shown_in_the_right_order(count):
    question = clean({"type": "ordering", "text": "?", "items": options(*"abcd"[:count])})
    for seed in range(60):
        assert [item["id"] for item in shown(question, seed)["items"]] != list("abcd"[:count])


def test_blanks_show_the_kind_of_each_gap():
    assert shown(QUESTIONS["blanks"], 0)["gaps"] == {
        "1": {"kind": "text"},
        "2": {"kind": "choice", "options": [{"id": "fr", "text": "France"}, {"id": "es", "text": "Spain"}]},
        "3": {"kind": "text"},
    }
    assert shown(QUESTIONS["open"], 0)["allow_files"] is True


# --- params --------------------------------------------------------------------------------------


def test_params_are_the_same_for_an_attempt_and_differ_between_attempts():
    assert shown(PARAMETERISED, 41) == shown(PARAMETERISED, 41)
    texts = {shown(PARAMETERISED, seed)["text"] for seed in range(30)}
    assert len(texts) > 10
    for text in texts:
        a, b = (int(part) for part in text.removesuffix(" = ?").split(" × "))
        assert 2 <= a <= 9
        assert 2 <= b <= 9


def test_neighbours_with_one_seed_get_other_numbers():
    other = PARAMETERISED | {"id": "product-2"}
    assert any(shown(PARAMETERISED, seed)["text"] != shown(other, seed)["text"] for seed in range(5))


def test_a_param_steps_through_decimals():
    question = clean(
        {"type": "numeric", "text": "{x}", "answer": "x", "params": {"x": {"min": 1, "max": 2, "step": 0.25}}}
    )
    assert {shown(question, seed)["text"] for seed in range(60)} == {"1", "1.25", "1.5", "1.75", "2"}


def test_the_answer_and_the_explanation_follow_the_params():
    for seed in range(10):
        a, b = (int(part) for part in shown(PARAMETERISED, seed)["text"].removesuffix(" = ?").split(" × "))
        assert feedback(PARAMETERISED, seed) == {
            "answer": {"value": str(a * b)},
            "explanation": f"{a} × {b} is SECRET.",
        }
        assert points(PARAMETERISED, {"value": a * b}, seed) == Decimal("1.00")
        assert points(PARAMETERISED, {"value": a * b + 1}, seed) == Decimal("0.00")


def test_placeholders_keep_tex_groups_and_unknown_braces():
    question = clean(
        {"type": "numeric", "text": r"$\frac{a}{2}$ is {a}, {z} stays, $$x^{2}+{a}$$", "answer": "a / 2",
         "params": {"a": {"min": 12, "max": 12}}}
    )  # fmt: skip
    assert shown(question, 0)["text"] == r"$\frac{12}{2}$ is 12, {z} stays, $$x^{2}+{12}$$"


def test_options_are_filled_in_too():
    question = clean(
        {"type": "single", "text": "{n} + 1?", "params": {"n": {"min": 4, "max": 4}},
         "options": [{"id": "a", "text": "{n}"}, {"id": "b", "text": "more than {n}"}], "correct": "b"}
    )  # fmt: skip
    assert shown(question, 0)["options"] == [{"id": "a", "text": "4"}, {"id": "b", "text": "more than 4"}]


def test_a_draw_without_a_value_is_drawn_again():
    # 1 / (a − 3): defined at the corners 2 and 5, not at 3.
    question = clean(with_("numeric", answer="1 / (a - 3)", params={"a": {"min": 2, "max": 5}}, text="{a}"))
    assert "3" not in {shown(question, seed)["text"] for seed in range(40)}


def test_past_the_redraws_every_param_takes_its_min():
    # √(a·(a − 999)) has a value only at a = 0 and a = 999: most seeds run out of draws.
    question = clean(
        with_(
            "numeric", answer="(a * (a - 999)) ** 0.5 + a", params={"a": {"min": 0, "max": 999}}, text="{a}"
        )
    )
    seen = {shown(question, seed)["text"] for seed in range(10)}
    assert seen <= {"0", "999"}
    assert "0" in seen
    for seed in range(10):
        assert points(question, feedback(question, seed)["answer"], seed) == Decimal("1.00")


# --- the formula evaluator -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("a*b+1", "7"),
        ("0.1 + 0.2", "0.3"),  # decimal arithmetic
        ("-a ** 2", "-4"),
        ("(a + b) / 2", "2.5"),
        ("round(a / 3, 2)", "0.67"),
        ("round(2.5)", "3"),  # half up, as at school
        ("round(-2.5)", "-3"),
        ("abs(a - b)", "1"),
        ("min(a, b, 1) + max(a, b)", "4"),
        ("2 ** -2", "0.25"),
        ("4 ** 0.5", "2"),
    ],
)
def test_the_evaluator_computes(formula, expected):
    assert evaluate(formula, {"a": Decimal(2), "b": Decimal(3)}) == Decimal(expected)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os')", "only numbers, parameters"),
        ("__import__('os').system('ls')", "only numbers, parameters"),
        ("a.__class__", "only numbers, parameters"),
        ("(1).real", "only numbers, parameters"),
        ("c + 1", "“c” is not a parameter of the question."),
        ("round", "“round” is not a parameter"),
        ("2 ** 1000", "an exponent is beyond 100."),
        ("2 ** 10 ** 10", "an exponent is beyond 100."),
        ("9 ** 99", "a value is beyond 10^18."),
        ("10 ** 19", "a value is beyond 10^18."),
        ("1e999", "a value is beyond 10^18."),
        ("lambda: 1", "only numbers, parameters"),
        ("[a for a in (1, 2)]", "only numbers, parameters"),
        ("'a'", "only numbers, parameters"),
        ("True + 1", "only numbers, parameters"),
        ("1j", "only numbers, parameters"),
        ("a if a else 1", "only numbers, parameters"),
        ("a < 1", "only numbers, parameters"),
        ("a // 1", "only numbers, parameters"),
        ("a % 2", "only numbers, parameters"),
        ("abs(a=1)", "only numbers, parameters"),
        ("round(*[1])", "only numbers, parameters"),
        ("min()", "min() is given the wrong number of values."),
        ("round(1, 2, 3)", "round() is given the wrong number of values."),
        ("round(1, 0.5)", "round() keeps from 0 to 10 decimal places."),
        ("1 / 0", "it has no value here"),
        ("0 ** -1", "it has no value here"),
        ("(-8) ** (1 / 3)", "it has no value here"),
        ("2 +", "it cannot be read as a formula."),
        ("a\x00", "it cannot be read as a formula."),
        ("1" + "+1" * 100, "it is longer than 200 characters."),
    ],
)
def test_the_evaluator_refuses(formula, message):
    with pytest.raises(ExpressionError) as raised:
        evaluate(formula, {"a": Decimal(2)})
    assert message in str(raised.value)


# --- feedback ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("single", {"option": "b"}),
        ("multiple", {"options": ["a", "b", "c"]}),
        ("true_false", {"value": True}),
        ("short_text", {"text": "SECRET Пётр Первый"}),
        ("numeric", {"value": "3.5"}),
        ("matching", {"pairs": {"fr": "paris", "de": "berlin", "it": "rome"}}),
        ("ordering", {"order": ["a", "b", "c", "d"]}),
        ("blanks", {"gaps": {"1": "SECRET city", "2": "fr", "3": "SECRET Seine"}}),
        ("open", None),
    ],
)
def test_feedback_gives_the_answer_in_the_shape_of_a_response(kind, answer):
    assert feedback(QUESTIONS[kind], 9)["answer"] == answer
    assert feedback(QUESTIONS[kind], 9)["explanation"] == EXAMPLES[kind].get("explanation", "")


# --- properties ----------------------------------------------------------------------------------

FORMULAS = ["a * b + 1", "a / b", "round(a / 3, 2)", "a ** 2 - b", "max(a, b) - min(a, b)", "abs(a - b) / 4"]
small_ids = st.lists(st.from_regex(r"[a-z]{1,3}", fullmatch=True), min_size=2, max_size=6, unique=True)
phrases = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12)


def param() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"min": st.integers(-5, 5), "max": st.integers(5, 12), "step": st.sampled_from([1, "0.5", "0.25", 3])}
    )


@st.composite
def auto_questions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(AUTO_TYPES))
    raw: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True)),
        "type": kind,
        "text": "What is it?",
        "points": draw(st.integers(1, 10)),
        "shuffle": draw(st.booleans()),
    }
    ids = draw(small_ids)
    choices = [{"id": item, "text": f"text {item}"} for item in ids]
    if kind == "single":
        raw.update(options=choices, correct=draw(st.sampled_from(ids)))
    elif kind == "multiple":
        raw.update(options=choices, correct=draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)))
    elif kind == "true_false":
        raw.update(correct=draw(st.booleans()))
    elif kind == "short_text":
        raw.update(
            variants=draw(st.lists(phrases.filter(str.strip), min_size=1, max_size=3)),
            case_sensitive=draw(st.booleans()),
            ignore_spaces=draw(st.booleans()),
        )
    elif kind == "numeric":
        raw.update(
            params={"a": draw(param()), "b": draw(param())},
            answer=draw(st.sampled_from([*FORMULAS, "-2,5", 7])),
            tolerance=draw(st.sampled_from([0, "0.01", "0.5"])),
        )
    elif kind == "matching":
        left = ids[: draw(st.integers(2, len(ids)))]
        targets = [f"r{index}" for index in range(len(ids))]
        right = draw(st.permutations(targets))
        raw.update(
            left=[{"id": item, "text": item} for item in left],
            right=[{"id": item, "text": item} for item in targets],
            pairs=dict(zip(left, right, strict=False)),
        )
    elif kind == "ordering":
        raw.update(items=choices)
    else:
        count = draw(st.integers(1, 4))
        raw["text"] = " ".join(f"[[{number}]]" for number in range(1, count + 1))
        raw["gaps"] = {
            str(number): draw(
                st.one_of(
                    st.fixed_dictionaries(
                        {"variants": st.lists(phrases.filter(str.strip), min_size=1, max_size=2)}
                    ),
                    st.just({"options": choices, "correct": ids[0]}),
                )
            )
            for number in range(1, count + 1)
        }
    errors = FieldErrors()
    question = check_question(raw, 1, errors)
    assume(not errors)  # a formula may have no value at a corner of its params (a / b with b = 0)
    return question


@st.composite
def responses(draw: st.DrawFn, question: dict[str, Any]) -> dict[str, Any]:
    kind = question["type"]
    ids = [option["id"] for option in question.get("options", [])]
    if kind == "single":
        response = {"option": draw(st.sampled_from([None, *ids]))}
    elif kind == "multiple":
        response = {"options": draw(st.lists(st.sampled_from(ids), unique=True))}
    elif kind == "true_false":
        response = {"value": draw(st.sampled_from([None, True, False]))}
    elif kind == "short_text":
        response = {"text": draw(st.one_of(phrases, st.sampled_from(question["variants"])))}
    elif kind == "numeric":
        number = st.decimals(min_value=-200, max_value=200, places=2).map(str)
        response = {"value": draw(st.one_of(st.none(), number, st.floats(-1e6, 1e6), st.integers(-100, 100)))}
    elif kind == "matching":
        lefts, rights = list(question["pairs"]), [item["id"] for item in question["right"]]
        response = {"pairs": draw(st.dictionaries(st.sampled_from(lefts), st.sampled_from(rights)))}
    elif kind == "ordering":
        order = draw(st.permutations([item["id"] for item in question["items"]]))
        response = {"order": draw(st.sampled_from([[], order]))}
    else:
        response = {"gaps": {number: draw(gap_answers(gap)) for number, gap in question["gaps"].items()}}
    return response


def gap_answers(gap: dict[str, Any]) -> st.SearchStrategy[str | None]:
    if "options" in gap:
        return st.sampled_from([None, *(option["id"] for option in gap["options"])])
    return st.one_of(phrases, st.sampled_from(gap["variants"]))


@given(st.data(), st.integers(0, 2**32))
def test_any_well_formed_response_scores_between_0_and_the_points(data, seed):
    question = data.draw(auto_questions())
    response = check_response(question, data.draw(responses(question)))
    result = score(question, response, seed)
    assert result.points is not None
    assert Decimal(0) <= result.points <= question["points"]
    assert result.points == result.points.quantize(Decimal("0.01"))
    assert result.correct is (result.points == question["points"])


@given(auto_questions(), st.integers(0, 2**32))
def test_the_answer_of_feedback_scores_full_points(question, seed):
    answer = feedback(question, seed)["answer"]
    result = score(question, check_response(question, answer), seed)
    assert (result.points, result.correct) == (Decimal(question["points"]), True)


@given(auto_questions(), st.integers(0, 2**32))
def test_shown_never_has_a_secret_key(question, seed):
    view = shown(question, seed)
    keys, _texts = keys_and_texts(view)
    assert not keys & SECRET_KEYS
    assert view == shown(question, seed)
