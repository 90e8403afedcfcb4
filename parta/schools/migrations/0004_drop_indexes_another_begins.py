# Each index dropped here is the first column of a composite index or unique constraint on the
# same table (tests/test_indexes.py).

from django.db import migrations

from parta.core.schema_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    dependencies = [("schools", "0003_studyperiod_closed_at_studyperiod_closed_by")]

    operations = [
        DropForeignKeyIndex("academicyear", "school"),
        DropForeignKeyIndex("cityrole", "city"),
        DropForeignKeyIndex("classgroup", "year"),
        DropForeignKeyIndex("enrolment", "student"),
        DropForeignKeyIndex("enrolment", "year"),
        DropForeignKeyIndex("room", "building"),
        DropForeignKeyIndex("staffmembership", "school"),
        DropForeignKeyIndex("staffmembership", "user"),
        DropForeignKeyIndex("studyperiod", "year"),
        DropForeignKeyIndex("subgroup", "class_group"),
        DropForeignKeyIndex("subgroupmembership", "subgroup"),
        DropForeignKeyIndex("teachingassignment", "teacher"),
    ]
