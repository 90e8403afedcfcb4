"""Pages of the library: a material's file downloaded, the material exported as a zip, and
teachers' applications served sandboxed (``parta.library.files``). Access through
``access_version`` (404 for what is not the user's); an application's signed address is its only
authorisation."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from parta.core.files import download_response
from parta.core.ids import parse_id
from parta.library.files import access_version, app_csp, app_file, app_version, download_name
from parta.library.models import Use
from parta.library.selectors.export import material_package
from parta.library.services.usage import use_record


def version_asked(request: HttpRequest) -> int | None:
    """``?version=n``: None when not given; anything but a version number is no such version."""
    given = request.GET.get("version")
    if given is None:
        return None
    number = parse_id(given)
    if number is None:
        raise Http404
    return number


def material_file_response(
    user: Any, material_id: int, number: int | None, *, cover: bool = False, shown: bool = False
) -> FileResponse:
    """The file (or the ``cover``) of the version the user may have, as a sandboxed download;
    counted as a download unless a page ``shown`` it (a picture, a player) or it is the cover."""
    version = access_version(user, material_id, number)
    stored = version.cover if cover else version.file
    if not stored:
        raise Http404
    name = PurePath(str(stored.name)).name if cover else download_name(version)
    response = download_response(stored, name)
    if not (cover or shown):
        use_record(version.material_id, Use.Kind.DOWNLOAD, user)
    return response


def material_export_response(user: Any, material_id: int, number: int | None) -> FileResponse:
    """The version the user may have as a zip package (``parta.library.manifest``)."""
    package = material_package(user, material_id, number)
    response = FileResponse(
        package, as_attachment=True, filename=f"material-{material_id}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def material_download(request: HttpRequest, material_id: int) -> FileResponse:
    return material_file_response(
        request.user,
        material_id,
        version_asked(request),
        cover="cover" in request.GET,
        shown="shown" in request.GET,
    )


@require_safe
def material_export(request: HttpRequest, material_id: int) -> FileResponse:
    return material_export_response(request.user, material_id, version_asked(request))


@require_safe
@xframe_options_exempt  # the policy's frame-ancestors says who may frame it (the site)
def app(request: HttpRequest, token: str, path: str) -> HttpResponse:
    """One file of an application. Reads no session and no user: the middleware has taken the
    cookies away, and the token is the authorisation."""
    body, content_type = app_file(app_version(token), path)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Security-Policy"] = app_csp()
    response["X-Content-Type-Options"] = "nosniff"
    # The sandboxed document is an opaque origin: its own scripts and pictures are cross-origin
    # loads for the browser. The secret address, not this header, keeps others out.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/download/", material_download, name="library-download"),
    path("materials/<int:material_id>/export.zip", material_export, name="library-export"),
    path("apps/<str:token>/<path:path>", app, name="library-app"),
]
