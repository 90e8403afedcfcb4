"""Reads of accounts."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from parta.accounts.models import User


def calendar_url(request: HttpRequest, user: User) -> str:
    """The absolute address of the user's secret iCalendar feed."""
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": user.calendar_token}))
