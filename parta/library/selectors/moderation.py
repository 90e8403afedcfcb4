"""Reads of the review: the city's queue, one submitted material with what changed since its
published version, and the count on the methodologist's menu.

Only a methodologist of the material's city (or a superuser) reads any of it; anyone else gets
404 from ``parta.library.access``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parta.core.i18n import pick, picker
from parta.core.names import short_name
from parta.curriculum.models import Topic
from parta.library.models import (
    Kind,
    Language,
    Licence,
    Material,
    MaterialVersion,
    Review,
    Status,
    Visibility,
)
from parta.schools.access import Roles, roles_of
from parta.schools.models import Subject

# How much of a text the table of changes shows.
SUMMARY_CHARS = 300


def _reviewed_cities(user: Any) -> Q:
    """The materials a user reviews: their cities'; 404 for anyone who reviews none."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.methodologist_city_ids:
        raise Http404
    return Q(city_id__in=roles.methodologist_city_ids)


def queue_count(roles: Roles) -> int:
    """How many materials wait in the methodologist's cities: one count on the queue's index."""
    if not roles.methodologist_city_ids:
        return 0
    return Material.objects.filter(city_id__in=roles.methodologist_city_ids, status=Status.SUBMITTED).count()


def subject_choices() -> list[tuple[int, str]]:
    """Every subject, for a filter: one query."""
    choose = picker()
    return [(pk, choose(ru, en)) for pk, ru, en in Subject.objects.values_list("pk", "name_ru", "name_en")]


@dataclass(frozen=True)
class QueueRow:
    id: int
    kind: str
    kind_label: str
    title: str
    author_id: int
    author: str
    school: str
    asked: str
    asked_label: str
    version: int
    new_version: bool
    submitted_at: dt.datetime


def review_queue(user: Any, *, subject_id: int | None = None, kind: str | None = None) -> list[QueueRow]:
    """Materials waiting for review in the user's cities, the longest waiting first: one query."""
    rows = Material.objects.filter(_reviewed_cities(user), status=Status.SUBMITTED)
    if subject_id is not None:
        rows = rows.filter(subjects=subject_id)
    if kind:
        rows = rows.filter(kind=kind)
    kinds, audiences = dict(Kind.choices), dict(Visibility.choices)
    return [
        QueueRow(
            id=row["pk"],
            kind=row["kind"],
            kind_label=str(kinds.get(row["kind"], row["kind"])),
            title=row["latest__title"],
            author_id=row["owner_id"],
            author=short_name(row["owner__last_name"], row["owner__first_name"], row["owner__middle_name"])
            or row["owner__username"],
            school=row["school__short_name"] or "",
            asked=row["requested_visibility"],
            asked_label=str(audiences.get(row["requested_visibility"], "")),
            version=row["latest__number"],
            new_version=row["published_id"] is not None,
            submitted_at=row["updated_at"],
        )
        for row in rows.order_by("updated_at", "pk").values(
            "pk",
            "kind",
            "latest__title",
            "latest__number",
            "owner_id",
            "owner__last_name",
            "owner__first_name",
            "owner__middle_name",
            "owner__username",
            "school__short_name",
            "requested_visibility",
            "published_id",
            "updated_at",
        )
    ]


# --- one material under review -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field that differs between the published version and the one under review."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Block:
    type: str
    text: str
    url: str = ""
    material_id: int | None = None


@dataclass(frozen=True)
class Content:
    """What a version is, compactly: its text, address, file, blocks or chapters."""

    body: str
    url: str
    file_name: str
    file_size: int
    blocks: list[Block]
    chapters: list[tuple[str, list[tuple[str, list[Block]]]]]


@dataclass(frozen=True)
class VersionView:
    number: int
    title: str
    description: str
    language: str
    licence: str
    authors: str
    duration_minutes: int | None
    subjects: str
    grades: str
    topics: str
    note: str
    saved_at: dt.datetime
    content: Content


@dataclass(frozen=True)
class ReviewRow:
    decision: str
    decision_label: str
    comment: str
    reviewer: str
    version: int
    at: dt.datetime


@dataclass(frozen=True)
class UnderReview:
    material: Material
    author: str
    submitted: VersionView
    published: VersionView | None
    changes: list[Change]
    reviews: list[ReviewRow]
    waiting: bool
    asked_label: str


def _blocks(raw: Any, titles: dict[int, str]) -> list[Block]:
    blocks = []
    for block in raw if isinstance(raw, list) else []:
        kind = block.get("type")
        if kind == "material":
            material_id = block.get("material")
            text = titles.get(material_id, _("material no. %(id)s") % {"id": material_id})
            blocks.append(Block("material", text, material_id=material_id))
        elif kind == "link":
            blocks.append(Block("link", block.get("title") or block.get("url", ""), url=block.get("url", "")))
        else:
            blocks.append(Block(str(kind), block.get("text", "")))
    return blocks


def _block_material_ids(content: dict[str, Any]) -> set[int]:
    blocks = list(content.get("blocks") or [])
    for chapter in content.get("chapters") or []:
        for section in chapter.get("sections") or []:
            blocks += section.get("blocks") or []
    return {
        b["material"] for b in blocks if b.get("type") == "material" and isinstance(b.get("material"), int)
    }


def _content(version: MaterialVersion, titles: dict[int, str]) -> Content:
    c = version.content if isinstance(version.content, dict) else {}
    chapters = [
        (
            chapter.get("title", ""),
            [(s.get("title", ""), _blocks(s.get("blocks"), titles)) for s in chapter.get("sections") or []],
        )
        for chapter in c.get("chapters") or []
    ]
    return Content(
        body=c.get("body", ""),
        url=c.get("url", ""),
        file_name=version.file_name,
        file_size=version.file_size,
        blocks=_blocks(c.get("blocks"), titles),
        chapters=chapters,
    )


def _summary(content: Content) -> str:
    """A content in a line or two, for the table of changes."""
    if content.body:
        return Truncator(content.body).chars(SUMMARY_CHARS)
    if content.url:
        return content.url
    if content.blocks:
        return ngettext("%(n)d block", "%(n)d blocks", len(content.blocks)) % {"n": len(content.blocks)}
    if content.chapters:
        titles = ", ".join(title for title, _sections in content.chapters)
        return Truncator(titles).chars(SUMMARY_CHARS)
    return "—"


def _view(
    version: MaterialVersion, subjects: dict[int, str], topics: dict[int, str], titles: dict[int, str]
) -> VersionView:
    return VersionView(
        number=version.number,
        title=version.title,
        description=version.description,
        language=str(dict(Language.choices).get(version.language, version.language)),
        licence=str(dict(Licence.choices).get(version.licence, version.licence)),
        authors=version.authors,
        duration_minutes=version.duration_minutes,
        subjects=", ".join(subjects.get(pk, str(pk)) for pk in version.subject_ids),
        grades=", ".join(str(grade) for grade in version.grades),
        topics="; ".join(topics.get(pk, str(pk)) for pk in version.topic_ids),
        note=version.note,
        saved_at=version.created_at,
        content=_content(version, titles),
    )


def _changes(
    old: VersionView, new: VersionView, old_raw: MaterialVersion, new_raw: MaterialVersion
) -> list[Change]:
    fields = [
        ("title", _("Title")),
        ("description", _("Description")),
        ("language", _("Language")),
        ("licence", _("Licence")),
        ("authors", _("Authors")),
        ("duration_minutes", _("Duration, minutes")),
        ("subjects", _("Subjects")),
        ("grades", _("Grades")),
        ("topics", _("Topics")),
    ]
    changes = [
        Change(name, str(label), str(getattr(old, name) or "—"), str(getattr(new, name) or "—"))
        for name, label in fields
        if getattr(old, name) != getattr(new, name)
    ]
    if old_raw.content != new_raw.content:
        changes.append(Change("content", _("Content"), _summary(old.content), _summary(new.content)))
    if old_raw.file.name != new_raw.file.name:
        changes.append(Change("file", _("File"), old_raw.file_name or "—", new_raw.file_name or "—"))
    if old_raw.cover.name != new_raw.cover.name:
        changes.append(
            Change("cover", _("Cover"), _("the old one"), _("a new one") if new_raw.cover else "—")
        )
    return changes


def material_under_review(user: Any, material_id: int) -> UnderReview:
    """The version under review (the latest), the published one and what differs, and the earlier
    reviews. A fixed number of queries."""
    material = (
        Material.objects.filter(_reviewed_cities(user), pk=material_id)
        .exclude(status=Status.DRAFT, published__isnull=True)
        .select_related("latest", "published", "owner", "school")
        .first()
    )
    if material is None or material.latest is None:
        raise Http404
    latest, published = material.latest, material.published
    versions = [latest] + ([published] if published and published.pk != latest.pk else [])
    subject_ids = {pk for v in versions for pk in v.subject_ids}
    topic_ids = {pk for v in versions for pk in v.topic_ids}
    block_ids = set().union(*(_block_material_ids(v.content) for v in versions))
    choose = picker()
    subjects = (
        {
            pk: choose(ru, en)
            for pk, ru, en in Subject.objects.filter(pk__in=subject_ids).values_list(
                "pk", "name_ru", "name_en"
            )
        }
        if subject_ids
        else {}
    )
    topics = (
        {
            pk: pick(ru, en)
            for pk, ru, en in Topic.objects.filter(pk__in=topic_ids).values_list("pk", "title_ru", "title_en")
        }
        if topic_ids
        else {}
    )
    titles = dict(Material.objects.filter(pk__in=block_ids).values_list("pk", "title")) if block_ids else {}
    submitted = _view(latest, subjects, topics, titles)
    shown = _view(published, subjects, topics, titles) if published and published.pk != latest.pk else None
    changes = _changes(shown, submitted, published, latest) if shown and published else []
    decisions = dict(Review.Decision.choices)
    reviews = [
        ReviewRow(
            decision=row["decision"],
            decision_label=str(decisions.get(row["decision"], row["decision"])),
            comment=row["comment"],
            reviewer=short_name(
                row["reviewer__last_name"], row["reviewer__first_name"], row["reviewer__middle_name"]
            )
            or row["reviewer__username"],
            version=row["version__number"],
            at=row["created_at"],
        )
        for row in Review.objects.filter(material=material)
        .order_by("-created_at", "-pk")
        .values(
            "decision",
            "comment",
            "created_at",
            "version__number",
            "reviewer__last_name",
            "reviewer__first_name",
            "reviewer__middle_name",
            "reviewer__username",
        )
    ]
    return UnderReview(
        material=material,
        author=material.owner.short_name,
        submitted=submitted,
        published=shown,
        changes=changes,
        reviews=reviews,
        waiting=material.status == Status.SUBMITTED,
        asked_label=str(dict(Visibility.choices).get(material.requested_visibility, "")),
    )
