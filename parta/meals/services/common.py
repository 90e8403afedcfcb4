"""What the meals services share: the refusal a machine is answered with (and money's limits)."""

from __future__ import annotations

from typing import Any

from parta.meals.money import MAX_AMOUNT, kopecks

__all__ = ["MAX_AMOUNT", "Refused", "kopecks"]


class Refused(Exception):
    """A sale or a payment Parta will not record, for a reason a machine acts on: ``code`` is the
    answer's machine-readable code, ``message`` the person's text (in the request's language),
    ``field`` the input it is about, ``extra`` more of the answer (the balance, the stop-listed
    item…). Nothing was written; the view records the refusal and answers ``status``."""

    def __init__(
        self, code: str, message: str, *, field: str = "non_field_errors", status: int = 422, **extra: Any
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.extra = extra
