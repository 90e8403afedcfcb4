"""The number a clinic names a child by: SNILS (СНИЛС), eleven digits, the last two a check number.

Every child in Russia has one from birth, it never changes, and a city's clinic system keys its
patients by it; the check number catches a mistyped digit before a note lands on another child
(docs/decisions/0019-clinic-notes.md). Written ``112-233-445 95`` or ``11223344595``; kept as the
eleven digits. A city that names children by another registry's number changes this module.
"""

from __future__ import annotations

import re

_WRITTEN = re.compile(r"[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{2}")
# Numbers up to 001-001-998 were given before check numbers were, and carry none.
_FIRST_CHECKED = 1001998


def check_number(first_nine: str) -> str:
    """The two check digits of the number's first nine: each digit times its weight (9 down to
    1), summed; below 100 the sum itself, 100 and 101 are 00, above that the rest after dividing
    by 101 (100 again being 00)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    return f"{0 if total in (100, 101) else total:02d}"


def normalize(raw: str) -> str | None:
    """The eleven digits of a well-formed number whose check number is right; None otherwise."""
    written = raw.strip()
    if not _WRITTEN.fullmatch(written):
        return None
    digits = written.replace("-", "").replace(" ", "")
    if int(digits[:9]) > _FIRST_CHECKED and digits[9:] != check_number(digits[:9]):
        return None
    return digits


def written(number: str) -> str:
    """``112-233-445 95``: how the number is written on documents."""
    return f"{number[:3]}-{number[3:6]}-{number[6:9]} {number[9:]}"


def with_check_number(first_nine: int) -> str:
    """A whole number from its first nine digits (the demo's and the tests' made-up children)."""
    head = f"{first_nine:09d}"
    return head + check_number(head)
