"""Migration operations Django lacks."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


class DropForeignKeyIndex(migrations.AlterField):
    """A foreign key's ``db_index`` turned off: drops the key's own index and nothing else.

    Django's ``AlterField`` also drops the foreign key's constraint and adds it again, which reads
    every row of the table to check it — minutes and a lock on a city's marks — for a change that
    only removes an index."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        own = {index.name for index in model._meta.indexes}  # an index of the model's own stays
        for name in schema_editor._constraint_names(
            model, [field.column], index=True, unique=False, type_=models.Index.suffix, exclude=own
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(self.name)])
        )
