"""Which writes make which cached reads stale: every save and delete of a model that a cached
read shows renews the version tokens it concerns (``parta.core.versions``).

Each app declares the rules of its own models, next to them (``<app>/freshness.py``, registered
from its ``AppConfig.ready``); this module only attaches them. They hang on the models' own save
and delete signals rather than being called from each service: this is the cache's bookkeeping,
not a business rule, and a write path that forgot to call it (a service, the Django admin, a
management command) would show a family yesterday's diary. Writes that send no signals —
``bulk_create``, ``QuerySet.update`` — call ``versions.touch`` themselves.

A rule reads at most one small row, and only for a row whose owner is one step away.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from parta.core import versions

Rule = Callable[[Any], Iterable[str]]


@dataclass(frozen=True)
class _Declared:
    rule: Rule
    ignore_created: bool
    ignore_fields: frozenset[str]


_declared: dict[type[models.Model], _Declared] = {}


def register(
    model: type[models.Model],
    rule: Rule,
    *,
    ignore_created: bool = False,
    ignore_fields: Collection[str] = (),
) -> None:
    """Renew ``rule(row)``'s tokens whenever a row of ``model`` is saved or deleted (once its
    transaction commits). Call it from the owning app's ``AppConfig.ready``.

    ``ignore_created``: a new row shows nowhere until another write names it (that write renews).
    ``ignore_fields``: a save of these fields only (``update_fields``) shows nowhere."""
    if model in _declared:
        raise ValueError(f"freshness of {model._meta.label} is declared twice")
    _declared[model] = _Declared(rule, ignore_created, frozenset(ignore_fields))
    label = model._meta.label
    post_save.connect(_saved, sender=model, dispatch_uid=f"freshness-save-{label}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"freshness-delete-{label}")


def unregister(model: type[models.Model]) -> None:
    """Forget a model's rule (tests that declare one of their own)."""
    del _declared[model]
    label = model._meta.label
    post_save.disconnect(sender=model, dispatch_uid=f"freshness-save-{label}")
    post_delete.disconnect(sender=model, dispatch_uid=f"freshness-delete-{label}")


def _saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    declared = _declared[sender]
    if (created and declared.ignore_created) or (
        update_fields is not None and declared.ignore_fields and set(update_fields) <= declared.ignore_fields
    ):
        return
    versions.touch(declared.rule(instance), using=kwargs.get("using") or "default")


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    versions.touch(_declared[sender].rule(instance), using=kwargs.get("using") or "default")


def of_school(row: Any) -> list[str]:
    """The rule of a row that belongs to one school's calendar or settings (``school_id``)."""
    return [versions.school(row.school_id)]


def of_everything(row: Any) -> list[str]:
    """The rule of a name shown everywhere in the city."""
    return [versions.EVERYTHING]


def one_step(model: type[models.Model], pk: int, field: str, token: Callable[[int], str]) -> list[str]:
    """``token`` of ``field`` of the row ``pk`` of ``model`` (one small query: a file's set work's
    class group, say); none if that row is gone."""
    value = model._default_manager.filter(pk=pk).values_list(field, flat=True).first()
    return [] if value is None else [token(value)]
