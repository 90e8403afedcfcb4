"""Scales, the weighted average and the suggested final mark."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parta.journal import scales
from parta.journal.models import Scale

NUMERIC = [Scale.FIVE, Scale.TEN, Scale.HUNDRED]
thresholds = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.00"), places=2)


def marks_on(scale: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    limits = scales.bounds(scale)
    mark = st.fixed_dictionaries(
        {
            "value": st.one_of(st.none(), st.integers(limits.low, limits.high)),
            "weight": st.integers(scales.MIN_WEIGHT, scales.MAX_WEIGHT),
            "scale": st.just(scale),
        }
    )
    return st.lists(mark, max_size=40)


def test_bounds_of_each_scale():
    assert (scales.bounds(Scale.FIVE).low, scales.bounds(Scale.FIVE).high) == (1, 5)
    assert (scales.bounds(Scale.TEN).low, scales.bounds(Scale.TEN).high) == (1, 10)
    assert (scales.bounds(Scale.HUNDRED).low, scales.bounds(Scale.HUNDRED).high) == (0, 100)
    assert (scales.bounds(Scale.PASS_FAIL).low, scales.bounds(Scale.PASS_FAIL).high) == (0, 1)


@pytest.mark.parametrize(
    ("scale", "value", "valid"),
    [
        (Scale.FIVE, 0, False),
        (Scale.FIVE, 6, False),
        (Scale.FIVE, 5, True),
        (Scale.TEN, 10, True),
        (Scale.HUNDRED, 0, True),
        (Scale.HUNDRED, 101, False),
        (Scale.PASS_FAIL, 1, True),
        (Scale.PASS_FAIL, 2, False),
        (Scale.FIVE, True, False),
        (Scale.FIVE, None, False),
    ],
)
def test_is_valid(scale, value, valid):
    assert scales.is_valid(scale, value) is valid


def test_display():
    assert scales.display(Scale.FIVE, 4) == "4"
    assert scales.display(Scale.PASS_FAIL, 1) == "pass"
    assert scales.display(Scale.PASS_FAIL, 0) == "fail"
    assert scales.display(Scale.FIVE, None) == "—"


@pytest.mark.parametrize(
    ("scale", "values", "tone"),
    [
        (Scale.FIVE, [5], "excellent"),
        (Scale.FIVE, [4], "good"),
        (Scale.FIVE, [3], "fair"),
        (Scale.FIVE, [2, 1], "poor"),
        (Scale.TEN, [10, 9], "excellent"),
        (Scale.TEN, [8, 7], "good"),
        (Scale.TEN, [6, 4], "fair"),
        (Scale.TEN, [3, 1], "poor"),
        (Scale.HUNDRED, [100, 85], "excellent"),
        (Scale.HUNDRED, [84, 70], "good"),
        (Scale.HUNDRED, [69, 50], "fair"),
        (Scale.HUNDRED, [49, 0], "poor"),
        (Scale.PASS_FAIL, [1], "good"),
        (Scale.PASS_FAIL, [0], "poor"),
        (Scale.FIVE, [None], "owed"),
    ],
)
def test_a_marks_tone_reads_it_on_its_own_scale(scale, values, tone):
    """A «5» of ten points is a middling mark, not an excellent one: the colour follows the scale."""
    assert {scales.tone(scale, value) for value in values} == {tone}


@given(st.sampled_from(NUMERIC), st.data())
def test_a_higher_mark_never_has_a_lower_tone(scale, data):
    limits = scales.bounds(scale)
    low = data.draw(st.integers(limits.low, limits.high))
    high = data.draw(st.integers(low, limits.high))
    order = ["poor", "fair", "good", "excellent"]
    assert order.index(scales.tone(scale, low)) <= order.index(scales.tone(scale, high))


def test_weighted_average_is_sum_of_value_times_weight_over_weights():
    marks = [{"value": 5, "weight": 1}, {"value": 3, "weight": 3}, {"value": None, "weight": 2}]
    assert scales.weighted_average(marks) == Decimal("3.50")


def test_pass_fail_and_owed_marks_stay_out_of_the_average():
    marks = [
        {"value": 1, "weight": 5, "scale": Scale.PASS_FAIL},
        {"value": None, "weight": 1, "scale": Scale.FIVE},
    ]
    assert scales.weighted_average(marks) is None
    assert scales.weighted_average([]) is None


@pytest.mark.parametrize(
    ("average", "threshold", "expected"),
    [
        ("3.50", "0.50", 4),
        ("3.49", "0.50", 3),
        ("3.59", "0.60", 3),
        ("3.60", "0.60", 4),
        ("4.99", "1.00", 4),
        ("5.00", "0.50", 5),
    ],
)
def test_suggest_final_rounds_up_from_the_threshold(average, threshold, expected):
    assert scales.suggest_final(Decimal(average), Decimal(threshold)) == expected


def test_no_suggestion_without_an_average_or_for_pass_fail():
    assert scales.suggest_final(None) is None
    assert scales.suggest_final(Decimal("1"), scale=Scale.PASS_FAIL) is None


@given(st.sampled_from(NUMERIC).flatmap(lambda s: st.tuples(st.just(s), marks_on(s))), thresholds)
def test_average_and_suggestion_stay_within_the_scale(scale_and_marks, threshold):
    scale, marks = scale_and_marks
    average = scales.weighted_average(marks)
    limits = scales.bounds(scale)
    if all(m["value"] is None for m in marks):
        assert average is None
        return
    assert average is not None
    assert limits.low <= average <= limits.high
    suggested = scales.suggest_final(average, threshold, scale)
    assert suggested is not None
    assert limits.low <= suggested <= limits.high
    assert abs(Decimal(suggested) - average) < 1


@given(
    st.decimals(min_value=1, max_value=5, places=2),
    st.decimals(min_value=1, max_value=5, places=2),
    thresholds,
)
def test_suggestion_is_monotone_in_the_average(a, b, threshold):
    low, high = sorted((a, b))
    assert scales.suggest_final(low, threshold) <= scales.suggest_final(high, threshold)  # type: ignore[operator]


@given(st.decimals(min_value=1, max_value=5, places=2), thresholds, thresholds)
def test_a_stricter_threshold_never_suggests_more(average, t1, t2):
    lenient, strict = sorted((t1, t2))
    assert scales.suggest_final(average, strict) <= scales.suggest_final(average, lenient)  # type: ignore[operator]
