"""Field messages collected by a service before it writes anything."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors:
    """Collects messages per field so that the user sees every problem at once.

    A service adds what it finds wrong and calls :meth:`raise_if_any` before it writes: the
    ``ValidationError`` it raises carries a dict ``{field: [messages]}`` (the API answers 400
    with it, a form shows each message at its field).
    """

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))
