"""People as the library's lists name them, read from ``values()`` rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parta.core.names import short_name

# The columns :func:`owner_name` reads: add them to a ``values()`` of materials.
OWNER_COLUMNS = ("owner__last_name", "owner__first_name", "owner__middle_name", "owner__username")


def owner_name(row: Mapping[str, Any]) -> str:
    """The owner's short name («Иванова А. П.»), their login where no name is written (as
    ``User.short_name``)."""
    return (
        short_name(row["owner__last_name"], row["owner__first_name"], row["owner__middle_name"])
        or row["owner__username"]
    )
