"""Reading materials for their pages: a version as the material page, the constructor's preview
and the presentation show it; the author's list; versions and their comparison; what a
constructor may add; the topic picker's choices.

A composed material (scenario, textbook) names its elements by id; :func:`content_shown` reads
all of them in one query, so a page costs the same whatever the number of blocks.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from parta.core.i18n import pick
from parta.curriculum.models import Topic
from parta.library.access import materials_readable_by, sees_latest
from parta.library.content import part_lines
from parta.library.files import is_app, signed_app_url
from parta.library.models import (
    ATOMIC_KINDS,
    COMPOSED_KINDS,
    Kind,
    Language,
    Licence,
    Material,
    MaterialVersion,
    Review,
)
from parta.schools.models import Subject

# Video services whose players would load their own scripts, trackers and ads: linked, not embedded.
VIDEO_SERVICES = ("youtube.com", "youtu.be", "rutube.ru", "vk.com", "vkvideo.ru", "vk.ru")
# Kinds whose file a page plays or shows itself; other files get a download button.
PICK_LIMIT = 20
# What a scenario or a textbook may hold (the authoring service checks the same on save).
COMPOSABLE_KINDS = [*ATOMIC_KINDS, Kind.TEST]


def file_url(material_id: int, version_number: int, *, cover: bool = False, shown: bool = False) -> str:
    """Where the page reads a version's file (or cover): the library's download view, the one
    place that checks access and sends stored files safely. A file ``shown`` in the page (a
    picture, a player) is not counted as a download."""
    query = {"version": version_number, **({"cover": 1} if cover else {}), **({"shown": 1} if shown else {})}
    return reverse("library-download", args=[material_id]) + "?" + urlencode(query)


def is_video_service(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == name or host.endswith("." + name) for name in VIDEO_SERVICES)


@dataclass(frozen=True)
class Element:
    """One atomic element (or test, book…) as a page renders it."""

    material_id: int
    kind: str
    title: str
    version_number: int
    body: str = ""
    url: str = ""
    file_name: str = ""
    file_size: int = 0
    file_url: str = ""
    media_url: str = ""
    # The sandboxed application's signed address (parta.library.files), when it is one.
    app_url: str = ""

    @property
    def template(self) -> str:
        return "library/_element.html"

    @property
    def is_app(self) -> bool:
        return bool(self.app_url)

    @property
    def url_is_video_service(self) -> bool:
        return bool(self.url) and is_video_service(self.url)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class Block:
    type: str
    text: str = ""
    url: str = ""
    title: str = ""
    material_id: int | None = None
    # None when the element is gone or the reader may not open it.
    element: Element | None = None


@dataclass(frozen=True)
class SectionShown:
    title: str
    anchor: str
    blocks: list[Block]


@dataclass(frozen=True)
class ChapterShown:
    title: str
    anchor: str
    sections: list[SectionShown]


@dataclass(frozen=True)
class Content:
    kind: str
    element: Element | None = None
    blocks: list[Block] = field(default_factory=list)
    chapters: list[ChapterShown] = field(default_factory=list)

    @property
    def is_composed(self) -> bool:
        return self.kind in COMPOSED_KINDS


def _element(material_id: int, kind: str, version: MaterialVersion) -> Element:
    content = version.content or {}
    return Element(
        material_id=material_id,
        kind=kind,
        title=version.title,
        version_number=version.number,
        body=str(content.get("body", "")),
        url=str(content.get("url", "")),
        file_name=version.file_name.rsplit("/", 1)[-1],
        file_size=version.file_size,
        file_url=file_url(material_id, version.number) if version.file else "",
        media_url=file_url(material_id, version.number, shown=True) if version.file else "",
        app_url=signed_app_url(version) if is_app(version, kind) else "",
    )


def _material_ids(kind: str, content: dict[str, Any]) -> set[int]:
    blocks = list(content.get("blocks", []))
    for chapter in content.get("chapters", []):
        for section in chapter.get("sections", []):
            blocks += section.get("blocks", [])
    return {
        b["material"] for b in blocks if b.get("type") == "material" and isinstance(b.get("material"), int)
    }


def _elements(user: Any, owner_id: int, ids: set[int]) -> dict[int, Element]:
    """The elements a composed material names, as its reader sees them: those the reader may open,
    and the composer's own (composing them shares them with the composition's readers). One query."""
    if not ids:
        return {}
    rows = (
        Material.objects.filter(materials_readable_by(user) | Q(owner_id=owner_id), pk__in=ids)
        .filter(kind__in=COMPOSABLE_KINDS)
        .select_related("latest", "published")
    )
    found = {}
    for material in rows:
        version = version_seen(user, material)
        if version is not None:
            found[material.pk] = _element(material.pk, material.kind, version)
    return found


def _blocks(raw: Iterable[dict[str, Any]], elements: dict[int, Element]) -> list[Block]:
    blocks = []
    for block in raw:
        kind = block.get("type", "")
        if kind == "material":
            material_id = block.get("material")
            element = elements.get(material_id) if isinstance(material_id, int) else None
            blocks.append(Block(type=kind, material_id=material_id, element=element))
        else:
            blocks.append(
                Block(
                    type=kind,
                    text=str(block.get("text", "")),
                    url=str(block.get("url", "")),
                    title=str(block.get("title", "")),
                )
            )
    return blocks


def content_shown(
    user: Any,
    *,
    owner_id: int,
    material_id: int,
    kind: str,
    version: MaterialVersion | None,
    content: dict[str, Any],
    anchors: str = "",
) -> Content:
    """What a page renders of ``content`` (a saved version's, or the constructor's unsaved one
    when ``version`` is None); a textbook's chapters and sections are anchored ``<anchors>chapter-1``
    and so on."""
    if kind not in COMPOSED_KINDS:
        if version is None:
            return Content(kind=kind)
        return Content(kind=kind, element=_element(material_id, kind, version))
    elements = _elements(user, owner_id, _material_ids(kind, content))
    if kind == Kind.SCENARIO:
        return Content(kind=kind, blocks=_blocks(content.get("blocks", []), elements))
    chapters = []
    for c_number, chapter in enumerate(content.get("chapters", []), start=1):
        sections = [
            SectionShown(
                title=str(section.get("title", "")),
                anchor=f"{anchors}chapter-{c_number}-section-{s_number}",
                blocks=_blocks(section.get("blocks", []), elements),
            )
            for s_number, section in enumerate(chapter.get("sections", []), start=1)
        ]
        chapters.append(ChapterShown(str(chapter.get("title", "")), f"{anchors}chapter-{c_number}", sections))
    return Content(kind=kind, chapters=chapters)


def version_seen(user: Any, material: Material) -> MaterialVersion | None:
    """The version ``user`` reads: the latest for its author (and a reviewer), the published one
    for everyone else (the latest while it was never published)."""
    if sees_latest(user, material) or material.published is None:
        return material.latest
    return material.published


def version_shown(user: Any, material: Material, version: MaterialVersion, *, anchors: str = "") -> Content:
    return content_shown(
        user,
        owner_id=material.owner_id,
        material_id=material.pk,
        kind=material.kind,
        version=version,
        content=version.content or {},
        anchors=anchors,
    )


# --- metadata --------------------------------------------------------------------------------


def _names(model: Any, ids: Iterable[int], ru: str, en: str) -> list[str]:
    """The names of a version's subjects or topics in the active language (one query)."""
    return [pick(a, b) for a, b in model.objects.filter(pk__in=list(ids)).values_list(ru, en)]


@dataclass(frozen=True)
class Metadata:
    subjects: list[str]
    grades: list[int]
    topics: list[str]
    language: str
    licence: str
    cover_url: str


def metadata_of(material: Material, version: MaterialVersion) -> Metadata:
    """The names of a version's subjects and topics (two small queries)."""
    return Metadata(
        subjects=_names(Subject, version.subject_ids, "name_ru", "name_en"),
        grades=list(version.grades),
        topics=_names(Topic, version.topic_ids, "title_ru", "title_en"),
        language=str(Language(version.language).label) if version.language in Language.values else "",
        licence=str(Licence(version.licence).label) if version.licence in Licence.values else "",
        cover_url=file_url(material.pk, version.number, cover=True) if version.cover else "",
    )


def reviews_of(material: Material) -> QuerySet[Review]:
    return (
        Review.objects.filter(material=material).select_related("reviewer", "version").order_by("-created_at")
    )


# --- the author's list -----------------------------------------------------------------------


def materials_of(user: Any) -> QuerySet[Material]:
    """The author's own materials, the latest changed first (one indexed query)."""
    return Material.objects.filter(owner_id=user.pk).order_by("-updated_at").select_related("latest")


def materials_to_compose(user: Any, query: str) -> list[dict[str, Any]]:
    """What a constructor may add as a block: elements and tests the author may open (their own,
    and published ones), found by a part of the title."""
    query = query.strip()
    # SQLite folds the case of ASCII letters only: the usual spellings of a Cyrillic word are asked too.
    spelled = Q(title__icontains=query)
    for variant in {query.lower(), query.capitalize(), query.upper()}:
        spelled |= Q(title__contains=variant)
    rows = (
        Material.objects.filter(materials_readable_by(user), spelled, kind__in=COMPOSABLE_KINDS)
        .order_by("-updated_at")
        .values("pk", "kind", "title", "owner_id", "published_id")[:PICK_LIMIT]
    )
    return [
        {
            "id": row["pk"],
            "kind": row["kind"],
            "kind_label": str(Kind(row["kind"]).label),
            "title": row["title"],
            "own": row["owner_id"] == user.pk,
            "verified": row["published_id"] is not None,
            "block": json.dumps({"type": "material", "material": row["pk"]}),
        }
        for row in rows
    ]


def block_labels(user: Any, owner_id: int, content: dict[str, Any], kind: str) -> dict[int, Element]:
    """The elements a constructor lists by title (one query)."""
    return _elements(user, owner_id, _material_ids(kind, content))


@dataclass(frozen=True)
class ComposerItem:
    """A block as the constructor lists it: its JSON, its type and a line of text."""

    json: str
    kind_label: str
    label: str


def composer_item(block: dict[str, Any], elements: dict[int, Element]) -> ComposerItem:
    kind = block.get("type")
    if kind == "material":
        material_id = block.get("material")
        element = elements.get(material_id) if isinstance(material_id, int) else None
        label = element.title if element else _("Element %(id)s is not available") % {"id": material_id}
        kind_label = element.kind_label if element else _("element")
    elif kind == "link":
        label, kind_label = str(block.get("title") or block.get("url", "")), _("link")
    elif kind == "heading":
        label, kind_label = str(block.get("text", "")), _("heading")
    else:
        label, kind_label = str(block.get("text", "")), _("text")
    return ComposerItem(json.dumps(block, ensure_ascii=False), str(kind_label), label[:120])


def topic_choices(subject_ids: list[int], grades: list[int], selected: list[int]) -> list[Any]:
    """The topic picker's choices: the framework's topics of the chosen subjects and grades
    grouped by section, and the ones already chosen whatever they are."""
    wanted = Q(pk__in=selected)
    if subject_ids or grades:
        narrowing = Q()
        if subject_ids:
            narrowing &= Q(subject_id__in=subject_ids)
        if grades:
            narrowing &= Q(grade__in=grades)
        wanted |= narrowing
    rows = Topic.objects.filter(wanted).values_list(
        "pk", "code", "title_ru", "title_en", "grade", "section__title_ru", "section__title_en"
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, code, title_ru, title_en, grade, section_ru, section_en in rows:
        label = f"{grade} · {pick(section_ru, section_en)}"
        groups.setdefault(label, []).append((pk, f"{code} {pick(title_ru, title_en)}"))
    return list(groups.items())


# --- versions --------------------------------------------------------------------------------


def versions_of(material: Material) -> QuerySet[MaterialVersion]:
    return material.versions.select_related("created_by").order_by("-number")


def version_of(material: Material, number: int) -> MaterialVersion | None:
    return material.versions.select_related("created_by").filter(number=number).first()


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class DiffLine:
    """One line of a side-by-side diff: ``op`` is equal, delete, insert or replace."""

    op: str
    old: str
    new: str


@dataclass(frozen=True)
class Comparison:
    old: MaterialVersion
    new: MaterialVersion
    fields: list[FieldChange]
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields) or any(line.op != "equal" for line in self.lines)


def _block_line(block: dict[str, Any], titles: dict[int, str]) -> str:
    kind = block.get("type")
    if kind == "material":
        material_id = block.get("material")
        title = titles.get(material_id, "") if isinstance(material_id, int) else ""
        return f"[{_('element')} #{material_id}] {title}".strip()
    if kind == "link":
        return f"[{_('link')}] {block.get('title', '')} {block.get('url', '')}".strip()
    if kind == "heading":
        return f"# {block.get('text', '')}"
    return str(block.get("text", ""))


def content_lines(content: dict[str, Any], titles: dict[int, str]) -> list[str]:
    """A version's content as lines of text, for a line diff."""
    lines: list[str] = []
    if content.get("body"):
        lines += str(content["body"]).splitlines()
    if content.get("url"):
        lines.append(str(content["url"]))
    for block in content.get("blocks", []):
        lines += _block_line(block, titles).splitlines() or [""]
    for chapter in content.get("chapters", []):
        lines.append(f"## {chapter.get('title', '')}")
        for section in chapter.get("sections", []):
            lines.append(f"### {section.get('title', '')}")
            for block in section.get("blocks", []):
                lines += _block_line(block, titles).splitlines() or [""]
    return lines + part_lines(content)


def versions_compare(material: Material, old: MaterialVersion, new: MaterialVersion) -> Comparison:
    """Two versions field by field, and their content line by line (``difflib``)."""

    def file_of(version: MaterialVersion) -> str:
        return f"{version.file_name.rsplit('/', 1)[-1]} ({version.file_size})" if version.file else ""

    def fields_of(version: MaterialVersion) -> list[tuple[str, str]]:
        return [
            (_("Title"), version.title),
            (_("Description"), version.description),
            (_("Language"), str(Language(version.language).label) if version.language else ""),
            (_("Licence"), str(Licence(version.licence).label) if version.licence else ""),
            (_("Authors"), version.authors),
            (_("Duration, minutes"), str(version.duration_minutes or "")),
            (_("Subjects"), ", ".join(sorted(_names(Subject, version.subject_ids, "name_ru", "name_en")))),
            (_("Grades"), ", ".join(str(g) for g in version.grades)),
            (_("Topics"), ", ".join(sorted(_names(Topic, version.topic_ids, "title_ru", "title_en")))),
            (_("File"), file_of(version)),
            (_("Cover"), (version.cover.name or "").rsplit("/", 1)[-1]),
        ]

    changes = [
        FieldChange(label, a, b)
        for (label, a), (_label, b) in zip(fields_of(old), fields_of(new), strict=True)
    ]
    ids = _material_ids(material.kind, old.content or {}) | _material_ids(material.kind, new.content or {})
    titles = dict(Material.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}
    a, b = content_lines(old.content or {}, titles), content_lines(new.content or {}, titles)
    lines: list[DiffLine] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        left, right = a[a1:a2], b[b1:b2]
        for index in range(max(len(left), len(right))):
            lines.append(
                DiffLine(
                    op,
                    left[index] if index < len(left) else "",
                    right[index] if index < len(right) else "",
                )
            )
    return Comparison(old=old, new=new, fields=changes, lines=lines)


# --- presentation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    """One screen of the presentation: a block of a scenario, or a section of a textbook."""

    heading: str
    eyebrow: str = ""
    blocks: list[Block] = field(default_factory=list)


def slides_of(title: str, content: Content) -> list[Slide]:
    slides = [Slide(heading=title)]
    if content.kind == Kind.SCENARIO:
        for block in content.blocks:
            if block.type == "heading":
                slides.append(Slide(heading=block.text))
            else:
                slides.append(Slide(heading="", eyebrow=title, blocks=[block]))
    for chapter in content.chapters:
        if not chapter.sections:
            slides.append(Slide(heading=chapter.title))
        for section in chapter.sections:
            slides.append(Slide(heading=section.title, eyebrow=chapter.title, blocks=section.blocks))
    return slides
