# Each index dropped here is the first column of a composite index or unique constraint on the
# same table (tests/test_indexes.py).

from django.db import migrations

from parta.core.schema_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    dependencies = [("homework", "0002_homework_subgroup_due_index")]

    operations = [
        DropForeignKeyIndex("homework", "class_group"),
        DropForeignKeyIndex("homework", "lesson"),
        DropForeignKeyIndex("homework", "school"),
        DropForeignKeyIndex("homeworkcompletion", "homework"),
        DropForeignKeyIndex("homeworkcompletion", "student"),
    ]
