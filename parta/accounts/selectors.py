"""Reads of accounts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.http import HttpRequest
from django.urls import reverse

from parta.accounts.models import Guardianship, User
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
