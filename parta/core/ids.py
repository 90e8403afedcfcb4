"""Ids typed by people: in a query string (``?year=12``) or an API filter.

Every table's key is a 64-bit integer (``BigAutoField``). A larger number overflows the
database driver (an error page), so anything outside 1…MAX_ID is refused before it reaches a query.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1

# ASCII digits only: str.isdigit() also accepts «²» and other digits that int() refuses.
_ID_PATTERN = re.compile(r"[0-9]{1,19}")


def parse_id(raw: str | None) -> int | None:
    """The positive id in ``raw``, or None for anything else (a page ignores a bad value)."""
    if raw is None or not _ID_PATTERN.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None
