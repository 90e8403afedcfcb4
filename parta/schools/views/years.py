"""A new academic year, from the study periods page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parta.core.forms import form_status, submit
from parta.schools import services
from parta.schools.forms import YearForm
from parta.schools.views.common import school_admin_page, year_query


@login_required
def year_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "periods")
    form = YearForm(request.POST or None, initial=services.next_year_defaults(school))
    started = submit(
        request, form, lambda: services.year_start(actor=request.user, school=school, **form.cleaned_data)
    )
    if started is not None:
        messages.success(
            request,
            _(
                "The year %(name)s is made: %(periods)d study periods, %(holidays)d holidays, "
                "%(groups)d class groups with %(students)d students (%(graduates)d graduated), "
                "%(assignments)d teaching assignments. Check the dates below."
            )
            % {
                "name": started.year.name,
                "periods": started.periods,
                "holidays": started.holidays,
                "groups": started.class_groups,
                "students": started.students,
                "graduates": started.graduates,
                "assignments": started.assignments,
            },
        )
        return redirect(reverse("school-periods", args=[school.pk]) + year_query(started.year))
    context |= {
        "form": form,
        "title": _("New academic year"),
        "submit_label": _("Start the year"),
        "cancel_url": reverse("school-periods", args=[school.pk]) + year_query(context["year"]),
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))
