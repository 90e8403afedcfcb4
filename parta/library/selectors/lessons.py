"""Materials at lessons: what was given at a lesson, and what to offer its teacher (the lesson's
topic first, then its subject and grade, by popularity).

A query finds the offer with the catalogue's full-text search (stemmed, any case, Russian and
English).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Value
from django.http import Http404
from django.urls import reverse

from parta.core import statements
from parta.journal.lesson_sections import SectionLesson
from parta.library.access import materials_readable_by
from parta.library.models import Assignment, Kind, Material
from parta.library.search import text_match
from parta.library.services.assignments import LESSON
from parta.timetable.access import lessons_taught_by
from parta.timetable.models import Lesson

# How many materials the lesson page and the homework form offer at once.
OFFERED = 12
MAX_QUERY = 100


@dataclass(frozen=True)
class MaterialRef:
    """A material as a lesson, a homework or a diary names it, linking to its page."""

    id: int
    title: str
    kind: str

    @property
    def url(self) -> str:
        return reverse("library-material", args=[self.id])

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind


@dataclass(frozen=True)
class OfferedMaterial(MaterialRef):
    """A material offered for a lesson: ``given`` when it was given at the lesson, ``on_topic``
    when it is tied to the lesson's topic, ``verified`` when a methodologist published it."""

    given: bool
    on_topic: bool
    verified: bool


@dataclass(frozen=True)
class LessonOffer:
    """What the lesson page's teacher chooses from: the lesson's own materials are not offered."""

    subject_id: int
    grade: int
    topic_id: int | None


def access_lesson_taught(user: Any, lesson_id: int) -> SectionLesson:
    """A lesson the user teaches, as the lesson page's sections are told of it; 404 for any other.
    One query."""
    lesson = (
        Lesson.objects.select_related("class_group").filter(lessons_taught_by(user), pk=lesson_id).first()
    )
    if lesson is None:
        raise Http404
    return SectionLesson(
        id=lesson.pk,
        school_id=lesson.school_id,
        class_group_id=lesson.class_group_id,
        subject_id=lesson.subject_id,
        grade=lesson.class_group.grade,
        topic_id=lesson.topic_id,
        cancelled=lesson.status == Lesson.Status.CANCELLED,
        can_write=True,
        teaches=True,
    )


def lesson_origin(lesson_id: int) -> str:
    return f"{LESSON}:{lesson_id}"


# A diary's first read asks for its week's lessons: built once per number of lessons.
_GIVEN_AT_LESSONS = statements.Statement(
    Assignment,
    lambda lesson_ids, origins: (
        Assignment.objects.filter(lesson_id__in=lesson_ids, origin__in=origins)
        .order_by("lesson_id", "added_at", "id")
        .values_list("lesson_id", "material_id", "material__title", "material__kind")
    ),
)


def materials_given_at_lessons(lesson_ids: Collection[int]) -> dict[int, list[MaterialRef]]:
    """The materials given at these lessons (not with their homework), by lesson id, in the order
    given. No access check: the caller has reached the lessons through its own access function,
    and a material given at a lesson is open to its class. One query (none for no lessons)."""
    if not lesson_ids:
        return {}
    ids = sorted(lesson_ids)
    rows = _GIVEN_AT_LESSONS.rows(ids, [lesson_origin(pk) for pk in ids])
    result: dict[int, list[MaterialRef]] = defaultdict(list)
    for lesson_id, material_id, title, kind in rows:
        result[lesson_id].append(MaterialRef(material_id, title, kind))
    return dict(result)


def _on_topic(topic_id: int | None) -> Any:
    if topic_id is None:
        return Value(False)
    return Exists(Material.topics.through.objects.filter(material_id=OuterRef("pk"), topic_id=topic_id))


def _for_subject_and_grade(offer: LessonOffer) -> Q:
    """Of the lesson's subject, for its grade (or for no grade in particular)."""
    of_subject = Exists(
        Material.subjects.through.objects.filter(material_id=OuterRef("pk"), subject_id=offer.subject_id)
    )
    grade = 1 << offer.grade
    return Q(of_subject) & (Q(grade_bits=0) | Q(grade_match=grade))


def offered_materials(
    user: Any,
    offer: LessonOffer,
    *,
    query: str = "",
    first: Collection[int] = (),
    given_at: int | None = None,
    exclude: Collection[int] = (),
    limit: int = OFFERED,
) -> list[OfferedMaterial]:
    """Materials the user may open for a lesson: tied to its topic first, then of its subject and
    grade, each by popularity. With ``query``: any the user may open that match it (words as the
    catalogue finds them), in that order. ``first`` (materials already chosen) come before all and
    are always there; then, with ``given_at`` (a lesson's id), the materials given at that
    lesson; ``exclude`` never is. One query."""
    query = query.strip()[:MAX_QUERY]
    given = (
        Exists(Assignment.objects.filter(material_id=OuterRef("pk"), origin=lesson_origin(given_at)))
        if given_at is not None
        else Value(False)
    )
    qs = Material.objects.filter(materials_readable_by(user)).annotate(
        on_topic=_on_topic(offer.topic_id),
        given=given,
        grade_match=F("grade_bits").bitand(1 << offer.grade),
        chosen=Q(pk__in=first) if first else Value(False),
    )
    matched = text_match(query)
    wanted = matched[0] if matched else Q(on_topic=True) | _for_subject_and_grade(offer)
    if first:
        wanted |= Q(pk__in=first)
    if given_at is not None:
        wanted |= Q(given=True)
    qs = qs.filter(wanted)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    rows = qs.order_by(
        F("chosen").desc(),
        F("given").desc(),
        F("on_topic").desc(),
        "-popularity",
        F("published_at").desc(nulls_last=True),
        "-id",
    ).values_list("id", "title", "kind", "given", "on_topic", "published_id")[: limit + len(first)]
    return [
        OfferedMaterial(pk, title, kind, bool(given), bool(topic), published is not None)
        for pk, title, kind, given, topic, published in rows
    ]
