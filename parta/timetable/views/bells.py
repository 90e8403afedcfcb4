"""The bell schedule's pages (school administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import delete_or_refuse, form_status, submit
from parta.schools.views.common import school_admin_page
from parta.timetable.forms import BellForm
from parta.timetable.models import Bell
from parta.timetable.selectors import bell_rows
from parta.timetable.services import bell_delete, bell_save


@login_required
def bell_list(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "bells")
    context |= {"bells": bell_rows(school.pk), "hide_years": True}
    return render(request, "timetable/bells.html", context)


def _bell(school_id: int, bell_id: int) -> Bell:
    bell = Bell.objects.filter(school_id=school_id, pk=bell_id).first()
    if bell is None:
        raise Http404
    return bell


def _bell_page(request: HttpRequest, school_id: int, bell_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "bells")
    bell = _bell(school.pk, bell_id) if bell_id is not None else None
    if bell is not None:
        initial: dict[str, Any] = {
            "number": bell.number,
            "starts_at": bell.starts_at,
            "ends_at": bell.ends_at,
        }
    else:
        last = Bell.objects.filter(school=school).order_by("-number").first()
        initial = {"number": last.number + 1 if last else 1}
    form = BellForm(request.POST or None, initial=initial)
    saved = submit(
        request, form, lambda: bell_save(actor=request.user, school=school, bell=bell, **form.cleaned_data)
    )
    if saved is not None:
        messages.success(request, _("The time of lesson %(number)d is saved.") % {"number": saved.number})
        return redirect("school-bells", school_id=school.pk)
    context |= {
        "form": form,
        "title": _("Edit the time of lesson %(number)d") % {"number": bell.number}
        if bell
        else _("New lesson time"),
        "cancel_url": reverse("school-bells", args=[school.pk]),
        "delete_url": reverse("school-bell-delete", args=[school.pk, bell.pk]) if bell else None,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def bell_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _bell_page(request, school_id, None)


@login_required
def bell_edit(request: HttpRequest, school_id: int, bell_id: int) -> HttpResponse:
    return _bell_page(request, school_id, bell_id)


@login_required
@require_POST
def bell_remove(request: HttpRequest, school_id: int, bell_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "bells")
    bell = _bell(school.pk, bell_id)
    return delete_or_refuse(
        request,
        lambda: bell_delete(actor=request.user, bell=bell),
        done=_("The time of lesson %(number)d is deleted.") % {"number": bell.number},
        done_url=reverse("school-bells", args=[school.pk]),
        refused_url=reverse("school-bell-edit", args=[school.pk, bell.pk]),
    )
