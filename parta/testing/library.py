"""Library materials for tests, made through the library's services (versions and all)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

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


def png_file(name: str = "scheme.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    """A real PNG picture (the library checks pictures with Pillow, not only their first bytes)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def zip_bytes(members: Mapping[str, bytes | str]) -> bytes:
    """A zip of these members (name → content), deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def app_zip(name: str = "app.zip", script: str = "document.body.dataset.ran = 'yes';") -> SimpleUploadedFile:
    """An application's folder zipped: index.html that loads app.js."""
    index = '<!doctype html><html><body><p id="out">…</p><script src="app.js"></script></body></html>'
    return SimpleUploadedFile(name, zip_bytes({"index.html": index, "app.js": script}))
