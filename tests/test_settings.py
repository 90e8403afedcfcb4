"""Settings that differ between the test run and production."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import get_hasher

import parta.settings as production


def test_the_fast_password_hasher_is_for_the_test_run_only():
    # The root conftest swaps in MD5 so that tests hash quickly; production keeps Django's PBKDF2.
    assert get_hasher().algorithm == "md5"
    assert "PASSWORD_HASHERS" not in vars(production)
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
