"""The API's JSON parser refuses deep nesting with a parse error (400), never a RecursionError."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ParseError

from parta.core.parsers import MAX_DEPTH, JSONParser


def parse(text: str) -> object:
    return JSONParser().parse(io.BytesIO(text.encode()), "application/json", {})


def test_nesting_up_to_the_ceiling_is_read():
    assert parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse('{"a": [1, 2, {"b": [3]}], "c": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {
        "a": [1, 2, {"b": [3]}],
        "c": "[" * 36,
    }


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeper_nesting_is_a_parse_error(depth):
    with pytest.raises(ParseError):
        parse("[" * depth + "]" * depth)
    with pytest.raises(ParseError):
        parse('{"a":' * depth + "1" + "}" * depth)


def test_an_unclosed_deep_body_is_a_parse_error():
    with pytest.raises(ParseError):
        parse("[" * 100_000)


def test_bad_json_is_still_a_parse_error():
    with pytest.raises(ParseError):
        parse("{nope")
    with pytest.raises(ParseError):
        parse("[NaN]")
