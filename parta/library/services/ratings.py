"""Teachers' ratings: one to five stars per teacher and material, changed at will. The
material's rating figures and popularity follow shortly after, worked out by a task."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from parta.library.access import access_material, may_rate
from parta.library.models import Rating

MIN_STARS, MAX_STARS = 1, 5


@transaction.atomic
def rating_set(actor: Any, material_id: int, *, stars: Any) -> Rating:
    """The teacher's stars for a material they may open and did not make (404 otherwise);
    setting the same stars again changes nothing."""
    material = access_material(actor, material_id)
    if not may_rate(actor, material):
        raise Http404
    if not isinstance(stars, int) or isinstance(stars, bool) or not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationError(
            {"stars": [_("Give from %(min)d to %(max)d stars.") % {"min": MIN_STARS, "max": MAX_STARS}]}
        )
    rating, _created = Rating.objects.update_or_create(
        material=material, user=actor, defaults={"stars": stars}
    )
    from parta.library.tasks import library_refresh_popularity

    transaction.on_commit(lambda: library_refresh_popularity.delay([material.pk]), robust=True)
    return rating


def rating_of(user: Any, material_id: int) -> int | None:
    """The user's own stars for the material, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    stars: int | None = (
        Rating.objects.filter(material_id=material_id, user_id=user.pk)
        .values_list("stars", flat=True)
        .first()
    )
    return stars
