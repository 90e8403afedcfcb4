"""Notification pages: the list (unread first, mark one or all read — htmx or plain forms) and the
channel preferences. Thin: everything goes through ``parta.messaging.notifications``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.messaging import notifications as n


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    context = {
        "notifications": n.notification_rows(request.user),
        "unread": n.unread_count(request.user),
        "menu_section": "notifications",
    }
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
            {"item": n.row_of(notification), "unread": n.unread_count(request.user), "oob_count": True},
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


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preferences = n.preferences_of(request.user)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        choices = {
            c.kind: (f"email_{c.kind}" in request.POST, f"webhook_{c.kind}" in request.POST)
            for c in preferences.kinds
        }
        try:
            n.set_preferences(request.user, choices, push_url=request.POST.get("push_url", ""))
        except ValidationError as error:
            errors = error.message_dict
            status = 400
            # Show what was ticked, not what is stored, next to the errors.
            preferences = n.Preferences(
                kinds=[
                    n.KindChoice(
                        kind=c.kind,
                        label=c.label,
                        email=choices[c.kind][0],
                        webhook=choices[c.kind][1],
                        defaults=c.defaults,
                    )
                    for c in preferences.kinds
                ],
                push_url=request.POST.get("push_url", ""),
                push_secret=preferences.push_secret,
                has_email=preferences.has_email,
            )
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notification-preferences")
    return render(
        request,
        "messaging/notification_preferences.html",
        {"preferences": preferences, "errors": errors, "menu_section": "notifications"},
        status=status,
    )
