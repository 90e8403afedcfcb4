"""Sections that other apps add to the journal's lesson page, registered by the app that owns them.

The journal names no app above it: an app registers a section in its own ``AppConfig.ready``::

    register_lesson_section(
        "materials",
        template="<app>/lesson_materials.html",
        context=materials_section,   # (request, lesson: SectionLesson) -> dict | None
        order=10,
    )

- ``context(request, lesson)`` gets what the page knows of the lesson (``SectionLesson``: the
  reader may see it; whether they write its journal, whether they teach it) and returns what its
  template reads as ``section``, or None to show nothing. It runs on every lesson page, so it
  reads a fixed, small number of queries (the page's query budget counts them).
- ``template`` is included where the sections go, with the page's context and ``section``.
- ``order``: sections are shown by it, then by code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template import Template


@dataclass(frozen=True)
class SectionLesson:
    """The lesson as a section is told of it: plain ids, so that a section needs nothing of the
    journal's own read models (an app builds one for its own pages too)."""

    id: int
    school_id: int
    class_group_id: int
    subject_id: int
    grade: int
    topic_id: int | None
    cancelled: bool
    # The reader writes the lesson's journal (its teachers, the school's administrators).
    can_write: bool
    # The reader teaches the lesson: sets its homework, gives it materials.
    teaches: bool


SectionContext = Callable[[HttpRequest, SectionLesson], dict[str, Any] | None]


@dataclass(frozen=True)
class LessonSection:
    code: str
    template: str | Template
    context: SectionContext
    order: int


@dataclass(frozen=True)
class ShownSection:
    """A section to render: its template and what its context function gave."""

    code: str
    template: str | Template
    context: dict[str, Any]


_sections: dict[str, LessonSection] = {}


def register_lesson_section(
    code: str, *, template: str | Template, context: SectionContext, order: int = 100
) -> None:
    """Show ``template`` (a template's name; a compiled one in tests) on every lesson page whose
    ``context`` gives something. Registering the same code twice is a configuration error."""
    if code in _sections:
        raise ValueError(f"the lesson section {code!r} is registered already")
    _sections[code] = LessonSection(code, template, context, order)


def lesson_sections(request: HttpRequest, lesson: SectionLesson) -> list[ShownSection]:
    """The registered sections that have something to show for this lesson and reader, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.code)):
        context = section.context(request, lesson)
        if context is not None:
            shown.append(ShownSection(section.code, section.template, context))
    return shown
