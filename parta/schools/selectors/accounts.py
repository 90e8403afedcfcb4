"""The school's people who have never signed in, for the administrator's page that sends them
a link to choose their password (``services.sign_in_invitations_send``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.core.names import class_group_name
from parta.schools.models import Enrolment, School, StaffMembership

ROLES = ("students", "guardians", "staff")
PAGE_SIZE = 100


def _enrolled(school_id: int, today: dt.date) -> QuerySet[Enrolment]:
    # This year's students and next year's, not those of years that have ended.
    return Enrolment.objects.filter(school_id=school_id, year__ends_on__gte=today)


def people_of_school(school_id: int, role: str | None = None) -> Q:
    """A Q over User: the school's staff, its students of a year not yet ended and their guardians
    (``role`` picks one of ``ROLES``; None: all three)."""
    today = timezone.localdate()
    students = _enrolled(school_id, today).values("student_id")
    parts = {
        "students": Q(pk__in=students),
        "guardians": Q(pk__in=Guardianship.objects.filter(student_id__in=students).values("guardian_id")),
        "staff": Q(pk__in=StaffMembership.objects.filter(school_id=school_id).values("user_id")),
    }
    if role is not None:
        return parts[role]
    return parts["students"] | parts["guardians"] | parts["staff"]


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    username: str
    email: str
    class_group: str  # a student's; "" for others
    invited_at: dt.datetime | None


def never_signed_in(school: School, role: str, page_number: str | int | None) -> tuple[Page[AccountRow], int]:
    """One page of the school's people of ``role`` who have never signed in, by name, and how many
    of them (on every page) have an e-mail address. Three queries."""
    people = (
        User.objects.filter(people_of_school(school.pk, role), is_active=True, last_login__isnull=True)
        .order_by("last_name", "first_name", "middle_name", "pk")
        .values_list("pk", "last_name", "first_name", "middle_name", "username", "email", "invited_at")
    )
    with_email = people.exclude(email="").count()
    page: Page[Any] = Paginator(people, PAGE_SIZE).get_page(page_number)
    groups: dict[int, str] = {}
    if role == "students":
        ids = [row[0] for row in page.object_list]
        groups = {
            student: class_group_name(grade, letter)
            for student, grade, letter in _enrolled(school.pk, timezone.localdate())
            .filter(student_id__in=ids)
            .order_by("year__starts_on")
            .values_list("student_id", "class_group__grade", "class_group__letter")
        }
    page.object_list = [
        AccountRow(
            id=pk,
            name=" ".join(part for part in (last, first, middle) if part),
            username=username,
            email=email,
            class_group=groups.get(pk, ""),
            invited_at=invited_at,
        )
        for pk, last, first, middle, username, email, invited_at in page.object_list
    ]
    return page, with_email
