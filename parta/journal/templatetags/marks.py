"""``{{ mark|tone }}``: the colour family of a mark on its own scale (see ``scales.tone``), for
the journal's and the diary's pages alike."""

from __future__ import annotations

from typing import Any

from django import template

from parta.journal import scales

register = template.Library()


@register.filter
def tone(mark: Any) -> str:
    """``mark`` is anything with ``scale`` and ``value`` (a mark row or cell of the selectors)."""
    return scales.tone(mark.scale, mark.value)
