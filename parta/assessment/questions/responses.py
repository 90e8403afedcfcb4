"""Checking a student's response to a question and scoring it (the rules are in the package's
docstring)."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parta.assessment.expressions import format_number, parse_number
from parta.assessment.questions.definitions import (
    MAX_FILES,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    ids_of,
    is_int,
    value_or,
)
from parta.assessment.questions.params import numeric_answer, values_for

_CENTS = Decimal("0.01")
_NO_POINTS = Decimal("0.00")


@dataclass(frozen=True)
class Score:
    points: Decimal | None  # None: waits for a teacher (open answers)
    max_points: int
    correct: bool | None  # full marks; None when not auto-graded
    detail: dict[str, Any]  # per part, for training mode: chosen options / pairs / links / gaps → right


def check_response(question: dict[str, Any], response: object) -> dict[str, Any]:
    """The student's response cleaned, or ValidationError({"response": [message]}) when malformed
    for this type. A partial response (no option chosen, some gaps empty, not all pairs) is valid;
    what is missing is simply not right."""
    if not isinstance(response, dict):
        raise _invalid(_("The answer has the wrong shape."))
    return _RESPONSES[question["type"]](question, response)


def _invalid(message: str) -> ValidationError:
    return ValidationError({"response": [message]})


def _chosen(value: object, ids: set[str]) -> str | None:
    """The id chosen, None for no choice; an id that is not offered is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in ids:
        return value
    raise _invalid(_("Choose one of the options given."))


def _list(response: Mapping[Any, Any], key: str, most: int) -> list[Any]:
    value = value_or(response, key, [])
    if not (isinstance(value, list) and len(value) <= most):
        raise _invalid(_("The answer has the wrong shape."))
    return value


def _typed(value: object, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(_("Write the answer as a text."))
    if len(value) > limit:
        raise _invalid(_("The answer is too long: at most %(limit)d characters.") % {"limit": limit})
    return value.strip()


def _respond_single(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    return {"option": _chosen(response.get("option"), ids_of(question["options"]))}


def _respond_multiple(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    ids = ids_of(question["options"])
    picked = {_chosen(value, ids) for value in _list(response, "options", MAX_OPTIONS)}
    return {"options": [option["id"] for option in question["options"] if option["id"] in picked]}


def _respond_true_false(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    value = response.get("value")
    if value is not None and not isinstance(value, bool):
        raise _invalid(_("Answer true or false."))
    return {"value": value}


def _respond_short_text(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    return {"text": _typed(response.get("text"), MAX_TEXT_LENGTH)}


def _respond_numeric(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    value = response.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"value": None}
    number = parse_number(value)
    if number is None:
        raise _invalid(_("Enter a number, such as 3,5."))
    return {"value": format_number(number)}


def _respond_matching(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    pairs = value_or(response, "pairs", {})
    if not isinstance(pairs, dict):
        raise _invalid(_("The answer has the wrong shape."))
    left, right, cleaned = ids_of(question["left"]), ids_of(question["right"]), {}
    for key, value in pairs.items():
        if key not in left:
            raise _invalid(_("Match only the items given."))
        target = _chosen(value, right)
        if target is not None:
            cleaned[key] = target
    return {"pairs": cleaned}


def _respond_ordering(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    order = _list(response, "order", MAX_OPTIONS)
    ids = [item["id"] for item in question["items"]]
    if order and not (len(order) == len(ids) and {v for v in order if isinstance(v, str)} == set(ids)):
        raise _invalid(_("Put every item in order, each once."))
    return {"order": order}


def _respond_blanks(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    gaps = value_or(response, "gaps", {})
    if not isinstance(gaps, dict):
        raise _invalid(_("The answer has the wrong shape."))
    cleaned = {}
    for key, value in gaps.items():
        gap = question["gaps"].get(key) if isinstance(key, str) else None
        if gap is None:
            raise _invalid(_("Fill only the gaps of the text."))
        answer = (
            _chosen(value, ids_of(gap["options"])) if "options" in gap else _typed(value, MAX_OPTION_LENGTH)
        )
        if answer:
            cleaned[key] = answer
    return {"gaps": {key: cleaned[key] for key in sorted(cleaned, key=int)}}


def _respond_open(question: dict[str, Any], response: Mapping[Any, Any]) -> dict[str, Any]:
    text = _typed(response.get("text"), MAX_TEXT_LENGTH)
    files = _list(response, "files", MAX_FILES)
    if not all(is_int(file) and file > 0 for file in files):
        raise _invalid(_("The answer has the wrong shape."))
    if files and not question["allow_files"]:
        raise _invalid(_("This question takes no files."))
    return {"text": text, "files": list(dict.fromkeys(files))}


_RESPONSES: dict[str, Callable[[dict[str, Any], Mapping[Any, Any]], dict[str, Any]]] = {
    "single": _respond_single,
    "multiple": _respond_multiple,
    "true_false": _respond_true_false,
    "short_text": _respond_short_text,
    "numeric": _respond_numeric,
    "matching": _respond_matching,
    "ordering": _respond_ordering,
    "blanks": _respond_blanks,
    "open": _respond_open,
}


def score(question: dict[str, Any], response: dict[str, Any] | None, seed: int) -> Score:
    """No response → 0 points (open → 0 too if nothing was handed in, else None)."""
    maximum = question["points"]
    if question["type"] == "open":
        if response and (str(response.get("text") or "").strip() or response.get("files")):
            return Score(None, maximum, None, {})
        return Score(_NO_POINTS, maximum, False, {})
    if response is None:
        return Score(_NO_POINTS, maximum, False, {})
    right, parts, detail = _SCORERS[question["type"]](question, response, values_for(question, seed))
    points = (Decimal(maximum * right) / parts).quantize(_CENTS, rounding=ROUND_HALF_UP)
    return Score(points, maximum, right == parts, detail)


def check_manual_points(question: dict[str, Any], points: object) -> Decimal:
    """The points a teacher gives by hand: 0..the question's points, in steps of 0.5."""
    value = parse_number(points)
    maximum = question["points"]
    if value is None or not 0 <= value <= maximum or (value * 2) % 1:
        raise ValidationError(
            {"points": [_("Give from 0 to %(most)d points in steps of 0.5.") % {"most": maximum}]}
        )
    return value.quantize(_CENTS, rounding=ROUND_HALF_UP)


def _normal(text: str, *, case_sensitive: bool, ignore_spaces: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    if not case_sensitive:
        text = text.casefold()
    text = text.replace("ё", "е").replace("Ё", "Е")
    return "".join(text.split()) if ignore_spaces else " ".join(text.split())


def _matches(text: str, rules: Mapping[str, Any]) -> bool:
    flags = {"case_sensitive": rules["case_sensitive"], "ignore_spaces": rules["ignore_spaces"]}
    given = _normal(text, **flags)
    return bool(given) and any(given == _normal(variant, **flags) for variant in rules["variants"])


# A scorer gives (parts right, parts, detail); the points are max_points × right / parts.
_Parts = tuple[int, int, dict[str, Any]]
_Values = dict[str, Decimal]


def _score_single(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    chosen = response.get("option")
    right = chosen == question["correct"]
    return int(right), 1, {"options": {chosen: right}} if chosen else {}


def _score_multiple(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    correct = set(question["correct"])
    detail = {option: option in correct for option in response.get("options", [])}
    right = sum(detail.values())
    return max(0, right - (len(detail) - right)), len(correct), {"options": detail}


def _score_true_false(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    value = response.get("value")
    return int(value is not None and value == question["correct"]), 1, {}


def _score_short_text(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    return int(_matches(response.get("text") or "", question)), 1, {}


def _score_numeric(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    given = parse_number(response.get("value"))
    answer = numeric_answer(question, values)
    return int(given is not None and abs(given - answer) <= Decimal(question["tolerance"])), 1, {}


def _score_matching(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    given = response.get("pairs") or {}
    detail = {left: given.get(left) == right for left, right in question["pairs"].items()}
    return sum(detail.values()), len(detail), {"pairs": detail}


def _score_ordering(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    position = {item["id"]: index for index, item in enumerate(question["items"])}
    order = response.get("order") or []
    links = [position[second] == position[first] + 1 for first, second in itertools.pairwise(order)]
    return sum(links), len(position) - 1, {"links": links}


def _score_blanks(question: dict[str, Any], response: dict[str, Any], values: _Values) -> _Parts:
    given = response.get("gaps") or {}
    detail = {}
    for number in sorted(question["gaps"], key=int):
        gap, answer = question["gaps"][number], given.get(number)
        if "options" in gap:
            detail[number] = answer is not None and answer == gap["correct"]
        else:
            detail[number] = answer is not None and _matches(answer, gap)
    return sum(detail.values()), len(detail), {"gaps": detail}


_SCORERS: dict[str, Callable[[dict[str, Any], dict[str, Any], _Values], _Parts]] = {
    "single": _score_single,
    "multiple": _score_multiple,
    "true_false": _score_true_false,
    "short_text": _score_short_text,
    "numeric": _score_numeric,
    "matching": _score_matching,
    "ordering": _score_ordering,
    "blanks": _score_blanks,
}
