"""Teachers' applications: a signed, short-lived address, served sandboxed and without the
session."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client

from parta.library.files import app_url
from parta.library.middleware import APPS_PREFIX
from parta.library.models import Material, MaterialVersion
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.library import app_zip, zip_bytes
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def _app(world: World, file: Any = None) -> MaterialVersion:
    material = material_create(
        world.a.subject_teacher,
        kind="application",
        data=MaterialData(title="Маятник"),
        file=file or app_zip(),
    )
    assert material.latest is not None
    return material.latest


def test_the_app_is_served_sandboxed_with_its_assets(world: World, settings: Any) -> None:
    settings.PARTA_SITE_URL = "https://parta.example"
    url = app_url(_app(world), world.a.subject_teacher)
    assert url.startswith(APPS_PREFIX) and url.endswith("/index.html")
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == (
        "sandbox allow-scripts; default-src 'self' data: blob: 'unsafe-inline'; connect-src 'none'; "
        "frame-ancestors 'self' https://parta.example"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["Cache-Control"] == "private, max-age=300"
    assert "X-Frame-Options" not in response
    script = Client().get(url.replace("index.html", "app.js"))
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    assert script.content == b"document.body.dataset.ran = 'yes';"


def test_a_folder_zipped_and_a_single_page(world: World) -> None:
    folder = SimpleUploadedFile(
        "game.zip", zip_bytes({"game/index.html": "<p>game</p>", "game/a.css": "p{}"})
    )
    url = app_url(_app(world, folder), world.a.subject_teacher)
    assert Client().get(url).content == b"<p>game</p>"
    assert Client().get(url.replace("index.html", "a.css"))["Content-Type"] == "text/css; charset=utf-8"
    page = SimpleUploadedFile("lab.html", b"<!doctype html><p>lab</p>")
    url = app_url(_app(world, page), world.a.subject_teacher)
    assert Client().get(url).content == b"<!doctype html><p>lab</p>"
    assert Client().get(url.replace("index.html", "other.html")).status_code == 404


def test_the_session_cookie_changes_nothing_and_no_cookie_is_set(world: World) -> None:
    url = app_url(_app(world), world.a.subject_teacher)
    anonymous = Client().get(url)
    signed_in = Client()
    signed_in.force_login(world.a.subject_teacher)
    signed_in.get("/")  # a CSRF and a language cookie besides the session's, where the site sets them
    with_cookie = signed_in.get(url)
    assert with_cookie.content == anonymous.content
    headers = [{k: v for k, v in r.headers.items() if k != "X-Request-ID"} for r in (with_cookie, anonymous)]
    assert headers[0] == headers[1]
    assert not with_cookie.cookies and "Set-Cookie" not in with_cookie.headers


def test_a_tampered_or_expired_token_or_a_path_outside_is_404(world: World, monkeypatch: Any) -> None:
    version = _app(world)
    url = app_url(version, world.a.subject_teacher)
    token = url.split("/")[3]
    other = MaterialVersion.objects.exclude(pk=version.pk).first()
    assert (
        Client().get(url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
    )
    assert (
        Client()
        .get(url.replace(token, f"{other.pk if other else 999}{token[token.index(':') :]}"))
        .status_code
        == 404
    )
    assert Client().get(url.replace("index.html", "../index.html")).status_code == 404
    assert Client().get(url.replace("index.html", "missing.js")).status_code == 404
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 7200)
    old = app_url(version, world.a.subject_teacher)
    monkeypatch.setattr(time, "time", real_time)
    assert Client().get(old).status_code == 404


def test_only_someone_who_may_open_it_gets_an_address(world: World) -> None:
    version = _app(world)
    for person in (world.a.class_teacher, world.b.subject_teacher, world.a.student):
        with pytest.raises(Http404):
            app_url(version, person)
    text = Material.objects.create(
        city=version.material.city, owner=world.a.subject_teacher, kind="text", title="Текст"
    )
    text_version = MaterialVersion.objects.create(
        material=text,
        number=1,
        title="Текст",
        language="ru",
        licence="cc-by",
        created_by=world.a.subject_teacher,
    )
    text.latest = text_version
    text.save()
    with pytest.raises(Http404):
        app_url(text_version, world.a.subject_teacher)


def test_a_separate_origin_serves_only_applications(world: World, settings: Any) -> None:
    settings.PARTA_LIBRARY_APPS_ORIGIN = "https://apps.parta.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "apps.parta.example"]
    url = app_url(_app(world), world.a.subject_teacher)
    assert url.startswith("https://apps.parta.example/library/apps/")
    path = url.removeprefix("https://apps.parta.example")
    assert Client().get(path, HTTP_HOST="apps.parta.example", secure=True).status_code == 200
    assert Client().get("/login/", HTTP_HOST="apps.parta.example", secure=True).status_code == 404


def test_the_frame_is_sandboxed() -> None:
    html = render_to_string(
        "library/_app_frame.html", {"app_url": "/library/apps/t/index.html", "title": "Маятник"}
    )
    assert 'sandbox="allow-scripts"' in html and "allow-same-origin" not in html
    assert 'src="/library/apps/t/index.html"' in html and "Маятник" in html
