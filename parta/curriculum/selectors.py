"""Reads of the curriculum for pages: an assignment's thematic plan and the framework topics a
teacher may add to it. The caller has decided that the reader may see the assignment."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from parta.core.i18n import picker
from parta.curriculum.models import PlanItem, ThematicPlan, Topic


@dataclass(frozen=True)
class PlanTopic:
    topic_id: int
    code: str
    title: str
    grade: int
    hours: int


@dataclass(frozen=True)
class Plan:
    id: int
    items: list[PlanTopic]
    updated_at: str

    @property
    def hours(self) -> int:
        return sum(item.hours for item in self.items)


def plan_of(assignment_id: int) -> Plan | None:
    """The assignment's plan in the order taught, or None if it has none: two queries."""
    plan = ThematicPlan.objects.filter(assignment_id=assignment_id).values("id", "updated_at").first()
    if plan is None:
        return None
    pick = picker()
    rows = (
        PlanItem.objects.filter(plan_id=plan["id"])
        .order_by("order")
        .values("topic_id", "topic__code", "topic__title_ru", "topic__title_en", "topic__grade", "hours")
    )
    items = [
        PlanTopic(
            r["topic_id"],
            r["topic__code"],
            pick(r["topic__title_ru"], r["topic__title_en"]),
            r["topic__grade"],
            r["hours"],
        )
        for r in rows
    ]
    return Plan(plan["id"], items, timezone.localtime(plan["updated_at"]).isoformat())


def framework_topics(subject_id: int, grade: int) -> list[PlanTopic]:
    """The framework's topics of the subject, the class's grade first, each with its usual hours."""
    pick = picker()
    rows = (
        Topic.objects.filter(subject_id=subject_id)
        .order_by("grade", "section__order", "section__code", "order")
        .values("pk", "code", "title_ru", "title_en", "grade", "hours")
    )
    topics = [
        PlanTopic(r["pk"], r["code"], pick(r["title_ru"], r["title_en"]), r["grade"], r["hours"])
        for r in rows
    ]
    return sorted(topics, key=lambda t: t.grade != grade)
