"""The library's package format, shared by the export and the import (docs/user-guide.md,
"Library: import and export").

An exported material is a zip with ``manifest.json`` at its top::

    {"format": "parta-library", "format_version": 1, "id": 12, "version": 3,
     "kind": "text", "title": …, "description": …, "language": "ru", "licence": "cc-by",
     "authors": …, "duration_minutes": 45, "subjects": ["math"], "grades": [7],
     "topics": ["M7-1"], "content": {…}, "file": "file/notes.pdf", "cover": "cover.png",
     "elements": ["elements/15/", …]}

``file`` and ``cover`` are paths inside the zip relative to the manifest's folder; a scenario or a
textbook lists its elements' folders, each with its own manifest of the same shape, and its
blocks name the elements by their ``id`` in the package. An import takes this, or a list of such
objects in ``manifest.json``, or ``manifest.csv`` with one row per material and the columns
title, kind, description, subjects, grades, topics (codes and numbers ";"-separated), language,
licence, authors, duration_minutes, file (a path in the zip), url, body.
"""

from __future__ import annotations

from typing import Any

FORMAT = "parta-library"
FORMAT_VERSION = 1
MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"


def content_blocks(content: dict[str, Any]) -> list[list[Any]]:
    """Every list of blocks of a scenario's or a textbook's content (to read or to renumber)."""
    lists: list[list[Any]] = []
    if isinstance(content.get("blocks"), list):
        lists.append(content["blocks"])
    for chapter in content.get("chapters") or []:
        for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
            if isinstance(section, dict) and isinstance(section.get("blocks"), list):
                lists.append(section["blocks"])
    return lists


def element_ids(content: dict[str, Any]) -> list[int]:
    """The materials a scenario's or a textbook's blocks name, in order, once each."""
    ids: dict[int, None] = {}
    for blocks in content_blocks(content):
        for block in blocks:
            if (
                isinstance(block, dict)
                and block.get("type") == "material"
                and isinstance(block.get("material"), int)
            ):
                ids[block["material"]] = None
    return list(ids)
