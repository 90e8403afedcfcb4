# Each index dropped here is the first column of a composite index or unique constraint on the
# same table (tests/test_indexes.py).

from django.db import migrations

from parta.core.schema_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [
        DropForeignKeyIndex("conversation", "school"),
        DropForeignKeyIndex("delivery", "notification"),
        DropForeignKeyIndex("message", "conversation"),
        DropForeignKeyIndex("notification", "recipient"),
        DropForeignKeyIndex("notificationpreference", "user"),
        DropForeignKeyIndex("participant", "conversation"),
        DropForeignKeyIndex("participant", "user"),
    ]
