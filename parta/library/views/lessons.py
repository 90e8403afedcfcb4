"""Pages of the library at lessons: the lesson's "Materials" section on its own (what htmx swaps
into the journal's lesson page, and a page of its own without JavaScript), giving a material at
the lesson (one POST: the second of the two clicks) and taking it back.

Only the lesson's teachers reach these (404 for anyone else); the services check again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parta.core.ids import parse_id
from parta.journal.lesson_sections import SectionLesson
from parta.library.lesson import materials_section, next_url
from parta.library.selectors.lessons import access_lesson_taught
from parta.library.services.assignments import material_attach_to_lesson, material_detach_from_lesson


def _section(request: HttpRequest, lesson: SectionLesson, *, changed: str = "") -> HttpResponse:
    """The section again: swapped in by htmx; without it, back to the page the form was on."""
    if changed and not getattr(request, "htmx", False):
        messages.success(request, changed)
        return redirect(next_url(request) + "#lesson-materials")
    context = {"section": materials_section(request, lesson)}
    if getattr(request, "htmx", False):
        return render(request, "library/lesson_materials.html", context)
    return render(request, "library/lesson_materials_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_materials(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET: the lesson's materials and what to give (``?materials_q=`` finds by title). POST
    ``material``: give it at the lesson; giving it twice changes nothing."""
    lesson = access_lesson_taught(request.user, lesson_id)
    if request.method == "POST":
        material_id = parse_id(request.POST.get("material"))
        if material_id is None:
            raise Http404
        material_attach_to_lesson(request.user, lesson_id=lesson_id, material_id=material_id)
        return _section(request, lesson, changed=_("The material is given at the lesson."))
    return _section(request, lesson)


@login_required
@require_POST
def lesson_material_remove(request: HttpRequest, lesson_id: int, material_id: int) -> HttpResponse:
    lesson = access_lesson_taught(request.user, lesson_id)
    material_detach_from_lesson(request.user, lesson_id=lesson_id, material_id=material_id)
    return _section(request, lesson, changed=_("The material is taken back from the lesson."))


urlpatterns: list[URLPattern | URLResolver] = [
    path("lessons/<int:lesson_id>/materials/", lesson_materials, name="library-lesson-materials"),
    path(
        "lessons/<int:lesson_id>/materials/<int:material_id>/remove/",
        lesson_material_remove,
        name="library-lesson-material-remove",
    ),
]
