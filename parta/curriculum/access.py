"""Who may read what of the curriculum. The topic framework is the city's public programme
(any signed-in user reads it); a thematic plan belongs to its teacher and their school.

A plan that is not yours answers 404, never 403, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from parta.curriculum.models import ThematicPlan
from parta.schools.access import roles_of


def plans_readable_by(user: Any) -> Q:
    """A Q over ThematicPlan: a teacher their own assignments' plans, an administrator their school's."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return Q(pk__in=[])
    own = Q(assignment__teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids)
    return own | Q(school_id__in=roles.admin_school_ids)


def access_thematic_plan(user: Any, plan_id: int) -> ThematicPlan:
    plan = ThematicPlan.objects.filter(plans_readable_by(user), pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan
