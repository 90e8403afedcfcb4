"""Usage of materials: every view, download and use is appended as one short insert; a task
counts them later into the material's figures (the page never waits for a count)."""

from __future__ import annotations

from typing import Any

from parta.library.models import Use


def use_record(material_id: int, kind: str, user: Any) -> None:
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    Use.objects.create(material_id=material_id, kind=kind, user_id=user_id)
