"""A material's stored file going out: which version a person may download, and teachers'
applications (HTML pages, zipped folders with index.html) served sandboxed.

An application runs teacher-made scripts, so it never runs with the user's session:

- its address is signed (``app_url``: version, purpose salt, ~1 hour) and the signature is the
  whole authorisation; the serving view reads no session, no user, no cookie (the middleware
  ``AppRequestsWithoutCookies`` takes the cookies off the request before any other middleware
  reads them and any Set-Cookie off the answer);
- the answer carries ``Content-Security-Policy: sandbox allow-scripts`` without
  allow-same-origin, so the document is an opaque origin: it reads no cookie and no storage of
  the site, and ``connect-src 'none'`` sends nothing anywhere; only the site may frame it;
- with ``PARTA_LIBRARY_APPS_ORIGIN`` the address is on a second host name, where the browser
  does not even send the session cookie (and that host serves nothing but applications).
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from parta.core.files import extension_of
from parta.library.access import access_material, is_author, sees_latest
from parta.library.models import MaterialVersion
from parta.library.uploads import APP_INDEX, APP_KINDS, APPLICATION, app_root

APP_SALT = "parta.library.app"
# What the files of an application are sent as; anything else is a download-only octet stream.
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "xml": "application/xml",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "wasm": "application/wasm",
}


def access_version(user: Any, material_id: int, number: int | None = None) -> MaterialVersion:
    """The version of a material the user may have: its author any (the latest by default),
    everyone else the one they see (``sees_latest``: the latest, or the published one). 404 for
    any other version and any material not theirs to open."""
    material = access_material(user, material_id)
    seen = (material.latest_id if sees_latest(user, material) else material.published_id) or 0
    versions = MaterialVersion.objects.select_related("material")
    if number is not None and is_author(user, material):
        version = versions.filter(material=material, number=number).first()
    elif number is not None:
        version = versions.filter(pk=seen, number=number).first()
    else:
        version = versions.filter(pk=seen).first()
    if version is None:
        raise Http404
    return version


def download_name(version: MaterialVersion) -> str:
    return PurePath(version.file_name or str(version.file.name)).name


# --- applications ------------------------------------------------------------------------


def is_app(version: MaterialVersion, kind: str | None = None) -> bool:
    """Whether the version is an application that runs in a sandboxed frame (``kind``: the
    material's, when the caller has it, so that the material is not read)."""
    return (
        (kind or version.material.kind) in APP_KINDS
        and bool(version.file)
        and extension_of(download_name(version)) in APPLICATION
    )


def _site_origin() -> str:
    parts = urlsplit(settings.PARTA_SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def app_csp() -> str:
    """An application's policy: its own scripts only, an opaque origin, no network, framed only
    by the site."""
    return (
        "sandbox allow-scripts; default-src 'self' data: blob: 'unsafe-inline'; connect-src 'none'; "
        f"frame-ancestors 'self' {_site_origin()}"
    )


def app_url(version: MaterialVersion, user: Any) -> str:
    """A signed address (about an hour) of the version's application, for a user who may open it
    (404 otherwise): on ``PARTA_LIBRARY_APPS_ORIGIN`` when that is set."""
    access_version(user, version.material_id, version.number)
    if not is_app(version):
        raise Http404
    return signed_app_url(version)


def signed_app_url(version: MaterialVersion) -> str:
    """The signed address of an application, for a page that has already checked the reader may
    open this version (``app_url`` checks it)."""
    token = signing.TimestampSigner(salt=APP_SALT).sign(str(version.pk))
    path = reverse("library-app", kwargs={"token": token, "path": APP_INDEX})
    return f"{settings.PARTA_LIBRARY_APPS_ORIGIN}{path}"


def app_version(token: str) -> MaterialVersion:
    """The version a signed address names; 404 when the signature is wrong or has expired."""
    try:
        value = signing.TimestampSigner(salt=APP_SALT).unsign(
            token, max_age=settings.PARTA_LIBRARY_APP_SECONDS
        )
    except signing.BadSignature:
        raise Http404 from None
    version = MaterialVersion.objects.select_related("material").filter(pk=int(value)).first()
    if version is None or not is_app(version):
        raise Http404
    return version


def _clean_path(path: str) -> str:
    parts = PurePosixPath(path).parts
    if not parts or "\\" in path or "\x00" in path or path.startswith("/") or ".." in parts:
        raise Http404
    return "/".join(parts)


def app_file(version: MaterialVersion, path: str) -> tuple[bytes, str]:
    """One file of an application and its content type: the HTML file itself (as index.html), or
    a member of its zip under the folder that holds index.html, read straight from the stored zip."""
    path = _clean_path(path)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    with handle:
        if extension_of(download_name(version)) != "zip":
            if path != APP_INDEX:
                raise Http404
            return handle.read(), CONTENT_TYPES["html"]
        try:
            with zipfile.ZipFile(handle) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
                root = app_root(names)
                member = f"{root}{path}"
                if root is None or member not in names:
                    raise Http404
                body = archive.read(member)
        except zipfile.BadZipFile:
            raise Http404 from None
    return body, CONTENT_TYPES.get(extension_of(path), "application/octet-stream")
