"""A material as a zip package (``parta.library.manifest``): what the user sees of it, with its
file and cover, and for a scenario or a textbook the elements the user may open."""

from __future__ import annotations

import copy
import json
import tempfile
import zipfile
from pathlib import PurePath
from typing import IO, Any

from django.db.models import Q

from parta.curriculum.models import Topic
from parta.library.access import materials_readable_by, sees_latest, sees_whole_content
from parta.library.content import summarised
from parta.library.files import access_version, download_name
from parta.library.manifest import FORMAT, FORMAT_VERSION, MANIFEST_JSON, content_blocks, element_ids
from parta.library.models import COMPOSED_KINDS, Material, MaterialVersion
from parta.schools.models import Subject

# Packages larger than this are spooled to a temporary file rather than held in memory.
SPOOL_BYTES = 8 * 2**20


def _codes(version: MaterialVersion) -> tuple[list[str], list[str]]:
    subjects = list(Subject.objects.filter(pk__in=version.subject_ids).values_list("code", flat=True))
    topics = list(Topic.objects.filter(pk__in=version.topic_ids).values_list("code", flat=True))
    return sorted(subjects), sorted(topics)


def _manifest(version: MaterialVersion, content: dict[str, Any]) -> dict[str, Any]:
    subjects, topics = _codes(version)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "id": version.material_id,
        "version": version.number,
        "kind": version.material.kind,
        "title": version.title,
        "description": version.description,
        "language": version.language,
        "licence": version.licence,
        "authors": version.authors,
        "duration_minutes": version.duration_minutes,
        "subjects": subjects,
        "grades": version.grades,
        "topics": topics,
        "content": content,
        "file": f"file/{download_name(version)}" if version.file else None,
        "cover": f"cover{PurePath(str(version.cover.name)).suffix.lower()}" if version.cover else None,
    }
    return manifest


def _write(archive: zipfile.ZipFile, folder: str, version: MaterialVersion, manifest: dict[str, Any]) -> None:
    for key, field in (("file", version.file), ("cover", version.cover)):
        if not manifest[key]:
            continue
        try:
            with field.open("rb") as handle, archive.open(f"{folder}{manifest[key]}", "w") as out:
                while chunk := handle.read(2**20):
                    out.write(chunk)
        except FileNotFoundError:
            manifest[key] = None
    archive.writestr(f"{folder}{MANIFEST_JSON}", json.dumps(manifest, ensure_ascii=False, indent=2))


def _seen_versions(user: Any, ids: list[int]) -> dict[int, MaterialVersion]:
    """The version of each element the user sees, for those they may open."""
    materials = list(Material.objects.filter(materials_readable_by(user), pk__in=ids))
    wanted = {m.pk: (m.latest_id if sees_latest(user, m) else m.published_id) for m in materials}
    versions = MaterialVersion.objects.select_related("material").filter(
        Q(pk__in=[pk for pk in wanted.values() if pk is not None])
    )
    return {version.material_id: version for version in versions}


def _content_seen(user: Any, version: MaterialVersion) -> dict[str, Any]:
    """A copy of the version's content, its parts that other apps keep from the user summarised."""
    content: dict[str, Any] = copy.deepcopy(version.content)
    if sees_whole_content(user, version.material):
        return content
    return summarised(version.material.kind, content)


def material_package(user: Any, material_id: int, number: int | None = None) -> IO[bytes]:
    """The package of the version the user may have (``access_version``), at its start."""
    version = access_version(user, material_id, number)
    content = _content_seen(user, version)
    elements: dict[int, MaterialVersion] = {}
    if version.material.kind in COMPOSED_KINDS:
        elements = _seen_versions(user, element_ids(content))
        # A block of an element the user may not open is left out: not even its id goes out.
        for blocks in content_blocks(content):
            blocks[:] = [b for b in blocks if b.get("type") != "material" or b.get("material") in elements]
    package = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = _manifest(version, content)
        if elements:
            manifest["elements"] = [f"elements/{pk}/" for pk in elements]
        for pk, element in elements.items():
            _write(archive, f"elements/{pk}/", element, _manifest(element, _content_seen(user, element)))
        _write(archive, "", version, manifest)
    package.seek(0)
    return package
