"""Who may see what of passages and cards. Somebody else's answers 404, never 403.

- The school's cards, its passages report and its unrecognised cards: the school's administrator.
- Who of a class is in the building now, and the turnstile's flags at its lessons: the class
  teacher and the school's administrator. Accepting a flag needs the right to write the lesson's
  journal besides (the journal's own rule, checked by its service).
- A child's passages: the child and the child's guardians.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from parta.passage.models import Card
from parta.schools.access import access_class_group, roles_of
from parta.schools.models import ClassGroup


def may_administer(user: Any, school_id: int) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or school_id in roles.admin_school_ids


def access_card(user: Any, school_id: int, card_id: int) -> Card:
    """A card of the school, for its administrator; 404 otherwise."""
    if not may_administer(user, school_id):
        raise Http404
    card = Card.objects.filter(pk=card_id, school_id=school_id).first()
    if card is None:
        raise Http404
    return card


def access_class_presence(user: Any, class_group_id: int) -> ClassGroup:
    """The class group whose presence the user may see: its class teacher (in a school where they
    still teach) and the school's administrator; 404 for anyone else."""
    group = access_class_group(user, class_group_id)
    roles = roles_of(user)
    if roles.is_superuser or group.school_id in roles.admin_school_ids:
        return group
    if group.class_teacher_id == roles.user_id and group.school_id in roles.teacher_school_ids:
        return group
    raise Http404


def may_see_child(user: Any, student_id: int) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or student_id == roles.user_id or student_id in roles.child_ids


def access_child(user: Any, student_id: int) -> None:
    """The child's own passages: the child and the guardians; 404 for anyone else."""
    if not may_see_child(user, student_id):
        raise Http404
