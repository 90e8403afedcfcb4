"""What the curriculum does when other apps tell of a change (outbox handlers, registered in
``AppConfig.ready``): a new teaching assignment gets the framework's thematic plan."""

from __future__ import annotations

from collections.abc import Sequence

from parta.curriculum.models import ThematicPlan
from parta.curriculum.services import thematic_plans_build_default
from parta.outbox import handlers
from parta.outbox.models import OutboxEvent
from parta.schools.models import TeachingAssignment
from parta.schools.services import ASSIGNMENT_CREATED


def plans_for_new_assignments(events: Sequence[OutboxEvent]) -> None:
    """The default plan of every new assignment of the batch that has none yet: a delivery that
    repeats never replaces a plan its teacher has changed."""
    ids = handlers.payload_ids(events, "assignment")
    planned = ThematicPlan.objects.filter(assignment_id__in=ids).values("assignment_id")
    new = TeachingAssignment.objects.filter(pk__in=ids).exclude(pk__in=planned).select_related("class_group")
    thematic_plans_build_default(new)


def register() -> None:
    handlers.register(ASSIGNMENT_CREATED)(plans_for_new_assignments)
