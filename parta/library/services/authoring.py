"""Making materials: create, save a new version, restore an old one. Every save is a version;
a version is never changed afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.ids import MAX_ID
from parta.curriculum.models import Topic
from parta.library.access import access_own_material, materials_readable_by, may_author
from parta.library.content import checked_parts
from parta.library.models import (
    ATOMIC_KINDS,
    SHOWN_FIELDS,
    Kind,
    Language,
    Licence,
    Material,
    MaterialVersion,
    Status,
    bits_from_grades,
)
from parta.library.search import search_index
from parta.library.uploads import check_upload
from parta.schools.access import roles_of
from parta.schools.models import City, School, Subject

MAX_TITLE = 300
MAX_DESCRIPTION = 5000
MAX_AUTHORS = 500
MAX_BODY = 200_000
MAX_BLOCKS = 200
MAX_CHAPTERS = 60
MAX_SECTIONS = 60
MAX_NOTE = 300
MAX_URL = 1000

# Kinds whose substance is an uploaded file.
FILE_KINDS = frozenset({Kind.IMAGE, Kind.AUDIO, Kind.FILE})
# Kinds that are a file or an address (a video on a video service, an application online).
FILE_OR_URL_KINDS = frozenset(
    {Kind.VIDEO, Kind.VIDEO_LESSON, Kind.APPLICATION, Kind.SIMULATOR, Kind.LAB, Kind.AID, Kind.WORKBOOK}
)
BLOCK_TYPES = ("material", "text", "heading", "link")


@dataclass(frozen=True)
class MaterialData:
    """What an author writes of a material, as a form or the API gives it."""

    title: str
    description: str = ""
    language: str = Language.RU
    licence: str = Licence.CC_BY
    authors: str = ""
    duration_minutes: int | None = None
    subject_ids: list[int] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    content: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_version(cls, version: MaterialVersion) -> MaterialData:
        return cls(**{f.name: getattr(version, f.name) for f in fields(cls)})


def _storable(ids: Iterable[int]) -> list[int]:
    """The ids a row may have: any other (a database's integers end somewhere) is no such row,
    and must not reach a query."""
    return [i for i in ids if isinstance(i, int) and 1 <= i <= MAX_ID]


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= MAX_URL


def _check_blocks(blocks: Any, errors: FieldErrors, actor: Any, name: str) -> list[dict[str, Any]]:
    """A scenario's (or a textbook section's) blocks: each one of BLOCK_TYPES, a material block
    naming a material the author may open that is not itself composed."""
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        errors.add(name, _("Blocks must be a list of at most %(max)d.") % {"max": MAX_BLOCKS})
        return []
    clean: list[dict[str, Any]] = []
    wanted: dict[int, int] = {}
    for number, block in enumerate(blocks, start=1):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in BLOCK_TYPES:
            errors.add(name, _("Block %(n)d: unknown type.") % {"n": number})
            continue
        if kind == "material":
            material_id = block.get("material")
            if not isinstance(material_id, int) or isinstance(material_id, bool):
                errors.add(name, _("Block %(n)d: choose a material.") % {"n": number})
                continue
            wanted[material_id] = number
            clean.append({"type": "material", "material": material_id})
        elif kind in ("text", "heading"):
            text = str(block.get("text", "")).strip()
            if not text:
                errors.add(name, _("Block %(n)d: write the text.") % {"n": number})
            clean.append({"type": kind, "text": text[:MAX_BODY]})
        else:
            url = str(block.get("url", "")).strip()
            if not _valid_url(url):
                errors.add(name, _("Block %(n)d: give a web address starting with https://.") % {"n": number})
            clean.append(
                {"type": "link", "url": url, "title": str(block.get("title", "")).strip()[:MAX_TITLE]}
            )
    if wanted:
        found = dict(
            Material.objects.filter(materials_readable_by(actor), pk__in=_storable(wanted)).values_list(
                "pk", "kind"
            )
        )
        for material_id, number in wanted.items():
            if material_id not in found:
                errors.add(name, _("Block %(n)d: no such material.") % {"n": number})
            elif found[material_id] not in ATOMIC_KINDS and found[material_id] != Kind.TEST:
                errors.add(
                    name,
                    _("Block %(n)d: only elements and tests go into a scenario or a textbook.")
                    % {"n": number},
                )
    return clean


def _check_chapters(chapters: Any, errors: FieldErrors, actor: Any) -> list[dict[str, Any]]:
    if not isinstance(chapters, list) or not chapters or len(chapters) > MAX_CHAPTERS:
        errors.add("content", _("A textbook needs one to %(max)d chapters.") % {"max": MAX_CHAPTERS})
        return []
    clean = []
    for number, given in enumerate(chapters, start=1):
        chapter = given if isinstance(given, dict) else {}
        title = str(chapter.get("title", "")).strip()[:MAX_TITLE]
        if not title:
            errors.add("content", _("Chapter %(n)d: give it a title.") % {"n": number})
        sections = chapter.get("sections", [])
        if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
            errors.add("content", _("Chapter %(n)d: too many sections.") % {"n": number})
            sections = []
        clean_sections = []
        for item in sections:
            section = item if isinstance(item, dict) else {}
            clean_sections.append(
                {
                    "title": str(section.get("title", "")).strip()[:MAX_TITLE],
                    "blocks": _check_blocks(section.get("blocks", []), errors, actor, "content"),
                }
            )
        clean.append({"title": title, "sections": clean_sections})
    return clean


def _check_content(
    kind: str, content: Any, has_file: bool, errors: FieldErrors, actor: Any
) -> dict[str, Any]:
    """The content a material of ``kind`` must have, cleaned of anything else."""
    content = content if isinstance(content, dict) else {}
    clean: dict[str, Any] = {}
    body = str(content.get("body", "")).strip()
    if len(body) > MAX_BODY:
        errors.add("content", _("The text is too long."))
    if body:
        clean["body"] = body
    url = str(content.get("url", "")).strip()
    if url:
        if _valid_url(url):
            clean["url"] = url
        else:
            errors.add("url", _("Give a web address starting with https://."))
    parts = checked_parts(kind, content, errors, actor)
    clean.update(parts)
    if kind == Kind.SCENARIO:
        clean["blocks"] = _check_blocks(content.get("blocks", []), errors, actor, "content")
        if not clean["blocks"] and "content" not in errors.by_field:
            errors.add("content", _("A lesson scenario needs at least one block."))
    elif kind == Kind.TEXTBOOK:
        clean["chapters"] = _check_chapters(content.get("chapters"), errors, actor)
    elif kind == Kind.LINK and "url" not in clean and "url" not in errors.by_field:
        errors.add("url", _("Give the address the link leads to."))
    elif kind in FILE_KINDS and not has_file:
        errors.add("file", _("Upload the file."))
    elif kind in FILE_OR_URL_KINDS and not has_file and "url" not in clean and "url" not in errors.by_field:
        errors.add("file", _("Upload a file or give its web address."))
    elif kind == Kind.TEXT and not body:
        errors.add("content", _("Write the text."))
    elif kind in (Kind.TEST, Kind.FICTION) and not (body or has_file or "url" in clean or parts):
        errors.add("content", _("Write the text, upload a file or give its web address."))
    return clean


def clean_data(actor: Any, kind: str, data: MaterialData, *, has_file: bool) -> MaterialData:
    """The data checked and cleaned; ValidationError with every problem at its field."""
    errors = FieldErrors()
    if kind not in Kind.values:
        errors.add("kind", _("Choose the type of the material."))
    title = data.title.strip() if isinstance(data.title, str) else ""
    if not title:
        errors.add("title", _("Give the material a title."))
    elif len(title) > MAX_TITLE:
        errors.add("title", _("A title may be at most %(max)d characters.") % {"max": MAX_TITLE})
    description = (data.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.add(
            "description", _("A description may be at most %(max)d characters.") % {"max": MAX_DESCRIPTION}
        )
    if data.language not in Language.values:
        errors.add("language", _("Choose Russian or English."))
    if data.licence not in Licence.values:
        errors.add("licence", _("Choose a licence."))
    authors = (data.authors or "").strip()
    if len(authors) > MAX_AUTHORS:
        errors.add("authors", _("The list of authors is too long."))
    if data.duration_minutes is not None and not 1 <= data.duration_minutes <= 600:
        errors.add("duration_minutes", _("A duration is from 1 to 600 minutes."))
    grades = sorted(set(data.grades))
    if any(not isinstance(g, int) or not 1 <= g <= 11 for g in grades):
        errors.add("grades", _("Grades are from 1 to 11."))
        grades = []
    subject_ids = sorted(set(data.subject_ids))
    known_subjects = Subject.objects.filter(pk__in=_storable(subject_ids)).count()
    if len(subject_ids) != known_subjects:
        errors.add("subjects", _("No such subject."))
    topic_ids = sorted(set(data.topic_ids))
    topics = list(Topic.objects.filter(pk__in=_storable(topic_ids)).values("subject_id", "grade"))
    if len(topics) != len(topic_ids):
        errors.add("topics", _("No such topic."))
    # A topic brings its subject and grade: a material found by topic is found by them too.
    subject_ids = sorted(set(subject_ids) | {t["subject_id"] for t in topics})
    grades = sorted(set(grades) | {t["grade"] for t in topics})
    content = _check_content(kind, data.content, has_file, errors, actor) if kind in Kind.values else {}
    errors.raise_if_any()
    return replace(
        data,
        title=title,
        description=description,
        authors=authors,
        subject_ids=subject_ids,
        grades=grades,
        topic_ids=topic_ids,
        content=content,
    )


def _home_of(actor: Any) -> tuple[City, School | None]:
    """Where a new material belongs: the author's school (the first they work at), or the city
    of a methodologist."""
    roles = roles_of(actor)
    if roles.staff_school_ids:
        school = School.objects.select_related("city").get(pk=min(roles.staff_school_ids))
        return school.city, school
    if roles.methodologist_city_ids:
        return City.objects.get(pk=min(roles.methodologist_city_ids)), None
    city = City.objects.order_by("pk").first()
    if city is None:
        raise Http404
    return city, None


def _show(material: Material, version: MaterialVersion) -> None:
    """Copy a version's metadata onto the material: what lists and search read."""
    for name in SHOWN_FIELDS:
        setattr(material, name, getattr(version, name))
    material.grade_bits = bits_from_grades(version.grades)
    material.save()
    material.subjects.set(version.subject_ids)
    material.topics.set(version.topic_ids)
    search_index(material)


def show_version(material: Material, version: MaterialVersion) -> None:
    """For the moderation: the published version is what others see."""
    _show(material, version)


def _new_version(
    material: Material,
    actor: Any,
    data: MaterialData,
    *,
    file: File[Any] | None,
    file_from: MaterialVersion | None,
    cover: File[Any] | None,
    cover_from: MaterialVersion | None,
    note: str,
) -> MaterialVersion:
    number = (material.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = MaterialVersion(
        material=material,
        number=number,
        created_by=actor,
        note=note.strip()[:MAX_NOTE],
        **{f.name: getattr(data, f.name) for f in fields(MaterialData)},
    )
    if file is not None:
        version.file = file
        version.file_name = str(getattr(file, "name", "") or "")[-200:]
        version.file_size = int(getattr(file, "size", 0) or 0)
    elif file_from is not None:
        # The stored file is shared by the versions that did not change it.
        version.file = file_from.file.name
        version.file_name, version.file_size = file_from.file_name, file_from.file_size
    if cover is not None:
        version.cover = cover
    elif cover_from is not None:
        version.cover = cover_from.cover.name
    version.save()
    return version


@transaction.atomic
def material_create(
    actor: Any,
    *,
    kind: str,
    data: MaterialData,
    file: File[Any] | None = None,
    cover: File[Any] | None = None,
) -> Material:
    """A new private draft, its first version. By a teacher, an administrator or a methodologist."""
    if not may_author(actor):
        raise Http404
    check_upload(kind, file, cover)
    data = clean_data(actor, kind, data, has_file=file is not None)
    city, school = _home_of(actor)
    material = Material.objects.create(city=city, school=school, owner=actor, kind=kind, title=data.title)
    version = _new_version(
        material, actor, data, file=file, file_from=None, cover=cover, cover_from=None, note=""
    )
    material.latest = version
    _show(material, version)
    return material


@transaction.atomic
def material_save(
    actor: Any,
    material_id: int,
    *,
    data: MaterialData,
    file: File[Any] | None = None,
    cover: File[Any] | None = None,
    note: str = "",
    remove_file: bool = False,
) -> MaterialVersion:
    """A new version by the author. A material never published shows it at once; a published one
    keeps showing its published version until the new one is published in turn."""
    material = access_own_material(actor, material_id, lock=True)
    check_upload(material.kind, file, cover)
    previous = material.latest
    keep_file = previous if previous is not None and previous.file and not remove_file else None
    data = clean_data(actor, material.kind, data, has_file=file is not None or keep_file is not None)
    version = _new_version(
        material, actor, data, file=file, file_from=keep_file, cover=cover, cover_from=previous, note=note
    )
    material.latest = version
    # A change of what was submitted or returned goes back to the author's desk until submitted.
    material.status = Status.DRAFT
    if material.published_id is None:
        _show(material, version)
    else:
        material.save(update_fields=["latest", "status", "updated_at"])
    return version


@transaction.atomic
def material_restore(actor: Any, material_id: int, *, number: int) -> MaterialVersion:
    """Save an old version again as the newest (nothing in between is lost)."""
    material = access_own_material(actor, material_id)
    old = material.versions.filter(number=number).first()
    if old is None:
        raise Http404
    version = material_save(
        actor,
        material_id,
        data=MaterialData.of_version(old),
        note=_("Restored version %(n)d") % {"n": number},
        remove_file=not old.file,
    )
    if old.file and version.file.name != old.file.name:
        version.file, version.file_name, version.file_size = old.file.name, old.file_name, old.file_size
        version.save(update_fields=["file", "file_name", "file_size"])
    return version
