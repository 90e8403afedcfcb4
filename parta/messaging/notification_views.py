"""Notification pages: the list (unread first, mark one or all read — htmx or plain forms), the
channel preferences with the person's push devices, and the push service worker. Thin: everything
goes through ``parta.messaging.notifications`` and ``parta.messaging.push``."""

from __future__ import annotations

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


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preferences = n.preferences_of(request.user)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        choices = {
            c.kind: (f"email_{c.kind}" in request.POST, f"push_{c.kind}" in request.POST)
            for c in preferences.kinds
        }
        try:
            n.set_preferences(request.user, choices)
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
                        push=choices[c.kind][1],
                        defaults=c.defaults,
                    )
                    for c in preferences.kinds
                ],
                has_email=preferences.has_email,
            )
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notification-preferences")
    context = {
        "preferences": preferences,
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
