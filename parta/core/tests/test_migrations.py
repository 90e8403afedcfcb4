"""``DropForeignKeyIndex`` drops a foreign key's own index, keeps its constraint, and undoes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("journal", "0003_journal_defaults_for_schools"), ("homework", "0002_homework_subgroup_due_index")]


def _on(table: str, column: str) -> dict[str, dict[str, bool]]:
    """What holds exactly this one column: index name → its kind."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: {"index": bool(c["index"]), "foreign_key": bool(c["foreign_key"])}
        for name, c in found.items()
        if c["columns"] == [column] and not name.endswith("_like")
    }


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    """To ``targets``; without, to the latest migrations, as the other tests expect the database."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())


def _indexes(table: str, column: str) -> set[str]:
    return {name for name, kind in _on(table, column).items() if kind["index"] and not kind["foreign_key"]}


def _has_foreign_key(table: str, column: str) -> bool:
    if connection.vendor == "sqlite":  # SQLite names no foreign-key constraint: read the column's
        with connection.cursor() as cursor:
            return any(row[3] == column for row in cursor.execute(f"PRAGMA foreign_key_list({table})"))
    return any(kind["foreign_key"] for kind in _on(table, column).values())


@pytest.mark.django_db(transaction=True)
def test_backwards_makes_the_keys_own_index_again_and_forwards_drops_only_it() -> None:
    assert _indexes("journal_mark", "lesson_id") == set()
    assert _indexes("homework_homework", "lesson_id") == {"homework_ho_lesson__145a52_idx"}
    try:
        _migrate(BEFORE)
        assert _indexes("journal_mark", "lesson_id") == {"journal_mark_lesson_id_29df3d22"}
        # the key's own and the model's Index(fields=["lesson"]), which forwards must leave
        assert len(_indexes("homework_homework", "lesson_id")) == 2
        assert _has_foreign_key("journal_mark", "lesson_id")
    finally:
        _migrate()
    assert _indexes("journal_mark", "lesson_id") == set()
    assert _indexes("homework_homework", "lesson_id") == {"homework_ho_lesson__145a52_idx"}
    assert _has_foreign_key("journal_mark", "lesson_id")
