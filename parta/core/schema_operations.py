"""Migration operations Django lacks."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.migrations.operations.base import Operation


class DropForeignKeyIndex(Operation):
    """A foreign key's ``db_index`` turned off: drops the key's own index and nothing else.

    Django's ``AlterField`` also drops the foreign key's constraint and adds it again, which reads
    every row of the table to check it — minutes and a lock on a city's marks — for a change that
    only removes an index. Named by model and field alone: the field is otherwise as it was."""

    reversible = True

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def deconstruct(self) -> tuple[str, list[str], dict[str, Any]]:
        return self.__class__.__name__, [self.model_name, self.name], {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = self.model_name.lower()
        key = state.models[app_label, model].fields[self.name]
        _, _, args, kwargs = key.deconstruct()
        state.alter_field(
            app_label, model, self.name, type(key)(*args, **{**kwargs, "db_index": False}), True
        )

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

    def describe(self) -> str:
        return f"Drop the own index of foreign key {self.name} on {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"drop_index_{self.model_name.lower()}_{self.name}"
