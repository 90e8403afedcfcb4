"""Which library writes make cached reads stale (``parta.core.freshness``).

The catalogue keeps the searches of what readers share (``access.shared_audiences``) under one
token: a material changes it when it is published, changes while published or goes. A draft's
saves change nothing others find, so they leave the token alone; taking a material back leaves
a row that looks like any draft, so ``material_unshare`` renews the token itself, as does the
day's popularity refresh (an ``update``, which sends no signals).
"""

from __future__ import annotations

from parta.core import freshness
from parta.library.models import Material

CATALOGUE = "v:library"


def given(school_id: int) -> str:
    """What was given to a school's classes (``Assignment``): part of what its staff open beyond
    the shared parts (``access._given_here``)."""
    return f"v:library-given:{school_id}"


def _shown_to_others(row: Material) -> list[str]:
    return [CATALOGUE] if row.published_id is not None else []


freshness.register(
    Material,
    _shown_to_others,
    ignore_created=True,
    # A new version waiting for review, or its review state: the published one is still shown.
    ignore_fields={"latest", "status", "requested_visibility", "updated_at"},
)
