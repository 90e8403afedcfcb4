"""A lesson's topic, picked from the thematic plan or the framework."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.curriculum.models import PlanItem, Topic
from parta.journal.access import access_lesson
from parta.journal.models import JournalChange
from parta.journal.services.common import _check_lesson, _history
from parta.timetable.models import Lesson


@transaction.atomic
def lesson_topic_set(actor: Any, lesson_id: int, topic_id: int, reason: str = "") -> Lesson:
    """Pick the lesson's topic: a framework topic of the lesson's subject, either of the class
    group's grade or one from the assignment's thematic plan. Never typed."""
    lesson = access_lesson(actor, lesson_id, for_write=True)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors)
    topic = (
        Topic.objects.filter(pk=topic_id, subject_id=lesson.subject_id).first()
        if isinstance(topic_id, int)
        else None
    )
    if topic is not None and topic.grade != lesson.class_group.grade:
        in_plan = PlanItem.objects.filter(
            plan__assignment_id=lesson.assignment_id, topic_id=topic.pk
        ).exists()
        topic = topic if in_plan else None
    if topic is None:
        errors.add("topic", _("Choose a topic of this subject from the thematic plan or the framework."))
    errors.raise_if_any()
    assert topic is not None
    if lesson.topic_id == topic.pk:
        return lesson
    old = {"topic": lesson.topic_id, "code": lesson.topic.code if lesson.topic else None}
    lesson.topic = topic
    lesson.save(update_fields=["topic"])
    _history(
        kind=JournalChange.Kind.TOPIC,
        object_id=lesson.pk,
        school_id=lesson.school_id,
        actor=actor,
        lesson=lesson,
        student_id=None,
        subject_id=lesson.subject_id,
        old=old,
        new={"topic": topic.pk, "code": topic.code},
        reason=reason,
    )
    return lesson
