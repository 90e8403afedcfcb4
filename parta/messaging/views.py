"""Messaging pages: the inbox, a new conversation, a thread with its reply form, a class
announcement, and the download of an attachment.

Every view reads through selectors.py and writes through services.py, both of which go through
access.py: a conversation the user does not take part in answers 404. Files are never served
from a public media address: the download view checks access first. The reply form is sent by
htmx without a reload and works as a plain form post without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parta.core.files import download_response
from parta.core.forms import form_status, submit
from parta.core.ids import parse_id
from parta.messaging import selectors, services
from parta.messaging.access import access_attachment
from parta.messaging.forms import FORM_FIELDS, AnnouncementForm, ConversationForm, ReplyForm

INBOX_PAGE_SIZE = 30


def _limits() -> dict[str, Any]:
    return {"max_upload_mb": max(1, settings.PARTA_MAX_UPLOAD_BYTES // (1024 * 1024))}


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page_number = parse_id(request.GET.get("page")) or 1
    total, rows = selectors.inbox(
        request.user, limit=INBOX_PAGE_SIZE, offset=(page_number - 1) * INBOX_PAGE_SIZE
    )
    if page_number > 1 and not rows:
        raise Http404
    paginator = Paginator(range(total), INBOX_PAGE_SIZE)
    context = {
        "rows": rows,
        "page": paginator.get_page(page_number),
        "unread_total": selectors.unread_total(request.user),
        "can_announce": bool(selectors.announceable_groups(request.user)),
    }
    return render(request, "messaging/inbox.html", context)


@login_required
def conversation_new(request: HttpRequest) -> HttpResponse:
    groups = selectors.contact_groups(request.user)
    form = ConversationForm(
        request.POST or None,
        request.FILES or None,
        groups=groups,
        initial={"to": request.GET.get("to", "")},
    )
    conversation = submit(
        request,
        form,
        lambda: services.conversation_start(request.user, **form.service_kwargs()),  # type: ignore[arg-type]
        renamed=FORM_FIELDS,
    )
    if conversation is not None:
        messages.success(request, _("Your message is sent."))
        return redirect("messaging-conversation", conversation_id=conversation.pk)
    return render(
        request,
        "messaging/new.html",
        {"form": form, "has_contacts": bool(groups), **_limits()},
        status=form_status(request),
    )


@login_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    # 404 for anyone not taking part, before anything else.
    page = selectors.conversation_page(request.user, conversation_id)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        message = submit(
            request,
            form,
            lambda: services.message_send(
                request.user,  # type: ignore[arg-type]
                conversation_id,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            ),
            renamed=FORM_FIELDS,
        )
        if message is not None:
            if not _is_htmx(request):
                return redirect(reverse("messaging-conversation", args=[conversation_id]) + f"#m{message.pk}")
            page = selectors.conversation_page(request.user, conversation_id)
            form = ReplyForm()
    else:
        services.conversation_read(request.user, conversation_id)
    partial = _is_htmx(request) and request.method == "POST"
    template = "messaging/thread.html#thread" if partial else "messaging/thread.html"
    # htmx swaps only a 2xx answer: the partial with the form's messages comes back as 200.
    status = 400 if form.errors and not partial else 200
    response = render(request, template, {"page": page, "form": form, **_limits()}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def announcement_new(request: HttpRequest) -> HttpResponse:
    groups = selectors.announceable_groups(request.user)
    if not groups:
        raise Http404
    initial_group = parse_id(request.GET.get("class_group"))
    form = AnnouncementForm(
        request.POST or None, request.FILES or None, groups=groups, initial={"class_group": initial_group}
    )
    conversation = submit(
        request,
        form,
        lambda: services.announcement_post(
            request.user,  # type: ignore[arg-type]
            class_group_id=form.cleaned_data["class_group"],
            topic=form.cleaned_data["topic"],
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        ),
        renamed=FORM_FIELDS,
    )
    if conversation is not None:
        messages.success(request, _("The announcement is sent to the families of the class."))
        return redirect("messaging-conversation", conversation_id=conversation.pk)
    return render(
        request, "messaging/announce.html", {"form": form, **_limits()}, status=form_status(request)
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    return attachment_response(access_attachment(request.user, attachment_id))


def attachment_response(attachment: Any) -> FileResponse:
    return download_response(attachment.file, attachment.name)
