"""The school's sick notes, for its administrators and class teachers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parta.clinic import selectors
from parta.clinic.access import may_read_notes


@login_required
def note_list(request: HttpRequest) -> HttpResponse:
    """The notes of the school (an administrator) or of the class (a class teacher); 404 for
    anyone else."""
    if not may_read_notes(request.user):
        raise Http404
    context = {"notes": selectors.notes_for(request.user), "title": _("Sick notes")}
    return render(request, "clinic/notes.html", context)


@login_required
def note_detail(request: HttpRequest, note_pk: int) -> HttpResponse:
    page = selectors.note_page(request.user, note_pk)
    return render(request, "clinic/note.html", {"page": page, "title": _("Sick note")})
