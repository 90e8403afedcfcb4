"""The library at lessons: the journal's lesson page shows a "Materials" section (what was given
at the lesson; for its teacher, what to give, the lesson's topic first), and a cached diary renews
when a material is given or taken back. Imported once from ``Config.ready``; registering is all
it does on import (the journal names no app above it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from parta.core import freshness, versions
from parta.journal.lesson_sections import SectionLesson, register_lesson_section
from parta.library import freshness as library_freshness
from parta.library.models import Assignment
from parta.library.selectors.lessons import LessonOffer, materials_given_at_lessons, offered_materials

QUERY_PARAM = "materials_q"


def next_url(request: HttpRequest) -> str:
    """The page a form of the section goes back to: the one it was shown on."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return request.get_full_path()


def materials_section(request: HttpRequest, lesson: SectionLesson) -> dict[str, Any] | None:
    """The materials given at the lesson, and for its teacher the materials to give: two queries
    (one for a reader who does not teach it; nothing shown to them when none was given)."""
    given = materials_given_at_lessons([lesson.id]).get(lesson.id, [])
    if not lesson.teaches:
        return {"lesson_id": lesson.id, "given": given, "teaches": False} if given else None
    query = request.GET.get(QUERY_PARAM, "").strip()
    offer = LessonOffer(subject_id=lesson.subject_id, grade=lesson.grade, topic_id=lesson.topic_id)
    here = next_url(request)
    return {
        "lesson_id": lesson.id,
        "given": given,
        "teaches": True,
        "offered": offered_materials(request.user, offer, query=query, exclude={m.id for m in given}),
        "query": query,
        "has_topic": lesson.topic_id is not None,
        "next": here,
        "page_path": urlsplit(here).path,
    }


def _given(row: Assignment) -> list[str]:
    """A material given to a class shows in its students' diaries, and the school's staff may
    open it."""
    return [versions.class_group(row.class_group_id), library_freshness.given(row.school_id)]


register_lesson_section(
    "materials", template="library/lesson_materials.html", context=materials_section, order=10
)
freshness.register(Assignment, _given)
