"""Parts of a material's content that another app defines.

A test's questions are the assessment app's: the library stores them in the test's versions like
any content (so a test is authored, versioned, moderated and found like every material), but it
neither knows their shape nor may show them to everyone who opens the test — they carry their
answers. An app registers a :class:`ContentPart` under a key of the content for the kinds that
carry it: the library cleans the part with the app's ``check`` whenever a version is saved, and
shows whoever may not see it whole (``access.sees_whole_content``: students, guardians, anyone
not signed in) the app's ``summary`` instead, and puts the app's ``links`` on the material's page
(a test's "Take the test"). An app may also register a :class:`Constructor`, its own page where
materials of a kind are built (a test's questions): the library's "new material" page and its
form for the kind lead there. The library never names the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parta.core.errors import FieldErrors


@dataclass(frozen=True)
class ContentPart:
    key: str
    kinds: frozenset[str]
    # (the part as given, the errors to add to, the author) -> the part cleaned
    check: Callable[[Any, FieldErrors, Any], Any]
    # the cleaned part -> what a reader who may not see it whole is shown of it
    summary: Callable[[Any], Any]
    # the cleaned part -> lines of text, for comparing two versions
    lines: Callable[[Any], list[str]]
    # (the reader, the material) -> (label, address) of the app's pages for it, on its page
    links: Callable[[Any, Any], list[tuple[str, str]]]


_parts: dict[str, ContentPart] = {}


def register_part(part: ContentPart) -> None:
    if part.key in _parts and _parts[part.key] != part:
        raise ValueError(f"the content part {part.key!r} is registered twice")
    _parts[part.key] = part


def parts_of(kind: str) -> list[ContentPart]:
    return [part for part in _parts.values() if kind in part.kinds]


def checked_parts(kind: str, content: dict[str, Any], errors: FieldErrors, actor: Any) -> dict[str, Any]:
    """The registered parts ``content`` holds for ``kind``, each cleaned by its app."""
    return {
        part.key: part.check(content[part.key], errors, actor)
        for part in parts_of(kind)
        if part.key in content
    }


def summarised(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """``content`` with every registered part replaced by its summary."""
    parts = [part for part in parts_of(kind) if part.key in content]
    if not parts:
        return content
    shown = dict(content)
    for part in parts:
        shown[part.key] = part.summary(content[part.key])
    return shown


def part_lines(content: dict[str, Any]) -> list[str]:
    """The registered parts of ``content`` as lines of text (their apps write them)."""
    return [line for part in _parts.values() if part.key in content for line in part.lines(content[part.key])]


@dataclass(frozen=True)
class Constructor:
    """Another app's page where materials of ``kind`` are built, beside the library's own form."""

    kind: str
    # what the link says ("Build the questions"), translated when shown
    label: Any
    # () -> the address of the page that makes a new material of the kind
    new_url: Callable[[], str]
    # (the material's id) -> the address of the page that builds it further
    edit_url: Callable[[int], str]


_constructors: dict[str, Constructor] = {}


def register_constructor(constructor: Constructor) -> None:
    known = _constructors.get(constructor.kind)
    if known is not None and known != constructor:
        raise ValueError(f"a constructor of {constructor.kind!r} is registered twice")
    _constructors[constructor.kind] = constructor


def constructor_of(kind: str) -> Constructor | None:
    return _constructors.get(kind)


def part_links(user: Any, material: Any, content: dict[str, Any]) -> list[tuple[str, str]]:
    """The links of the registered parts ``content`` holds, for ``user`` on the material's page."""
    return [
        link for part in parts_of(material.kind) if part.key in content for link in part.links(user, material)
    ]
