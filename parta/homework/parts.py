"""What the apps above homework add to it: where a given material opens, and lines of a student's
work on it.

A test given with homework opens on the tests app's page for that homework (the attempt then counts
for it), not on the library's page: an app registers an opener for the kinds of material it takes.
The tests app lists a student's attempts at the homework's tests on the teacher's check screen,
in the "who has done it" table and on the student's own page; the homework app does not know
tests. An app registers a function ``(reader, homework, student ids) -> {student id: [WorkLine]}``
that reads what the reader may read, in a fixed number of queries whatever the number of students.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from parta.homework.models import Homework


@dataclass(frozen=True)
class WorkLine:
    label: str  # what it is ("Fractions, test")
    detail: str  # how it went ("7 of 10 points", "in progress")
    url: str  # where the reader opens it ("" for nowhere)


WorkLines = Callable[[Any, Homework, Collection[int]], dict[int, list[WorkLine]]]

_providers: list[WorkLines] = []
# kind -> (material id, homework id) -> the address a student opens it at
_openers: dict[str, Callable[[int, int], str]] = {}


def register_opener(kind: str, opener: Callable[[int, int], str]) -> None:
    _openers[kind] = opener


def opener_url(kind: str, material_id: int, homework_id: int) -> str | None:
    """Where a material of ``kind`` given with the homework opens, if an app says (else the library)."""
    opener = _openers.get(kind)
    return opener(material_id, homework_id) if opener is not None else None


def register_work_lines(provider: WorkLines) -> None:
    if provider not in _providers:
        _providers.append(provider)


def work_lines(reader: Any, homework: Homework, student_ids: Collection[int]) -> dict[int, list[WorkLine]]:
    """Every registered app's lines for these students' work, by student."""
    found: dict[int, list[WorkLine]] = {}
    for provider in _providers:
        for student_id, lines in provider(reader, homework, student_ids).items():
            found.setdefault(student_id, []).extend(lines)
    return found
