# Each index dropped here is the first column of a composite index or unique constraint on the
# same table (tests/test_indexes.py).

from django.db import migrations

from parta.core.schema_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0002_field_verbose_names")]

    operations = [
        DropForeignKeyIndex("planitem", "plan"),
        DropForeignKeyIndex("topic", "subject"),
    ]
