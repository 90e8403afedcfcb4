"""Pages of usage and popularity: the author's dashboard, an author's profile, the city's top
lists, and the teacher's stars for a material (the widget of the material page).

Reads go through ``selectors.usage`` (what the user may read, 404 otherwise), the stars through
``services.ratings``; the figures shown are those the counting task keeps, never counted here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parta.core.ids import parse_id
from parta.library.access import access_material
from parta.library.models import Kind
from parta.library.selectors import usage as selectors
from parta.library.selectors.moderation import subject_choices
from parta.library.services import usage
from parta.library.services.ratings import rating_set
from parta.library.templatetags.library_usage import rating_context


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.author_dashboard(request.user)
    context = {"board": board, "chart": board.chart(), "chart_days": selectors.CHART_DAYS}
    return render(request, "library/dashboard.html", context)


def author(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = selectors.author_profile(request.user, user_id)
    return render(request, "library/author.html", {"profile": profile})


def top(request: HttpRequest) -> HttpResponse:
    subject_id = parse_id(request.GET.get("subject"))
    kind = request.GET.get("type") if request.GET.get("type") in Kind.values else None
    context = {
        "lists": selectors.top_lists(request.user, subject_id=subject_id, kind=kind),
        "subjects": subject_choices(),
        "kinds": Kind.choices,
        "subject_id": subject_id,
        "kind": kind or "",
        "weights": usage.WEIGHTS,
        "half_life": usage.HALF_LIFE_DAYS,
    }
    return render(request, "library/top.html", context)


@login_required
@require_POST
def rate(request: HttpRequest, material_id: int) -> HttpResponse:
    """A teacher's stars; htmx gets the widget back, a plain POST goes back to the page."""
    stars = parse_id(request.POST.get("stars"))
    error = ""
    try:
        rating_set(request.user, material_id, stars=stars)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if getattr(request, "htmx", False):
        material = access_material(request.user, material_id)
        context = {**rating_context(request.user, material, error=error), "request": request}
        return render(request, "library/_rating.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("library-material", args=[material_id])
    return redirect(target)


urlpatterns: list[URLPattern | URLResolver] = [
    path("top/", top, name="library-top"),
    path("dashboard/", dashboard, name="library-dashboard"),
    path("authors/<int:user_id>/", author, name="library-author"),
    path("materials/<int:material_id>/rating/", rate, name="library-rate"),
]
