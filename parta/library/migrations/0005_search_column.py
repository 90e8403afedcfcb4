"""Full-text search on PostgreSQL reads a stored column instead of two expression indexes (the
index's lossy matches are checked and ranked without computing a vector per row), with a second
index over what every signed-in reader shares; and that audience by popularity, in order."""

from django.conf import settings
from django.db import migrations, models

from parta.library import search

# What 0002 made, named here: that migration's own functions now make the column.
_OLD_INDEXES = ("material_search_ru", "material_search_en")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for sql in search.pg_create_sql():
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('curriculum', '0003_drop_indexes_another_begins'),
        ('library', '0004_drop_indexes_another_begins'),
        ('schools', '0008_year_closing_and_final_marks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='material',
            index=models.Index(condition=models.Q(('published__isnull', False), ('visibility__in', ['public', 'city'])), fields=['-popularity', '-id'], name='material_shared_popular'),
        ),
    ]
