"""Reads of accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from parta.accounts.models import ApiToken, MachineCall, MachineClient, User


def calendar_url(request: HttpRequest, user: User) -> str:
    """The absolute address of the user's secret iCalendar feed."""
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": user.calendar_token}))


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
