"""Settings that differ between the test run and production, and production's own rules.

Settings are read once per process, so each case evaluates them in a new interpreter with exactly
the environment it names (nothing inherited from the test run)."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

import parta.settings as production
from parta.testing import factories as f

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = ROOT / "deploy" / "parta.env"


def test_the_fast_password_hasher_is_for_the_test_run_only():
    # The root conftest swaps in MD5 so that tests hash quickly; production keeps Django's PBKDF2.
    assert get_hasher().algorithm == "md5"
    assert "PASSWORD_HASHERS" not in vars(production)
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(env: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": "/usr/bin:/bin", "PARTA_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def evaluated(env: dict[str, str], tmp_path: Path, *names: str) -> dict[str, Any]:
    probe = (
        f"import json, parta.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = run(env, "-c", probe, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def production_env() -> dict[str, str]:
    """deploy/parta.env, the documented production settings, with a secret filled in."""
    env = {}
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env.pop("PARTA_DATA_DIR")  # each test's own folder instead
    return env | {"PARTA_SECRET_KEY": secrets.token_urlsafe(50)}


KEY = {"PARTA_SECRET_KEY": "a-test-only-secret-" + "x" * 40}


def test_debug_is_off_unless_turned_on(tmp_path):
    assert evaluated(KEY, tmp_path, "DEBUG") == {"DEBUG": False}
    assert evaluated({"PARTA_DEBUG": "1"}, tmp_path, "DEBUG") == {"DEBUG": True}


@pytest.mark.parametrize("key", [None, "", production.DEMO_SECRET_KEY])
def test_without_debug_every_command_refuses_the_demo_key_or_none(tmp_path, key):
    env = {} if key is None else {"PARTA_SECRET_KEY": key}
    check = run(env, "manage.py", "check", tmp_path=tmp_path)
    assert check.returncode != 0
    assert "PARTA_SECRET_KEY" in check.stderr
    # What gunicorn loads (web) and what celery loads (worker, beat).
    for module in ("parta.wsgi", "parta.celery"):
        server = run(
            env, "-c", f"import {module}; from django.conf import settings; settings.DEBUG", tmp_path=tmp_path
        )
        assert server.returncode != 0, module
        assert "PARTA_SECRET_KEY" in server.stderr, module


def test_migrations_are_checked_from_a_bare_checkout_but_nothing_else_runs_unsafe(tmp_path):
    made = run({}, "manage.py", "makemigrations", "--check", "--dry-run", tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr[-2000:]
    assert "No changes detected" in made.stdout
    assert run({}, "manage.py", "migrate", "--plan", tmp_path=tmp_path).returncode != 0


def test_the_laptop_demo_keeps_its_key(tmp_path):
    assert run({"PARTA_DEBUG": "1"}, "manage.py", "check", tmp_path=tmp_path).returncode == 0


def test_the_documented_production_settings_pass_the_deployment_check(tmp_path):
    result = run(
        production_env(), "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_an_https_proxy_by_environment(tmp_path):
    values = evaluated(
        production_env(),
        tmp_path,
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://school.example.org"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
    }
    # Opt-in: without the variable a client's X-Forwarded-Proto is not believed.
    assert evaluated(KEY, tmp_path, "SECURE_PROXY_SSL_HEADER") == {"SECURE_PROXY_SSL_HEADER": None}
    listed = KEY | {"PARTA_CSRF_TRUSTED_ORIGINS": "https://a.example, https://b.example"}
    assert evaluated(listed, tmp_path, "CSRF_TRUSTED_ORIGINS") == {
        "CSRF_TRUSTED_ORIGINS": ["https://a.example", "https://b.example"]
    }


def test_the_city_time_zone_is_one_setting(tmp_path):
    env = KEY | {"PARTA_TIME_ZONE": "Asia/Yekaterinburg"}
    assert evaluated(env, tmp_path, "TIME_ZONE", "CELERY_TIMEZONE") == {
        "TIME_ZONE": "Asia/Yekaterinburg",
        "CELERY_TIMEZONE": "Asia/Yekaterinburg",
    }


@pytest.mark.django_db
def test_signing_in_through_an_https_proxy(settings):
    """The proxy speaks HTTPS to the browser and HTTP to Parta. The browser's Origin is https://…;
    without trusting the proxy's header Django thinks the request is plain HTTP and refuses the
    form (CSRF 403)."""
    settings.ALLOWED_HOSTS = ["school.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    f.UserFactory.create(username="teacher")
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="school.example.org", HTTP_X_FORWARDED_PROTO="https")
    page = browser.get("/login/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    form = {"username": "teacher", "password": f.PASSWORD, "csrfmiddlewaretoken": token}
    signed_in = browser.post("/login/", form, HTTP_ORIGIN="https://school.example.org")
    assert signed_in.status_code == 302, signed_in.content[:500]
    assert signed_in.cookies["sessionid"]["secure"]


def test_files_go_to_the_local_disk_unless_an_s3_store_is_set(tmp_path):
    local = evaluated(KEY, tmp_path, "STORAGES")["STORAGES"]["default"]
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    s3_env = {
        "PARTA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "parta-files",
        "AWS_S3_ENDPOINT_URL": "https://storage.example.org",
        "AWS_S3_REGION_NAME": "ru-central1",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    s3 = evaluated(KEY | s3_env, tmp_path, "STORAGES")["STORAGES"]["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    # The backend is made from these options without a call to the network.
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**s3["OPTIONS"])
    assert (storage.bucket_name, storage.endpoint_url, storage.default_acl) == (
        "parta-files",
        "https://storage.example.org",
        "private",
    )
    assert not storage.file_overwrite


def test_an_s3_store_needs_its_bucket(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        production.default_storage({"PARTA_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured):
        production.default_storage({"PARTA_STORAGE": "ftp"})
