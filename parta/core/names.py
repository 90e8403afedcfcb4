"""How a school writes people, class groups and subgroups, built from plain columns.

One place for these, so that a page, the API and the calendar feed write a name the same way
(and ``values()`` reads need not load model objects to get it).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from django.utils.translation import gettext as _
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

# A room numbered rather than named: «101», «204а», «3-12», «2.14», «12-Б».
_ROOM_NUMBER = re.compile(r"\d+(?:[-./]\d+)*(?:-?[^\W\d_]{1,2})?")


def full_name(last: str | None, first: str | None, middle: str | None) -> str:
    """«Иванова Анна Петровна»."""
    return " ".join(part for part in (last, first, middle) if part)


def short_name(
    last: str | None, first: str | None, middle: str | None, *, case: Case = Case.NOMINATIVE
) -> str:
    """«Иванова А. П.» — how Russian schools write a person in lists; in another case the surname
    is declined («от Ивановой А. П.», «для Петрова И. С.»), the initials never are."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    if last and case is not Case.NOMINATIVE:
        last = _declined_surname(last, first or "", middle or "", case)
    return f"{last or ''} {initials}".strip()


@cache
def _declension() -> tuple[PetrovichGenderDetector, PetrovichDeclinationMaker]:
    # Both read their rules from JSON files: once per process.
    return PetrovichGenderDetector(), PetrovichDeclinationMaker()


@lru_cache(maxsize=4096)  # a list names the same few people again and again
def _declined_surname(last: str, first: str, middle: str, case: Case) -> str:
    """The surname in ``case``; the gender, which Russian surnames decline by, is guessed from the
    patronymic and the first name. A surname the rules do not know (a foreign one, an
    indeclinable one) stays as it is."""
    detector, maker = _declension()
    gender = detector.detect(  # type: ignore[no-untyped-call]  # pytrovich leaves it untyped
        firstname=first or None, lastname=last, middlename=middle or None
    )
    if gender is Gender.ANDROGYNOUS:
        # Nothing says which: Шевчук declines for a man and not for a woman; leave it unchanged.
        return last
    return maker.make(NamePart.LASTNAME, gender, case, last, known_gender=False)


def class_group_name(grade: int, letter: str) -> str:
    """«7А»."""
    return f"{grade}{letter}"


def subgroup_name(class_group: str, number: int | None) -> str | None:
    """«7А/2» for a subgroup's number; None where there is no subgroup (a whole-class lesson)."""
    return f"{class_group}/{number}" if number else None


def room_label(name: str | None) -> str | None:
    """«каб. 204» for a numbered room, the name as it is for a named one («Спортивный зал 1»);
    None where there is no room.

    The one place that decides it: pages, the calendar feed and anything else that shows a room
    print this label rather than adding the prefix themselves.
    """
    if not name:
        return None
    if _ROOM_NUMBER.fullmatch(name):
        return _("room %(room)s") % {"room": name}
    return name
