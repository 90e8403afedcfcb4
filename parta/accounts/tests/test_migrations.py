"""Migration 0005: DRF's tokens become ApiTokens whose keys keep working; DRF's table goes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from parta.accounts.models import ApiToken, credential_hash
from parta.testing.factories import UserFactory

migration = importlib.import_module("parta.accounts.migrations.0005_api_tokens_from_drf_tokens")
pytestmark = pytest.mark.django_db


class SchemaEditor:
    """What the migration uses of a schema editor (SQLite's cannot open inside a test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_drf_tokens_are_moved_by_their_hash_and_their_table_dropped():
    user = UserFactory.create()
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, CURRENT_TIMESTAMP)", [key, user.pk])
    migration.copy_drf_tokens(apps, SchemaEditor())
    token = ApiToken.objects.get()
    assert (token.user_id, token.key_hash, token.prefix) == (user.pk, credential_hash(key), key[:10])
    assert "authtoken_token" not in connection.introspection.table_names()


def test_without_drf_tokens_nothing_happens():
    migration.copy_drf_tokens(apps, SchemaEditor())
    assert not ApiToken.objects.exists()
