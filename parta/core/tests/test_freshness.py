"""The freshness registry: a rule an app declares for its own model renews its tokens on every
save and delete of a row, once the write commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.test.utils import isolate_apps

from parta.core import freshness, versions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shelf() -> Iterator[Any]:
    """A model no Parta app has, with a table of its own and a rule declared here, not in core."""
    with isolate_apps("parta.core"):

        class Shelf(models.Model):
            owner_id = models.IntegerField()
            label = models.CharField(max_length=20, default="")

            class Meta:
                app_label = "core"

            def __str__(self) -> str:
                return self.label

        with connection.schema_editor() as editor:
            editor.create_model(Shelf)
        freshness.register(Shelf, lambda row: [versions.student(row.owner_id)], ignore_fields={"label"})
        try:
            yield Shelf
        finally:
            freshness.unregister(Shelf)
            with connection.schema_editor() as editor:
                editor.delete_model(Shelf)


def token(pk: int) -> Any:
    return versions.current([versions.student(pk)])[versions.student(pk)]


def test_a_rule_declared_outside_core_renews_its_tokens_on_save_and_delete(shelf: Any) -> None:
    before = token(1), token(2)
    row = shelf.objects.create(owner_id=1)
    assert (token(1), token(2)) != before and token(2) == before[1]

    before = token(1), token(2)
    row.owner_id = 1
    row.save()
    assert token(1) != before[0]

    before = token(1), token(2)
    row.label = "seen nowhere"
    row.save(update_fields=["label"])
    assert (token(1), token(2)) == before

    with transaction.atomic():
        shelf.objects.get(pk=row.pk).delete()
        assert token(1) == before[0]  # not before the delete commits
    assert token(1) != before[0]
    assert token(2) == before[1]


def test_a_model_is_declared_once(shelf: Any) -> None:
    with pytest.raises(ValueError, match="declared twice"):
        freshness.register(shelf, freshness.of_everything)
