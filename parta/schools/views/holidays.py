"""The year's holidays, on the study periods page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import form_status, submit
from parta.schools import services
from parta.schools.forms import HolidayForm
from parta.schools.models import Holiday, School
from parta.schools.views.common import school_admin_page, year_query


def _holiday(school: School, holiday_id: int) -> Holiday:
    holiday = Holiday.objects.filter(school=school, pk=holiday_id).select_related("year").first()
    if holiday is None:
        raise Http404
    return holiday


def _holiday_page(request: HttpRequest, school_id: int, holiday_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "periods")
    holiday = _holiday(school, holiday_id) if holiday_id is not None else None
    if holiday is not None:
        context["year"] = holiday.year
        initial: dict[str, Any] = {
            "year": holiday.year,
            "name": holiday.name,
            "starts_on": holiday.starts_on,
            "ends_on": holiday.ends_on,
        }
    else:
        initial = {"year": context["year"]}
    form = HolidayForm(request.POST or None, school=school, editing=holiday is not None, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.holiday_save(
            actor=request.user, school=school, holiday=holiday, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("The holiday “%(name)s” is saved.") % {"name": saved.name})
        return redirect(reverse("school-periods", args=[school.pk]) + year_query(saved.year))
    context |= {
        "form": form,
        "title": _("Edit the holiday") if holiday else _("New holiday"),
        "cancel_url": reverse("school-periods", args=[school.pk]) + year_query(context["year"]),
        "delete_url": reverse("school-holiday-delete", args=[school.pk, holiday.pk]) if holiday else None,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def holiday_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _holiday_page(request, school_id, None)


@login_required
def holiday_edit(request: HttpRequest, school_id: int, holiday_id: int) -> HttpResponse:
    return _holiday_page(request, school_id, holiday_id)


@login_required
@require_POST
def holiday_delete(request: HttpRequest, school_id: int, holiday_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "periods")
    holiday = _holiday(school, holiday_id)
    services.holiday_delete(actor=request.user, holiday=holiday)
    messages.success(request, _("The holiday “%(name)s” is deleted.") % {"name": holiday.name})
    return redirect(reverse("school-periods", args=[school.pk]) + year_query(holiday.year))
