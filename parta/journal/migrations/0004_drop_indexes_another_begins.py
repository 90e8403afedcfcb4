# Each index dropped here is the first column of a composite index or unique constraint on the
# same table (tests/test_indexes.py).

from django.db import migrations

from parta.core.schema_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    dependencies = [("journal", "0003_journal_defaults_for_schools")]

    operations = [
        DropForeignKeyIndex("absencenotice", "school"),
        DropForeignKeyIndex("absencenotice", "student"),
        DropForeignKeyIndex("attendance", "lesson"),
        DropForeignKeyIndex("attendance", "school"),
        DropForeignKeyIndex("attendance", "student"),
        DropForeignKeyIndex("controlform", "school"),
        DropForeignKeyIndex("journalchange", "lesson"),
        DropForeignKeyIndex("journalchange", "school"),
        DropForeignKeyIndex("mark", "lesson"),
        DropForeignKeyIndex("mark", "school"),
        DropForeignKeyIndex("mark", "student"),
        DropForeignKeyIndex("periodmark", "class_group"),
    ]
