"""Notification kinds: registered by the app that owns them, never listed here.

A notification is stored as a kind's code and a payload; its text and its link are made when it is
read, in the reader's language, by the kind's own functions. Each app registers its kinds in its
``AppConfig.ready``, next to the outbox handlers that make the notifications (``notify``)::

    register_kind(
        "library.due",
        label=_("library book due"),
        render=lambda p: _("Return “%(title)s” by %(date)s") % {**p, "date": date_text(p["due_on"])},
        link=lambda p: reverse("library-loans"),
        channels=frozenset({"email"}),
        about=about_student,
    )

- ``label``: lazy gettext, shown on the preferences page and in the API.
- ``render(payload)`` / ``link(payload)``: the text in the active language and the page it leads to
  ("" for none; a higher app may give the kind a link to its own page, ``register_link``).
- ``channels``: where the kind goes besides in-app (always on) for a person who chose nothing for
  it (``Delivery.Channel`` codes).
- ``about(payload)``: the person the notification is about, ``(id, name)``: any other reader (a
  parent of several children) sees the text prefixed with the name.

The helpers below read what payloads keep (names in both languages, ISO dates, people's names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format
from django.utils.functional import Promise
from pytrovich.enums import Case

from parta.accounts.selectors import PersonName
from parta.core.i18n import is_english, pick
from parta.core.names import short_name

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Promise
    render: Callable[[Payload], str]
    link: Callable[[Payload], str]
    channels: frozenset[str] = frozenset()
    about: Callable[[Payload], tuple[Any, str] | None] | None = None


_kinds: dict[str, NotificationKind] = {}
_links: dict[str, list[Callable[[Payload], str]]] = {}

# The code is kept in a CharField(max_length=20) on notifications and preferences.
MAX_CODE = 20


def register_kind(
    code: str,
    *,
    label: Promise,
    render: Callable[[Payload], str],
    link: Callable[[Payload], str],
    channels: frozenset[str] = frozenset(),
    about: Callable[[Payload], tuple[Any, str] | None] | None = None,
) -> NotificationKind:
    """Make ``code`` a notification kind. Registering the same definition again changes nothing;
    another definition under a code already taken is a configuration error."""
    from parta.messaging.models import Delivery

    kind = NotificationKind(code, label, render, link, frozenset(channels), about)
    if not code or len(code) > MAX_CODE:
        raise ImproperlyConfigured(f"A notification kind's code is 1 to {MAX_CODE} characters: {code!r}.")
    if unknown := kind.channels - set(Delivery.Channel.values):
        raise ImproperlyConfigured(f"Notification kind {code!r}: unknown channels {sorted(unknown)}.")
    if _kinds.setdefault(code, kind) != kind:
        raise ImproperlyConfigured(f"Notification kind {code!r} is already registered differently.")
    return kind


def register_link(code: str, link: Callable[[Payload], str]) -> None:
    """Lead a kind to a page of an app above its owner, which the owner may not name (a page that
    shows the families what the kind is about): where the kind's own link answers "", the links
    given to it are asked in turn."""
    if code not in _kinds:
        raise ImproperlyConfigured(f"No notification kind {code!r} to give a link to.")
    links = _links.setdefault(code, [])
    if link not in links:
        links.append(link)


def unregister_kind(code: str) -> None:
    """Remove a kind (tests register throwaway ones)."""
    _kinds.pop(code, None)
    _links.pop(code, None)


def registered_kinds() -> list[NotificationKind]:
    """Every kind, in the order the apps registered them (the order of INSTALLED_APPS)."""
    return list(_kinds.values())


def kind_of(code: str) -> NotificationKind | None:
    return _kinds.get(code)


def link_to(kind: NotificationKind, payload: Payload) -> str:
    """The page a notification of ``kind`` leads to: its own link, else one a higher app gave it
    (``register_link``); "" for none."""
    links: list[Callable[[Payload], str]] = [kind.link, *_links.get(kind.code, ())]
    return next((url for link in links if (url := link(payload))), "")


# --- reading payloads --------------------------------------------------------------------


def bilingual(pair: Any) -> str:
    """A name kept in both languages in a payload, ``{"ru": …, "en": …}``, in the active one."""
    if isinstance(pair, Mapping):
        return pick(str(pair.get("ru") or ""), str(pair.get("en") or ""))
    return str(pair or "")


def date_text(raw: Any) -> str:
    """«7 September» / «7 сентября» from an ISO date."""
    try:
        day = dt.date.fromisoformat(str(raw))
    except ValueError:
        return str(raw or "")
    return date_format(day, "j E")


def person_fields(key: str, name: PersonName | None) -> dict[str, Any]:
    """What a payload keeps of a person its text names: the short name as written («Ермакова К. В.»,
    what English shows) under ``key``, and the parts under ``key_parts`` so that Russian can
    decline it (``person``)."""
    if name is None:
        return {key: ""}
    return {key: name.short, f"{key}_parts": [name.last, name.first, name.middle]}


def person(payload: Payload, key: str, case: Case = Case.NOMINATIVE) -> str:
    """The person ``person_fields`` kept under ``key``, in ``case`` when the text is Russian («от
    Ермаковой К. В.»). A payload without the parts (one made before they were kept) gives the name
    as written."""
    written = str(payload.get(key) or "")
    parts = payload.get(f"{key}_parts")
    if case is Case.NOMINATIVE or is_english() or not isinstance(parts, list) or len(parts) != 3:
        return written
    last, first, middle = (str(part or "") for part in parts)
    return short_name(last, first, middle, case=case) or written


def about_fields(about: Mapping[int, int], names: Mapping[int, PersonName]) -> dict[int, dict[str, Any]]:
    """Each reader's own payload fields for ``about_student``: which child (reader → student) the
    notification is about, and the child's name."""
    return {
        reader: {"student_id": student_id, **person_fields("student_name", names.get(student_id))}
        for reader, student_id in about.items()
    }


def about_student(payload: Payload) -> tuple[Any, str] | None:
    """``about`` for a kind whose payload names the student it is about (``student_id``,
    ``student_name``)."""
    name = payload.get("student_name")
    return (payload.get("student_id"), str(name)) if name else None
