"""DRF's single token per user becomes an ApiToken: its key keeps working (only its hash is kept),
and DRF's table with the keys in the clear is dropped (``rest_framework.authtoken`` is no longer
installed, so the table is read with plain SQL where it exists)."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DRF_TABLE = "authtoken_token"


def copy_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.PARTA_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {connection.ops.quote_name(DRF_TABLE)}")  # noqa: S608
        found = cursor.fetchall()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                device="",
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:10],
                created=now,
                last_used=now,
                expires_at=expires,
            )
            for key, user_id in found
        ],
        batch_size=2000,
    )
    schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(DRF_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_tokens_and_machine_clients")]

    operations = [migrations.RunPython(copy_drf_tokens, migrations.RunPython.noop)]
