import pytest

from parta.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # beyond a 64-bit key
        ("9" * 30, None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit() is true, int() refuses it
        ("١٢", None),  # Arabic-Indic digits: int() takes them, but they are not an id in a URL
        (" 1", None),
        ("1 ", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected
