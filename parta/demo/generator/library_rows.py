"""How the demo's and the city's library materials are written in bulk: one ``Planned`` row per
material with its only version, its subject and topic links, with keys drawn beforehand (a
material and its version point at each other)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from parta.demo.generator.courses import insert_rows
from parta.library.models import (
    SHOWN_FIELDS,
    Kind,
    Material,
    MaterialVersion,
    Status,
    Visibility,
    bits_from_grades,
)

# The library type of each sort of demo material.
SORT_KIND = {
    "explanation": Kind.TEXT,
    "example": Kind.TEXT,
    "practice": Kind.TEXT,
    "test": Kind.TEST,
    "link": Kind.LINK,
    "video": Kind.VIDEO,
    "image": Kind.IMAGE,
    "scenario": Kind.SCENARIO,
    "textbook": Kind.TEXTBOOK,
}

# How long a material of each kind takes, in minutes.
DURATIONS = {"explanation": 10, "example": 15, "practice": 20, "test": 15, "video": 10, "scenario": 45}

COUNTERS = ("views", "downloads", "lesson_uses", "homework_uses", "rating_count", "rating_sum", "popularity")
MATERIAL_FIELDS = (
    "id",
    "city",
    "school",
    "owner",
    "kind",
    "visibility",
    "status",
    "requested_visibility",
    "latest",
    "published",
    "published_at",
    *SHOWN_FIELDS,
    "grade_bits",
    "created_at",
    "updated_at",
    *COUNTERS,
)
VERSION_FIELDS = (
    "id",
    "material",
    "number",
    *SHOWN_FIELDS,
    "subject_ids",
    "grades",
    "topic_ids",
    "content",
    "file",
    "file_name",
    "file_size",
    "note",
    "created_by",
    "created_at",
)


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([c[0] for c in choices], weights=[c[1] for c in choices])[0]


def db_time(value: dt.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@dataclass
class Planned:
    """One material to write, with its only version and its usage counters."""

    pk: int
    owner: int
    school: int | None
    sort: str
    title: str
    description: str
    language: str
    licence: str
    subject_ids: list[int]
    grades: list[int]
    topic_ids: list[int]
    content: dict[str, Any]
    status: str
    visibility: str
    created_at: dt.datetime
    version_pk: int = 0
    authors: str = ""
    file: str = ""
    file_name: str = ""
    file_size: int = 0
    cover: str = ""
    published_at: dt.datetime | None = None
    # Made through the services: already stored.
    stored: bool = False
    # Written as they are (the city's); the demo's start at zero and are counted from its uses.
    counters: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    @property
    def kind(self) -> str:
        return SORT_KIND[self.sort]

    @property
    def published(self) -> bool:
        return self.published_at is not None


def materials_insert(city_id: int, materials: Sequence[Planned]) -> None:
    """The materials, their versions and subject/topic links in bulk (keys already drawn)."""
    rows, versions, subjects, topics = [], [], [], []
    for m in materials:
        published = m.version_pk if m.published else None
        requested = m.visibility if m.status in (Status.SUBMITTED, Status.RETURNED) else ""
        visibility = m.visibility if m.published else Visibility.PRIVATE
        # The material row carries its version's metadata as it is (SHOWN_FIELDS, in that order).
        shown = (m.title, m.description, m.language, m.licence, m.authors, DURATIONS.get(m.sort), m.cover)
        updated = m.published_at or m.created_at
        rows.append(
            (
                m.pk,
                city_id,
                m.school,
                m.owner,
                m.kind,
                visibility,
                m.status,
                requested,
                m.version_pk,
                published,
                db_time(m.published_at),
                *shown,
                bits_from_grades(m.grades),
                db_time(m.created_at),
                db_time(updated),
                *(m.counters.get(name, 0) for name in COUNTERS),
            )
        )
        versions.append(
            (
                m.version_pk,
                m.pk,
                1,
                *shown,
                json.dumps(m.subject_ids),
                json.dumps(m.grades),
                json.dumps(m.topic_ids),
                json.dumps(m.content, ensure_ascii=False),
                m.file,
                m.file_name,
                m.file_size,
                "",
                m.owner,
                db_time(m.created_at),
            )
        )
        subjects += [(m.pk, s) for s in m.subject_ids]
        topics += [(m.pk, t) for t in m.topic_ids]
    insert_rows(Material, MATERIAL_FIELDS, rows)
    insert_rows(MaterialVersion, VERSION_FIELDS, versions)
    insert_rows(Material.subjects.through, ("material", "subject"), subjects)
    insert_rows(Material.topics.through, ("material", "topic"), topics)
