"""Pages of the library: a material's page, the author's list, creating and changing materials
(with the scenario and textbook constructors), versions, and the classroom presentation.

Every view reaches its material through ``parta.library.access`` (404 for anything not the
user's), reads through ``selectors/authoring.py`` and writes through the services.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import form_status
from parta.core.ids import parse_id
from parta.library.access import (
    access_material,
    access_own_material,
    is_author,
    may_author,
    may_submit,
    may_unshare,
)
from parta.library.content import constructor_of, part_links
from parta.library.forms.authoring import KIND_GROUPS, MaterialForm, SubmitForm, initial_of
from parta.library.models import COMPOSED_KINDS, Kind, Material, MaterialVersion, Use
from parta.library.selectors import authoring as selectors
from parta.library.services.authoring import material_create, material_restore, material_save
from parta.library.services.moderation import material_submit, material_unshare
from parta.library.services.usage import use_record


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _may_author_or_404(request: HttpRequest) -> None:
    if not may_author(request.user):
        raise Http404


# --- the material page -----------------------------------------------------------------------


def _shown_version(request: HttpRequest, material: Material) -> MaterialVersion:
    version = selectors.version_seen(request.user, material)
    if version is None:
        raise Http404
    return version


def material_page(request: HttpRequest, material_id: int) -> HttpResponse:
    """A material for everyone who may open it, in the version they read; its author also sees
    its review state, the methodologists' comments and what they may do."""
    material = access_material(request.user, material_id)
    version = _shown_version(request, material)
    use_record(material.pk, Use.Kind.VIEW, request.user)
    author = is_author(request.user, material)
    context: dict[str, Any] = {
        "material": material,
        "version": version,
        "meta": selectors.metadata_of(material, version),
        "content": selectors.version_shown(request.user, material, version),
        "is_author": author,
        "may_present": material.kind in COMPOSED_KINDS,
        "part_links": part_links(request.user, material, version.content or {}),
    }
    if author:
        context |= {
            "reviews": selectors.reviews_of(material),
            "submit_form": SubmitForm(has_school=material.school_id is not None),
            "may_submit": may_submit(material),
            "may_unshare": may_unshare(material),
        }
    return render(request, "library/material.html", context)


@login_required
@require_POST
def material_submit_page(request: HttpRequest, material_id: int) -> HttpResponse:
    material = access_own_material(request.user, material_id)
    form = SubmitForm(request.POST, has_school=material.school_id is not None)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose who may see the material."))
        material_submit(request.user, material.pk, visibility=form.cleaned_data["visibility"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The material is sent to the methodologists for review."))
    return redirect("library-material", material.pk)


@login_required
@require_POST
def material_unshare_page(request: HttpRequest, material_id: int) -> HttpResponse:
    material_unshare(request.user, material_id)
    messages.success(request, _("The material is yours alone again."))
    return redirect("library-material", material_id)


# --- the author's list, creating and changing ------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    _may_author_or_404(request)
    return render(request, "library/mine.html", {"materials": selectors.materials_of(request.user)})


def _form_context(form: MaterialForm, material_id: int | None = None, **extra: Any) -> dict[str, Any]:
    context = {"form": form, "kind": form.kind, "kind_label": Kind(form.kind).label, **extra}
    constructor = constructor_of(form.kind)
    if constructor is not None:
        # Another app builds this kind on a page of its own (a test's questions): the form says so.
        url = constructor.new_url() if material_id is None else constructor.edit_url(material_id)
        context |= {"constructor_url": url, "constructor_label": constructor.label}
    return context


def _kind_choice(kind: str) -> tuple[str, str, str]:
    """A type on the "new material" page: its value, its name, and another app's constructor of it."""
    constructor = constructor_of(kind)
    return kind, str(Kind(kind).label), constructor.new_url() if constructor is not None else ""


def _composer(request: HttpRequest, form: MaterialForm, owner_id: int) -> dict[str, Any]:
    """What the constructor lists: the blocks of the form's content, its elements by title."""
    if not form.is_composed:
        return {}
    raw = form.data.get("content") if form.is_bound else form.initial.get("content")
    try:
        content = json.loads(raw or "{}")
    except ValueError:
        content = {}
    content = content if isinstance(content, dict) else {}
    if form.kind == Kind.TEXTBOOK and not content.get("chapters"):
        content = {"chapters": [{"title": "", "sections": [{"title": "", "blocks": []}]}]}
    elements = selectors.block_labels(request.user, owner_id, content, form.kind)

    def items(blocks: Any) -> list[selectors.ComposerItem]:
        return [selectors.composer_item(b, elements) for b in blocks if isinstance(b, dict)]

    return {
        "composer": {
            "content_json": json.dumps(content, ensure_ascii=False),
            "blocks": items(content.get("blocks", [])),
            "chapters": [
                {
                    "title": str(chapter.get("title", "")),
                    "sections": [
                        {"title": str(section.get("title", "")), "items": items(section.get("blocks", []))}
                        for section in chapter.get("sections", [])
                        if isinstance(section, dict)
                    ],
                }
                for chapter in content.get("chapters", [])
                if isinstance(chapter, dict)
            ],
        }
    }


@login_required
def material_new(request: HttpRequest) -> HttpResponse:
    """First the type, then one form for it."""
    _may_author_or_404(request)
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        groups = [(label, [_kind_choice(k) for k in kinds]) for label, kinds in KIND_GROUPS]
        return render(request, "library/new.html", {"groups": groups})
    if request.method == "POST":
        form = MaterialForm(request.POST, request.FILES, kind=kind)
        if form.is_valid():
            try:
                material = material_create(
                    request.user,
                    kind=kind,
                    data=form.material_data(),
                    file=form.upload("file"),
                    cover=form.upload("cover"),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The material is saved: only you see it until it is verified."))
                return redirect("library-material", material.pk)
    else:
        form = MaterialForm(kind=kind)
    context = _form_context(form, **_composer(request, form, _user_id(request)))
    return render(request, "library/edit.html", context, status=form_status(request))


@login_required
def material_edit(request: HttpRequest, material_id: int) -> HttpResponse:
    """Changing a material saves a new version; the old ones stay."""
    material = access_own_material(request.user, material_id)
    latest = material.latest
    if latest is None:
        raise Http404
    if request.method == "POST":
        form = MaterialForm(request.POST, request.FILES, kind=material.kind, editing=True)
        if form.is_valid():
            try:
                material_save(
                    request.user,
                    material.pk,
                    data=form.material_data(),
                    file=form.upload("file"),
                    cover=form.upload("cover"),
                    note=form.cleaned_data.get("note") or "",
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("A new version is saved."))
                return redirect("library-material", material.pk)
    else:
        form = MaterialForm(kind=material.kind, editing=True, initial=initial_of(latest))
    context = _form_context(
        form, material.pk, material=material, version=latest, **_composer(request, form, material.owner_id)
    )
    return render(request, "library/edit.html", context, status=form_status(request))


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    """The topic picker again for the subjects and grades chosen (htmx)."""
    _may_author_or_404(request)
    kind = request.GET.get("kind", "")
    form = MaterialForm(request.GET, kind=kind if kind in Kind.values else Kind.TEXT)
    return render(request, "library/edit.html#topics", {"form": form})


# --- the constructor's helpers -----------------------------------------------------------------


@login_required
def compose_pick(request: HttpRequest) -> HttpResponse:
    """Elements and tests the author may add, found by title (htmx)."""
    _may_author_or_404(request)
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.materials_to_compose(request.user, query) if query else []
    return render(request, "library/_pick.html", {"found": found, "query": query})


@login_required
@require_POST
def compose_preview(request: HttpRequest) -> HttpResponse:
    """The constructor's unsaved blocks rendered as the material page will show them."""
    _may_author_or_404(request)
    kind = request.POST.get("kind", "")
    if kind not in COMPOSED_KINDS:
        raise Http404
    try:
        content = json.loads(request.POST.get("content") or "{}")
    except ValueError:
        content = {}
    content = content if isinstance(content, dict) else {}
    shown = selectors.content_shown(
        request.user, owner_id=_user_id(request), material_id=0, kind=kind, version=None, content=content
    )
    return render(request, "library/_content.html", {"content": shown})


# --- versions --------------------------------------------------------------------------------


@login_required
def versions(request: HttpRequest, material_id: int) -> HttpResponse:
    material = access_own_material(request.user, material_id)
    context = {"material": material, "versions": selectors.versions_of(material)}
    return render(request, "library/versions.html", context)


def _version(material: Material, number: int | str | None) -> MaterialVersion:
    parsed = number if isinstance(number, int) else parse_id(number)
    version = selectors.version_of(material, parsed) if parsed else None
    if version is None:
        raise Http404
    return version


@login_required
def version_page(request: HttpRequest, material_id: int, number: int) -> HttpResponse:
    material = access_own_material(request.user, material_id)
    version = _version(material, number)
    context = {
        "material": material,
        "version": version,
        "meta": selectors.metadata_of(material, version),
        "content": selectors.version_shown(request.user, material, version),
    }
    return render(request, "library/version.html", context)


@login_required
def versions_compare(request: HttpRequest, material_id: int) -> HttpResponse:
    """Two versions side by side: ``?old=<n>&new=<n>`` (the previous and the latest without)."""
    material = access_own_material(request.user, material_id)
    latest = material.latest
    if latest is None:
        raise Http404
    new = _version(material, request.GET.get("new") or latest.number)
    old = _version(material, request.GET.get("old") or max(new.number - 1, 1))
    context = {
        "material": material,
        "comparison": selectors.versions_compare(material, old, new),
        "numbers": list(material.versions.values_list("number", flat=True)),
    }
    return render(request, "library/compare.html", context)


@login_required
@require_POST
def version_restore(request: HttpRequest, material_id: int, number: int) -> HttpResponse:
    try:
        version = material_restore(request.user, material_id, number=number)
    except ValidationError as error:
        # An old version may no longer pass today's checks (an element since taken back).
        messages.error(request, " ".join(error.messages))
        return redirect("library-versions", material_id)
    messages.success(
        request,
        _("Version %(old)d is saved again as version %(new)d.") % {"old": number, "new": version.number},
    )
    return redirect("library-versions", material_id)


# --- presentation ----------------------------------------------------------------------------


def present(request: HttpRequest, material_id: int) -> HttpResponse:
    """A scenario one block a slide (a textbook one section a slide), for the classroom's panel."""
    material = access_material(request.user, material_id)
    if material.kind not in COMPOSED_KINDS:
        raise Http404
    version = _shown_version(request, material)
    content = selectors.version_shown(request.user, material, version)
    context = {
        "material": material,
        "slides": selectors.slides_of(version.title, content),
        "back_url": reverse("library-material", args=[material.pk]),
    }
    return render(request, "library/present.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/", material_page, name="library-material"),
    path("materials/<int:material_id>/edit/", material_edit, name="library-edit"),
    path("materials/<int:material_id>/submit/", material_submit_page, name="library-submit"),
    path("materials/<int:material_id>/unshare/", material_unshare_page, name="library-unshare"),
    path("materials/<int:material_id>/versions/", versions, name="library-versions"),
    path("materials/<int:material_id>/versions/<int:number>/", version_page, name="library-version"),
    path(
        "materials/<int:material_id>/versions/<int:number>/restore/",
        version_restore,
        name="library-restore",
    ),
    path("materials/<int:material_id>/compare/", versions_compare, name="library-compare"),
    path("materials/<int:material_id>/present/", present, name="library-present"),
    path("mine/", mine, name="library-mine"),
    path("new/", material_new, name="library-new"),
    path("new/topics/", topics, name="library-topics"),
    path("compose/pick/", compose_pick, name="library-pick"),
    path("compose/preview/", compose_preview, name="library-preview"),
]
