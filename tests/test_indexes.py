"""What every model's indexes must get right, checked over all of Parta's models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from django.apps import apps
from django.db import models

# Every index costs each insert into its table (a mark writes three tables at once) and disk in a
# city of a million students; a plain index whose columns begin another index's serves no read
# the other does not.


class Index(NamedTuple):
    name: str
    columns: tuple[str, ...]
    unique: bool


def column(field: Any) -> str:
    assert isinstance(field, models.Field) and field.column
    return field.column


def indexes(model: type[models.Model]) -> list[Index]:
    """The indexes over all of the table's rows (a partial one covers only some)."""
    meta = model._meta

    def columns(fields: Sequence[str]) -> tuple[str, ...]:
        return tuple(column(meta.get_field(name.lstrip("-"))) for name in fields)

    found = [
        Index(f"{field.name} (db_index)", (column(field),), False)
        for field in meta.local_fields
        if field.db_index and not field.unique  # type: ignore[attr-defined]  # not in django-stubs
    ]
    found += [
        Index(index.name, columns(index.fields), False) for index in meta.indexes if index.condition is None
    ]
    found += [
        Index(constraint.name, columns(constraint.fields), True)
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is None
        and constraint.fields
    ]
    found += [Index(f"unique_together {fields}", columns(fields), True) for fields in meta.unique_together]
    return found


def redundant(found: list[Index]) -> list[str]:
    """Plain indexes whose columns begin another index's (a unique one is kept: it is a rule)."""
    return [
        f"{index.name} begins {other.name}"
        for index in found
        if not index.unique
        for other in found
        if other is not index
        and other.columns[: len(index.columns)] == index.columns
        and (len(other.columns) > len(index.columns) or other.unique or other.name < index.name)
    ]


def test_no_index_begins_another() -> None:
    found = [
        f"{model._meta.label}: {line}"
        for model in apps.get_models()
        if model.__module__.startswith("parta.")
        for line in redundant(indexes(model))
    ]
    assert found == []


def test_redundant_names_an_index_at_the_start_of_another_and_a_twin() -> None:
    lesson = Index("lesson (db_index)", ("lesson_id",), False)
    cell = Index("cell", ("lesson_id", "student_id"), False)
    student = Index("student (db_index)", ("student_id",), False)
    assert redundant([lesson, cell, student]) == ["lesson (db_index) begins cell"]
    assert redundant([student, Index("one", ("student_id",), True)]) == ["student (db_index) begins one"]
    twin = Index("a", ("lesson_id",), False)
    assert redundant([twin, lesson]) == ["lesson (db_index) begins a"]
