"""Library materials for tests, made through the library's services (versions and all)."""

from __future__ import annotations

from typing import Any

from parta.accounts.models import User
from parta.library.models import Material, Visibility
from parta.library.services.authoring import MaterialData, material_create
from parta.library.services.moderation import material_publish, material_submit


def text_material(
    owner: User,
    *,
    title: str = "Линейные уравнения",
    body: str = "Уравнение вида ax + b = 0 называют линейным.",
    **data: Any,
) -> Material:
    return material_create(owner, kind="text", data=MaterialData(title=title, content={"body": body}, **data))


def published(
    material: Material, methodologist: User, visibility: str = Visibility.CITY, comment: str = ""
) -> Material:
    """The material submitted by its author for ``visibility`` and published by ``methodologist``."""
    material_submit(material.owner, material.pk, visibility=visibility)
    return material_publish(methodologist, material.pk, comment=comment)
