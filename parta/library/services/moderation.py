"""Review: the author submits the latest version for an audience, a methodologist of the city
publishes it (verified) or returns it with comments; the author is told either way."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import versions
from parta.library.access import access_material_for_review, access_own_material, may_submit
from parta.library.freshness import CATALOGUE
from parta.library.models import Material, Review, Status, Visibility
from parta.library.services.authoring import show_version
from parta.outbox.services import emit

MAX_COMMENT = 5000
SHARED = (Visibility.SCHOOL, Visibility.CITY, Visibility.PUBLIC)


@transaction.atomic
def material_submit(actor: Any, material_id: int, *, visibility: str) -> Material:
    """The latest version goes to the city's methodologists, for the audience asked for."""
    material = access_own_material(actor, material_id, lock=True)
    if visibility not in SHARED:
        raise ValidationError(
            {"visibility": [_("Choose who may see the material: the school, the city or everyone.")]}
        )
    if visibility == Visibility.SCHOOL and material.school_id is None:
        raise ValidationError(
            {"visibility": [_("A material made outside a school is shown to the city or everyone.")]}
        )
    if not may_submit(material):
        waiting = material.status == Status.SUBMITTED
        raise ValidationError(
            {
                "status": [
                    _("The material is already waiting for review.")
                    if waiting
                    else _("This version is already published.")
                ]
            }
        )
    material.status = Status.SUBMITTED
    material.requested_visibility = visibility
    material.save(update_fields=["status", "requested_visibility", "updated_at"])
    emit(
        "library.submitted",
        {"material_id": material.pk, "city_id": material.city_id, "actor_id": actor.pk},
        school_id=material.school_id,
    )
    return material


def _decide(actor: Any, material_id: int, *, decision: str, comment: str) -> Material:
    material = access_material_for_review(actor, material_id, lock=True)
    if material.status != Status.SUBMITTED:
        raise ValidationError({"status": [_("The material is not waiting for review.")]})
    comment = comment.strip() if isinstance(comment, str) else ""
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": [_("A comment may be at most %(max)d characters.") % {"max": MAX_COMMENT}]}
        )
    if decision == Review.Decision.RETURNED and not comment:
        raise ValidationError({"comment": [_("Tell the author what to change.")]})
    version = material.latest
    assert version is not None
    Review.objects.create(
        material=material, version=version, reviewer=actor, decision=decision, comment=comment
    )
    emit(
        "library.reviewed",
        {
            "material_id": material.pk,
            "owner_id": material.owner_id,
            "title": version.title,
            "decision": decision,
            "comment": comment,
            "actor_id": actor.pk,
        },
        school_id=material.school_id,
    )
    return material


@transaction.atomic
def material_publish(actor: Any, material_id: int, *, comment: str = "") -> Material:
    """The submitted version becomes the one everyone in its audience sees, marked verified."""
    material = _decide(actor, material_id, decision=Review.Decision.PUBLISHED, comment=comment)
    material.status = Status.PUBLISHED
    material.published = material.latest
    material.published_at = timezone.now()
    material.visibility = material.requested_visibility or material.visibility
    assert material.latest is not None
    show_version(material, material.latest)
    return material


@transaction.atomic
def material_return(actor: Any, material_id: int, *, comment: str) -> Material:
    """Back to the author with what to change; a published version stays published."""
    material = _decide(actor, material_id, decision=Review.Decision.RETURNED, comment=comment)
    material.status = Status.RETURNED
    material.save(update_fields=["status", "updated_at"])
    return material


@transaction.atomic
def material_unshare(actor: Any, material_id: int) -> Material:
    """The author takes a material back to themselves: nobody else finds it any more (classes it
    was given to keep it)."""
    material = access_own_material(actor, material_id, lock=True)
    material.visibility = Visibility.PRIVATE
    material.requested_visibility = ""
    material.published = None
    material.published_at = None
    material.status = Status.DRAFT
    material.save()
    assert material.latest is not None
    show_version(material, material.latest)
    versions.touch([CATALOGUE])
    return material
