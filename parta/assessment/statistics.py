"""Attempt statistics for the teacher, computed from plain data (no database: the selector in
``selectors_statistics`` reads the rows and calls :func:`summarise`).

Over the submitted attempts of a test:

- **Score distribution.** An attempt's scaled score is its points / its maximum (answers a teacher
  has yet to check count 0, as in the attempt's score; ``waiting`` says how many attempts have
  some). Bins of 10 %: [0, 10), [10, 20), … [90, 100] — full marks fall in the last one.
  ``mean`` and ``median`` are of the scaled scores (0..1).
- **Difficulty** of a question (the classical p-value, 0..1): the mean of points / the question's
  points over the attempts that drew it (not answered counts 0). Higher is easier. Each fraction
  uses the points of the version the attempt was made at, so versions may differ.
- **Discrimination** (corrected item-total, point-biserial): Pearson's r between the question's
  fraction and the rest of the attempt, scaled — (attempt's points − the question's) / (attempt's
  maximum − the question's), other answers still to check counting 0 as in the attempt's score.
  Scaled, since draws and versions give attempts different maxima; the rest, since an item
  correlates with a total it is part of. −1..1: from about 0.3 the question tells strong students
  from weak ones; near 0 or below, look at its key. None with fewer than
  :data:`MIN_FOR_DISCRIMINATION` attempts (r is noise then), or when either side does not vary
  (everyone scored the same on it, or the rest is the same for all): r is undefined.
- An open answer still waiting for a teacher is left out of its question's difficulty and
  discrimination (its points are unknown, not 0).
- **Common wrong answers**: responses that did not get full points, grouped by their JSON, the
  :data:`WRONG_ANSWERS` most frequent, shown with the question's option texts. Empty responses
  (nothing chosen or typed) are not answers, and open answers are essays, not grouped.
- **Time** on a question: per attempt, the seconds from each time it was shown to the next
  question shown (``statements.time_on_questions``), summed; the median over the attempts.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from statistics import fmean, median
from typing import Any

from django.utils.translation import gettext as _

MIN_FOR_DISCRIMINATION = 5
WRONG_ANSWERS = 3
BINS = 10
# Below this a variance is rounding noise of equal values, not spread.
_NO_SPREAD = 1e-12


@dataclass(frozen=True)
class Item:
    """One question one attempt drew."""

    question_id: str
    max_points: int  # the question's points in the attempt's version
    points: Decimal | None  # None: an open answer a teacher has yet to check
    response: dict[str, Any] | None = None  # None: not answered
    seconds: float | None = None  # the time on it in this attempt; None: never shown


@dataclass(frozen=True)
class AttemptItems:
    """A submitted attempt: its questions by id."""

    items: Mapping[str, Item]

    # Cached: every question's discrimination reads them.
    @cached_property
    def points(self) -> Decimal:
        return sum((item.points for item in self.items.values() if item.points is not None), Decimal(0))

    @cached_property
    def max_points(self) -> int:
        return sum(item.max_points for item in self.items.values())

    @property
    def waiting(self) -> bool:
        return any(item.points is None for item in self.items.values())


@dataclass(frozen=True)
class Bin:
    low: int  # percent, included
    high: int  # percent, excluded (but 100 in the last bin)
    count: int


@dataclass(frozen=True)
class Distribution:
    count: int
    waiting: int  # attempts with answers yet to check: their score may still rise
    mean: float | None
    median: float | None
    bins: tuple[Bin, ...]


@dataclass(frozen=True)
class WrongAnswer:
    response: dict[str, Any]
    text: str  # the response in words (``response_text``)
    count: int


@dataclass(frozen=True)
class QuestionStatistics:
    id: str
    type: str
    text: str
    points: int
    drawn: int  # attempts that drew it
    answered: int  # ... and saved an answer to it
    scored: int  # ... whose points are known (the base of difficulty and discrimination)
    difficulty: float | None
    discrimination: float | None
    wrong_answers: tuple[WrongAnswer, ...]
    median_seconds: float | None


@dataclass(frozen=True)
class Statistics:
    distribution: Distribution
    questions: tuple[QuestionStatistics, ...]


def score_bin(points: Decimal, max_points: int) -> int:
    """The 10 % bin (0..9) of a score; exact, in Decimal (0.7 × 10 is 7 here, not 7.000…1)."""
    if max_points <= 0:
        return 0
    return max(0, min(int(points * BINS // max_points), BINS - 1))


def distribution(attempts: Sequence[AttemptItems]) -> Distribution:
    counts = [0] * BINS
    scaled: list[float] = []
    for attempt in attempts:
        points, maximum = attempt.points, attempt.max_points
        counts[score_bin(points, maximum)] += 1
        scaled.append(float(points / maximum) if maximum else 0.0)
    step = 100 // BINS
    return Distribution(
        count=len(attempts),
        waiting=sum(1 for attempt in attempts if attempt.waiting),
        mean=round(fmean(scaled), 4) if scaled else None,
        median=round(median(scaled), 4) if scaled else None,
        bins=tuple(Bin(low=i * step, high=(i + 1) * step, count=n) for i, n in enumerate(counts)),
    )


def correlation(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pearson's r, or None when either side does not vary."""
    n = len(pairs)
    if n < 2:
        return None
    mean_x = fmean(x for x, _y in pairs)
    mean_y = fmean(y for _x, y in pairs)
    sxx = math.fsum((x - mean_x) ** 2 for x, _y in pairs)
    syy = math.fsum((y - mean_y) ** 2 for _x, y in pairs)
    if sxx <= _NO_SPREAD * n or syy <= _NO_SPREAD * n:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in pairs)
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def discrimination(pairs: Sequence[tuple[float, float]]) -> float | None:
    """The corrected item-total r of (question fraction, rest fraction) pairs; None below
    :data:`MIN_FOR_DISCRIMINATION` pairs or without spread."""
    if len(pairs) < MIN_FOR_DISCRIMINATION:
        return None
    r = correlation(pairs)
    return None if r is None else round(r, 3)


def canonical(response: Mapping[str, Any]) -> str:
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _blank(value: Any) -> bool:
    # False is an answer (true/false questions); None, "", [] and {} are not.
    return value is None or value in ("", [], {})


def is_empty(response: Mapping[str, Any]) -> bool:
    return all(_blank(value) for value in response.values())


def _texts(items: list[dict[str, str]]) -> dict[str, str]:
    return {item["id"]: item["text"] for item in items}


# Each type's response in words; an id the question no longer has is shown as it is.
_Words = Callable[[Mapping[str, Any], Mapping[str, Any]], str]


def _choice_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    options = _texts(question.get("options", []))
    chosen = [response.get("option")] if "option" in response else list(response.get("options") or [])
    return ", ".join(options.get(option, str(option)) for option in chosen if option)


def _true_false_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    return _("true") if response.get("value") else _("false")


def _matching_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    left, right = _texts(question.get("left", [])), _texts(question.get("right", []))
    pairs = response.get("pairs") or {}
    return "; ".join(f"{left.get(key, key)} → {right.get(value, value)}" for key, value in pairs.items())


def _ordering_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    items = _texts(question.get("items", []))
    return ", ".join(items.get(item, str(item)) for item in response.get("order") or [])


def _blanks_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    gaps = question.get("gaps", {})
    shown = []
    for number, value in (response.get("gaps") or {}).items():
        options = _texts(gaps.get(number, {}).get("options", []))
        shown.append(f"({number}) {options.get(value, value)}")
    return "; ".join(shown)


def _typed_words(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    return str(response.get("text", response.get("value", "")))


_WORDS: dict[str, _Words] = {
    "single": _choice_words,
    "multiple": _choice_words,
    "true_false": _true_false_words,
    "short_text": _typed_words,
    "numeric": _typed_words,
    "matching": _matching_words,
    "ordering": _ordering_words,
    "blanks": _blanks_words,
}


def response_text(question: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    """A response as the teacher reads it, with the question's option texts for the ids."""
    words = _WORDS.get(str(question.get("type")))
    return words(question, response) if words is not None else canonical(response)


def _wrong_answers(question: Mapping[str, Any], items: Sequence[Item]) -> tuple[WrongAnswer, ...]:
    if question.get("type") == "open":
        return ()
    wrong: Counter[str] = Counter()
    responses: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.points is None or item.points >= item.max_points or item.response is None:
            continue
        if is_empty(item.response):
            continue
        key = canonical(item.response)
        wrong[key] += 1
        responses.setdefault(key, item.response)
    top = sorted(wrong.items(), key=lambda pair: (-pair[1], pair[0]))[:WRONG_ANSWERS]
    return tuple(
        WrongAnswer(text=response_text(question, responses[key]), count=count, response=responses[key])
        for key, count in top
    )


def question_statistics(question: Mapping[str, Any], attempts: Sequence[AttemptItems]) -> QuestionStatistics:
    """One question's figures over the attempts (``question``: its definition, to show)."""
    question_id = str(question["id"])
    drawn: list[tuple[AttemptItems, Item]] = [
        (attempt, attempt.items[question_id]) for attempt in attempts if question_id in attempt.items
    ]
    items = [item for _attempt, item in drawn]
    fractions: list[float] = []
    pairs: list[tuple[float, float]] = []
    for attempt, item in drawn:
        if item.points is None or not item.max_points:
            continue  # waiting for a teacher: its points are unknown
        fraction = float(item.points / item.max_points)
        fractions.append(fraction)
        rest_max = attempt.max_points - item.max_points
        if rest_max > 0:
            pairs.append((fraction, float((attempt.points - item.points) / rest_max)))
    seconds = [item.seconds for item in items if item.seconds is not None]
    return QuestionStatistics(
        id=question_id,
        type=str(question.get("type", "")),
        text=str(question.get("text", "")),
        points=int(question.get("points", 1)),
        drawn=len(items),
        answered=sum(1 for item in items if item.response is not None),
        scored=len(fractions),
        difficulty=round(fmean(fractions), 3) if fractions else None,
        discrimination=discrimination(pairs),
        wrong_answers=_wrong_answers(question, items),
        median_seconds=round(median(seconds), 1) if seconds else None,
    )


def summarise(questions: Mapping[str, Mapping[str, Any]], attempts: Sequence[AttemptItems]) -> Statistics:
    """The statistics of ``attempts``; ``questions`` are the definitions to show, by id, in the
    order of the table (a question an attempt drew but ``questions`` lacks is not listed)."""
    return Statistics(
        distribution=distribution(attempts),
        questions=tuple(question_statistics(question, attempts) for question in questions.values()),
    )
