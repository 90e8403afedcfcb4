"""``{% rating_widget material %}``: the stars of a material page, with what the reader may do
decided here (never in the template)."""

from __future__ import annotations

from typing import Any

from django import template

from parta.library.access import may_rate
from parta.library.models import Material
from parta.library.services.ratings import rating_of

register = template.Library()


def rating_context(user: Any, material: Material, *, error: str = "") -> dict[str, Any]:
    can_rate = may_rate(user, material)
    return {
        "material": material,
        "can_rate": can_rate,
        "my_stars": rating_of(user, material.pk) if can_rate else None,
        "stars": range(1, 6),
        "error": error,
    }


@register.inclusion_tag("library/_rating.html", takes_context=True)
def rating_widget(context: template.Context, material: Material) -> dict[str, Any]:
    request = context["request"]
    return {
        **rating_context(request.user, material),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
