"""Reads of accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import reverse

from parta.accounts.models import ApiToken, Guardianship, MachineCall, MachineClient, User
from parta.core.names import short_name


def calendar_url(request: HttpRequest, user: User) -> str:
    """The absolute address of the user's secret iCalendar feed."""
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": user.calendar_token}))


class PersonName(NamedTuple):
    """A person's name as stored: a text written from it may decline it (``parta.core.names``)."""

    last: str
    first: str
    middle: str
    username: str

    @property
    def short(self) -> str:
        return short_name(self.last, self.first, self.middle) or self.username


def names_of(user_ids: Iterable[int]) -> dict[int, PersonName]:
    """The names of these people: one query (none for no one)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = User.objects.filter(pk__in=ids).values_list(
        "pk", "last_name", "first_name", "middle_name", "username"
    )
    return {pk: PersonName(last, first, middle, username) for pk, last, first, middle, username in rows}


def guardians_of(student_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each student's guardians (an empty set for a student without one): one query."""
    found: dict[int, set[int]] = {pk: set() for pk in student_ids}
    if not found:
        return {}
    rows = Guardianship.objects.filter(student_id__in=found).values_list("student_id", "guardian_id")
    for student_id, guardian_id in rows:
        found[student_id].add(guardian_id)
    return found


def api_tokens_of(user: User, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The user's unexpired API tokens, one per device, the last used first."""
    rows = (
        ApiToken.objects.filter(user=user, expires_at__gt=now)
        .order_by("-last_used", "-pk")
        .values("id", "device", "prefix", "created", "last_used", "expires_at")
    )
    return [dict(row) for row in rows]


def machine_clients_of_school(school_id: int) -> list[MachineClient]:
    """A school's machine clients, the active ones first, then by name."""
    return list(MachineClient.objects.filter(school_id=school_id).order_by("-is_active", "name", "pk"))


def machine_calls_recent(client_ids: list[int], *, limit: int = 50) -> list[MachineCall]:
    """The latest calls of these clients, the newest first."""
    return list(
        MachineCall.objects.filter(client_id__in=client_ids).select_related("client").order_by("-at")[:limit]
    )
