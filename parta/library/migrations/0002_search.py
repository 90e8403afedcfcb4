"""Full-text search: on PostgreSQL two expression GIN indexes over the material's own columns
(russian, english); on SQLite an FTS5 table, filled here with the materials already made."""

from django.db import migrations

from parta.library import search


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in search.pg_create_sql():
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for sql in search.sqlite_create_sql():
            schema_editor.execute(sql)
        Material = apps.get_model("library", "Material")
        rows = Material.objects.order_by("pk").values_list("pk", "title", "authors", "description")
        with schema_editor.connection.cursor() as cursor:
            search.fts_insert(cursor, rows.iterator(chunk_size=2000))


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in search.pg_drop_sql():
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for sql in search.sqlite_drop_sql():
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
