"""Checking a teacher's definition of a question: every problem reported at once, the question
cleaned to only known keys with their defaults (the shapes are in the package's docstring)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from parta.assessment.expressions import (
    FUNCTIONS,
    MAX_MAGNITUDE,
    ExpressionError,
    evaluate,
    format_number,
    parse_number,
)
from parta.core.errors import FieldErrors

TYPES = frozenset(
    {"single", "multiple", "true_false", "short_text", "numeric", "matching", "ordering", "blanks", "open"}
)
MAX_QUESTIONS_PER_TEST = 200
MAX_POINTS = 100
MAX_TEXT_LENGTH = 10_000  # a prompt, an explanation, a student's written answer
MAX_OPTION_LENGTH = 1000  # an option, an item, an accepted answer, what is typed into a gap
MAX_URL_LENGTH = 1000
MAX_OPTIONS = 20
MAX_VARIANTS = 20
MAX_GAPS = 20
MAX_TOPICS = 20
MAX_OUTCOMES = 20
MAX_OUTCOME_LENGTH = 200
MAX_PARAMS = 5
MAX_PARAM_VALUES = 1000
MAX_FILES = 10

_ID = re.compile(r"[a-z0-9_-]{1,40}")
_PARAM_NAME = re.compile(r"[a-z][a-z0-9_]{0,19}")
_GAP = re.compile(r"\[\[([1-9][0-9]?)\]\]")

_https_url = URLValidator(schemes=["https"])


class _Report:
    """Adds "Question N: …" messages under one field."""

    def __init__(self, errors: FieldErrors, field: str, number: int) -> None:
        self.errors, self.field, self.number = errors, field, number

    def __call__(self, problem: str) -> None:
        message = _("Question %(number)d: %(problem)s") % {"number": self.number, "problem": problem}
        self.errors.add(self.field, message)


def check_question(raw: object, number: int, errors: FieldErrors, field: str = "content") -> dict[str, Any]:
    """The question cleaned (only known keys, defaults filled, stripped strings); every problem
    added to errors under `field` as "Question {number}: ..." messages. Never raises for bad input."""
    report = _Report(errors, field, number)
    if not isinstance(raw, dict):
        report(_("describe it as an object with a type and a text."))
        raw = {}
    kind = raw.get("type")
    if not (isinstance(kind, str) and kind in TYPES):
        report(_("choose its type: %(types)s.") % {"types": ", ".join(sorted(TYPES))})
        kind = ""
    text = _clean_str(value_or(raw, "text", ""), MAX_TEXT_LENGTH)
    if not text:
        report(_("write its text, at most %(limit)d characters.") % {"limit": MAX_TEXT_LENGTH})
    explanation = _clean_str(value_or(raw, "explanation", ""), MAX_TEXT_LENGTH)
    if explanation is None:
        report(
            _("the explanation must be a text of at most %(limit)d characters.") % {"limit": MAX_TEXT_LENGTH}
        )
    points = value_or(raw, "points", 1)
    if not (is_int(points) and 1 <= points <= MAX_POINTS):
        report(_("points must be a whole number from 1 to %(most)d.") % {"most": MAX_POINTS})
        points = 1
    params = _check_params(value_or(raw, "params", {}), report)
    question: dict[str, Any] = {
        "id": _check_id(raw.get("id"), number, report),
        "type": kind,
        "text": text or "",
        "image": _check_image(raw.get("image"), report),
        "points": points,
        "topic_ids": _check_topic_ids(value_or(raw, "topic_ids", []), report),
        "outcomes": _check_outcomes(value_or(raw, "outcomes", []), report),
        "explanation": explanation or "",
        "shuffle": _flag(raw, "shuffle", False, report),
        "params": params or {},
    }
    if kind:
        _DEFINITIONS[kind](raw, question, report)
    if kind == "numeric" and params is not None and question["answer"]:
        _check_formula(question["answer"], params, report)
    return question


def value_or(raw: Mapping[Any, Any], key: str, default: object) -> object:
    """The value, or the default when it is missing or null."""
    value = raw.get(key)
    return default if value is None else value


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_str(value: object, limit: int) -> str | None:
    """The text stripped, or None when it is not a text or is too long."""
    if isinstance(value, str) and len(value.strip()) <= limit:
        return value.strip()
    return None


def _clean_id(value: object) -> str | None:
    text = _clean_str(value, 40)
    return text if text and _ID.fullmatch(text) else None


def ids_of(items: list[dict[str, str]]) -> set[str]:
    return {item["id"] for item in items}


def _flag(raw: Mapping[Any, Any], key: str, default: bool, report: _Report) -> bool:
    value = value_or(raw, key, default)
    if isinstance(value, bool):
        return value
    report(_("“%(key)s” must be true or false.") % {"key": key})
    return default


def _check_id(value: object, number: int, report: _Report) -> str:
    if value is None or value == "":
        return f"q{number}"  # the same on every save of an unchanged test
    cleaned = _clean_id(value)
    if cleaned is None:
        report(_("its id may hold a–z, 0–9, _ and -, up to 40 characters."))
        return f"q{number}"
    return cleaned


def _check_image(value: object, report: _Report) -> str | int | None:
    if value is None or value == "":
        return None
    if is_int(value) and value > 0:
        return value  # a library material
    url = _clean_str(value, MAX_URL_LENGTH)
    if url:
        try:
            _https_url(url)
        except ValidationError:
            pass
        else:
            return url
    report(_("the image must be an https:// address or a library material."))
    return None


def _check_topic_ids(value: object, report: _Report) -> list[int]:
    if isinstance(value, list) and len(value) <= MAX_TOPICS and all(is_int(v) and v > 0 for v in value):
        return list(dict.fromkeys(value))
    report(_("topics must be a list of at most %(most)d topic ids.") % {"most": MAX_TOPICS})
    return []


def _check_outcomes(value: object, report: _Report) -> list[str]:
    cleaned = [_clean_str(v, MAX_OUTCOME_LENGTH) for v in value] if isinstance(value, list) else [None]
    if len(cleaned) <= MAX_OUTCOMES and all(text is not None for text in cleaned):
        return [text for text in cleaned if text]
    report(
        _("outcomes must be at most %(most)d texts of at most %(limit)d characters.")
        % {"most": MAX_OUTCOMES, "limit": MAX_OUTCOME_LENGTH}
    )
    return []


def _check_params(value: object, report: _Report) -> dict[str, dict[str, str]] | None:
    """The params with their bounds as exact strings; None when any of them is wrong."""
    if not (isinstance(value, dict) and len(value) <= MAX_PARAMS):
        report(_("give at most %(most)d params, each as {min, max, step}.") % {"most": MAX_PARAMS})
        return None
    params: dict[str, dict[str, str]] = {}
    for name, spec in value.items():
        if not (isinstance(name, str) and _PARAM_NAME.fullmatch(name) and name not in FUNCTIONS):
            report(_("a param's name is a lower-case letter, then letters, digits or _, up to 20."))
            return None
        fields = spec if isinstance(spec, dict) else {}
        low, high = parse_number(fields.get("min")), parse_number(fields.get("max"))
        step = parse_number(value_or(fields, "step", 1))
        if (
            low is None
            or high is None
            or step is None
            or not (-MAX_MAGNITUDE <= low <= high <= MAX_MAGNITUDE and 0 < step <= MAX_MAGNITUDE)
            or (high - low) / step >= MAX_PARAM_VALUES
        ):
            report(
                _("param “%(name)s”: give numbers min ≤ max and a step above 0, for at most %(most)d values.")
                % {"name": name, "most": MAX_PARAM_VALUES}
            )
            return None
        params[name] = {"min": format_number(low), "max": format_number(high), "step": format_number(step)}
    return params


def _check_formula(answer: str, params: dict[str, dict[str, str]], report: _Report) -> None:
    if parse_number(answer) is not None:
        return
    names = list(params)
    corners = [(Decimal(spec["min"]), Decimal(spec["max"])) for spec in params.values()]
    for values in itertools.product(*corners):
        try:
            evaluate(answer, dict(zip(names, values, strict=True)))
        except ExpressionError as error:
            report(_("the answer's formula: %(problem)s") % {"problem": error})
            return


def _check_items(value: object, part: str, report: _Report) -> list[dict[str, str]] | None:
    """Options or items [{id, text}] with ids unique; None when any is wrong."""
    if not (isinstance(value, list) and 2 <= len(value) <= MAX_OPTIONS):
        report(_("%(part)s: give from 2 to %(most)d.") % {"part": part, "most": MAX_OPTIONS})
        return None
    items = []
    for entry in value:
        item_id = _clean_id(entry.get("id")) if isinstance(entry, dict) else None
        text = _clean_str(entry.get("text"), MAX_OPTION_LENGTH) if isinstance(entry, dict) else None
        if not (item_id and text):
            report(
                _("%(part)s: each needs an id (a–z, 0–9, _ or -) and a text of at most %(limit)d characters.")
                % {"part": part, "limit": MAX_OPTION_LENGTH}
            )
            return None
        items.append({"id": item_id, "text": text})
    if len(ids_of(items)) < len(items):
        report(_("%(part)s: the ids must differ.") % {"part": part})
        return None
    return items


def _check_variants(raw: Mapping[Any, Any], part: str, report: _Report) -> dict[str, Any]:
    variants = raw.get("variants")
    cleaned = [_clean_str(v, MAX_OPTION_LENGTH) for v in variants] if isinstance(variants, list) else []
    if not (cleaned and len(cleaned) <= MAX_VARIANTS and all(cleaned)):
        report(
            _("%(part)s: give from 1 to %(most)d, each of at most %(limit)d characters.")
            % {"part": part, "most": MAX_VARIANTS, "limit": MAX_OPTION_LENGTH}
        )
    return {
        "variants": [v for v in cleaned if v],
        "case_sensitive": _flag(raw, "case_sensitive", False, report),
        "ignore_spaces": _flag(raw, "ignore_spaces", False, report),
    }


def _define_single(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    options = _check_items(raw.get("options"), _("options"), report) or []
    correct = raw.get("correct")
    right = isinstance(correct, str) and correct in ids_of(options)
    if options and not right:
        report(_("mark the correct option."))
    question.update(options=options, correct=correct if right else "")


def _define_multiple(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    options = _check_items(raw.get("options"), _("options"), report) or []
    given = raw.get("correct")
    listed = given if isinstance(given, list) else []
    chosen = {option for option in listed if isinstance(option, str)}
    right = bool(listed) and len(chosen) == len(listed) and chosen <= ids_of(options)
    if options and not right:
        report(_("mark the correct options, each once."))
    # In the options' order, whatever order the author marked them in.
    question.update(options=options, correct=[o["id"] for o in options if right and o["id"] in chosen])


def _define_true_false(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    correct = raw.get("correct")
    if not isinstance(correct, bool):
        report(_("mark whether the statement is true or false."))
    question["correct"] = correct is True


def _define_short_text(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    question.update(_check_variants(raw, _("accepted answers"), report))


def _define_numeric(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    answer = raw.get("answer")
    number = parse_number(answer)
    if number is not None and abs(number) <= MAX_MAGNITUDE:
        question["answer"] = format_number(number)
    elif number is None and isinstance(answer, str) and answer.strip():
        question["answer"] = answer.strip()  # a formula, checked once the params are known
    else:
        report(_("give the answer: a number or a formula over the params."))
        question["answer"] = ""
    tolerance = parse_number(value_or(raw, "tolerance", 0))
    if tolerance is None or not 0 <= tolerance <= MAX_MAGNITUDE:
        report(_("the tolerance must be a number, 0 or more."))
        tolerance = Decimal(0)
    question["tolerance"] = format_number(tolerance)


def _define_matching(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    left = _check_items(raw.get("left"), _("left column"), report)
    right = _check_items(raw.get("right"), _("right column"), report)
    question.update(left=left or [], right=right or [], pairs={})
    if left is None or right is None:
        return
    pairs = raw.get("pairs")
    targets = list(pairs.values()) if isinstance(pairs, dict) else []
    if not (
        isinstance(pairs, dict)
        and set(pairs) == ids_of(left)
        and all(isinstance(target, str) and target in ids_of(right) for target in targets)
        and len(set(targets)) == len(targets)
    ):
        report(_("match every item on the left with a different item on the right."))
        return
    question["pairs"] = {item["id"]: pairs[item["id"]] for item in left}


def _define_ordering(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    question["items"] = _check_items(raw.get("items"), _("items"), report) or []


def _define_blanks(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    question["gaps"] = {}
    markers = _GAP.findall(question["text"])
    if not markers or len(markers) > MAX_GAPS or len(set(markers)) < len(markers):
        report(
            _("mark from 1 to %(most)d gaps in the text as [[1]], [[2]]…, each once.") % {"most": MAX_GAPS}
        )
        return
    specs = raw.get("gaps")
    if not (isinstance(specs, dict) and {str(key) for key in specs} == set(markers)):
        report(_("describe every gap of the text, and only those, under “gaps”."))
        return
    for gap in sorted(markers, key=int):
        spec = specs.get(gap, specs.get(int(gap)))  # JSON keys are strings; Python callers may use ints
        question["gaps"][gap] = _check_gap(spec, gap, report)


def _check_gap(spec: object, gap: str, report: _Report) -> dict[str, Any]:
    if not isinstance(spec, dict):
        report(_("gap %(gap)s: give its accepted answers or its options.") % {"gap": gap})
        return {"variants": [], "case_sensitive": False, "ignore_spaces": False}
    if spec.get("options") is None:
        return _check_variants(spec, _("gap %(gap)s answers") % {"gap": gap}, report)
    options = _check_items(spec["options"], _("gap %(gap)s options") % {"gap": gap}, report)
    correct = spec.get("correct")
    right = isinstance(correct, str) and correct in ids_of(options or [])
    if options is not None and not right:
        report(_("gap %(gap)s: mark the correct option.") % {"gap": gap})
    return {"options": options or [], "correct": correct if right else ""}


def _define_open(raw: Mapping[Any, Any], question: dict[str, Any], report: _Report) -> None:
    question["allow_files"] = _flag(raw, "allow_files", True, report)


_DEFINITIONS: dict[str, Callable[[Mapping[Any, Any], dict[str, Any], _Report], None]] = {
    "single": _define_single,
    "multiple": _define_multiple,
    "true_false": _define_true_false,
    "short_text": _define_short_text,
    "numeric": _define_numeric,
    "matching": _define_matching,
    "ordering": _define_ordering,
    "blanks": _define_blanks,
    "open": _define_open,
}
