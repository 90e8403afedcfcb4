"""The library's notification kinds and the outbox handlers that make them. Registered by the
library's ``AppConfig.ready`` through messaging's registry.

Two kinds, so that each reader chooses their channels for each (notification preferences):
- ``library``: the author is told the outcome of a review, «title» published or returned with
  the methodologist's comment; it leads to the material's page.
- ``library_review``: the methodologists of the material's city are told of a new submission; it
  leads to the review page.
The person who acted is never told of it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.accounts.selectors import names_of
from parta.library.models import Material, Review
from parta.messaging.kinds import Payload, person, person_fields, register_kind
from parta.messaging.notifications import Notice, notify_each
from parta.outbox.handlers import payload_id, register
from parta.outbox.models import OutboxEvent
from parta.schools.models import CityRole

OUTCOME = "library"
SUBMITTED = "library_review"


def render_outcome(p: Payload) -> str:
    values = {"title": p.get("title") or "", "comment": p.get("comment") or ""}
    if p.get("decision") == Review.Decision.PUBLISHED:
        if values["comment"]:
            return _("“%(title)s” is published: %(comment)s") % values
        return _("“%(title)s” is published") % values
    return _("“%(title)s” was returned: %(comment)s") % values


def render_submitted(p: Payload) -> str:
    values = {"title": p.get("title") or "", "author": person(p, "author_name")}
    if p.get("new_version"):
        return _("A new version of “%(title)s” by %(author)s waits for review") % values
    return _("“%(title)s” by %(author)s waits for review") % values


def _material_link(p: Payload) -> str:
    material_id = payload_id(p.get("material_id"))
    return reverse("library-material", args=[material_id]) if material_id else ""


def _review_link(p: Payload) -> str:
    material_id = payload_id(p.get("material_id"))
    return reverse("library-review", args=[material_id]) if material_id else ""


def register_kinds() -> None:
    register_kind(
        OUTCOME, label=gettext_lazy("review of my material"), render=render_outcome, link=_material_link
    )
    register_kind(
        SUBMITTED,
        label=gettext_lazy("material waiting for review"),
        render=render_submitted,
        link=_review_link,
    )


def _outcome(event: OutboxEvent) -> Notice | None:
    p = event.payload
    owner_id = payload_id(p.get("owner_id"))
    if owner_id is None:
        return None
    return Notice({owner_id}, OUTCOME, dict(p), event.school_id, event.pk, actor_id=p.get("actor_id"))


def _submitted(event: OutboxEvent) -> Notice | None:
    p = event.payload
    material = (
        Material.objects.filter(pk=payload_id(p.get("material_id")) or 0)
        .values("pk", "city_id", "owner_id", "published_id", "latest__title")
        .first()
    )
    if material is None:
        return None
    reviewers = set(
        CityRole.objects.filter(city_id=material["city_id"], role=CityRole.Role.METHODOLOGIST).values_list(
            "user_id", flat=True
        )
    )
    author = names_of({material["owner_id"]}).get(material["owner_id"])
    payload = {
        **p,
        "title": material["latest__title"],
        "new_version": material["published_id"] is not None,
        **person_fields("author_name", author),
    }
    return Notice(reviewers, SUBMITTED, payload, event.school_id, event.pk, actor_id=p.get("actor_id"))


notify_outcome = register("library.reviewed")(notify_each(_outcome))
notify_submitted = register("library.submitted")(notify_each(_submitted))
