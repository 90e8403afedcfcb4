"""Notification pages: the list (unread first, mark one or all read — htmx or plain forms), the
channel preferences with the person's push devices, and the push service worker. Thin: everything
goes through ``parta.messaging.notifications`` and ``parta.messaging.push``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from parta.messaging import notifications as n
from parta.messaging import push


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    # The unread count is the header's (web.context_processors), read once for both.
    context = {"notifications": n.notification_rows(request.user), "menu_section": "notifications"}
    if getattr(request, "htmx", False):
        return render(request, "messaging/notification_list_panel.html", context)
    return render(request, "messaging/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = n.mark_read(request.user, notification_id)
    if getattr(request, "htmx", False):
        return render(
            request,
            "messaging/notification_item.html",
            {"item": n.row_of(notification), "oob_count": True},
        )
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    n.mark_all_read(request.user)
    if getattr(request, "htmx", False):
        return notification_list(request)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications")


def _time(raw: str) -> dt.time | None:
    """A time typed as HH:MM (what <input type="time"> sends); None for an empty field;
    ValueError for anything else."""
    raw = raw.strip()
    return dt.datetime.strptime(raw, "%H:%M").time() if raw else None  # noqa: DTZ007 — a time of day


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preferences = n.preferences_of(request.user)
    errors: dict[str, list[str]] = {}
    status = 200
    quiet_typed = {
        "from": preferences.quiet_starts.strftime("%H:%M") if preferences.quiet_starts else "",
        "until": preferences.quiet_ends.strftime("%H:%M") if preferences.quiet_ends else "",
    }
    if request.method == "POST":
        post = request.POST
        choices = {c.kind: (f"email_{c.kind}" in post, f"push_{c.kind}" in post) for c in preferences.kinds}
        children = {
            child.student_id: {
                c.kind: (
                    f"child_{child.student_id}_email_{c.kind}" in post,
                    f"child_{child.student_id}_push_{c.kind}" in post,
                )
                for c in child.kinds
            }
            for child in preferences.children
        }
        # A child's row left as the page showed it keeps what it was (following the choice for
        # all, or the child's own); a row changed here becomes the child's own choice.
        shown = {
            child.student_id: {c.kind: (c.email, c.push) for c in child.kinds}
            for child in preferences.children
        }
        changed = {
            student_id: {kind: pair for kind, pair in kinds.items() if pair != shown[student_id][kind]}
            for student_id, kinds in children.items()
        }
        quiet_from, quiet_until = post.get("quiet_from", ""), post.get("quiet_until", "")
        try:
            try:
                quiet = (_time(quiet_from), _time(quiet_until))
            except ValueError:
                raise ValidationError({"quiet_hours": [_("Give the times as HH:MM.")]}) from None
            n.set_preferences(request.user, choices, children=changed, quiet=quiet)
        except ValidationError as error:
            errors = error.message_dict
            status = 400
            # Show what was ticked, not what is stored, next to the errors.
            preferences = n.Preferences(
                kinds=[
                    replace(c, email=choices[c.kind][0], push=choices[c.kind][1]) for c in preferences.kinds
                ],
                has_email=preferences.has_email,
                children=[
                    replace(
                        child,
                        kinds=[
                            replace(
                                c,
                                email=children[child.student_id][c.kind][0],
                                push=children[child.student_id][c.kind][1],
                            )
                            for c in child.kinds
                        ],
                    )
                    for child in preferences.children
                ],
                quiet_starts=preferences.quiet_starts,
                quiet_ends=preferences.quiet_ends,
            )
            quiet_typed = {"from": quiet_from, "until": quiet_until}
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notification-preferences")
    context = {
        "preferences": preferences,
        "quiet": quiet_typed,
        "errors": errors,
        "devices": push.devices_of(request.user),
        "push_public_key": push.public_key(),
        "menu_section": "notifications",
    }
    return render(request, "messaging/notification_preferences.html", context, status=status)


@login_required
@require_POST
def push_device_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    push.push_unsubscribe(user=request.user, subscription_id=subscription_id)
    messages.success(request, _("The device no longer gets push notifications."))
    return redirect("notification-preferences")


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that shows a push and opens its link; served from the root so that its
    scope is the whole site."""
    return render(request, "messaging/sw.js", content_type="text/javascript; charset=utf-8")
