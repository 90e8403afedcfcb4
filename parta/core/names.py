"""How a school writes people, class groups and subgroups, built from plain columns.

One place for these, so that a page, the API and the calendar feed write a name the same way
(and ``values()`` reads need not load model objects to get it).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# A room numbered rather than named: «101», «204а», «3-12», «2.14», «12-Б».
_ROOM_NUMBER = re.compile(r"\d+(?:[-./]\d+)*(?:-?[^\W\d_]{1,2})?")


def full_name(last: str | None, first: str | None, middle: str | None) -> str:
    """«Иванова Анна Петровна»."""
    return " ".join(part for part in (last, first, middle) if part)


def short_name(last: str | None, first: str | None, middle: str | None) -> str:
    """«Иванова А. П.» — how Russian schools write a person in lists."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    return f"{last or ''} {initials}".strip()


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
