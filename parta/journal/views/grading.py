"""The administrator's grading page: the school's grading schemes and control forms with weights."""

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
from parta.journal import selectors, services
from parta.journal.forms import ControlFormForm, GradingSchemeForm
from parta.journal.models import ControlForm, GradingScheme
from parta.schools.views.common import school_admin_page


@login_required
def grading_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "grading")
    context |= {"grading": selectors.grading(school.pk), "hide_years": True}
    return render(request, "journal/grading.html", context)


def _form_page(request: HttpRequest, context: dict[str, Any], **extra: Any) -> HttpResponse:
    context |= {
        "cancel_url": reverse("school-grading", args=[context["school"].pk]),
        "hide_years": True,
        **extra,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


def _scheme(school_id: int, scheme_id: int) -> GradingScheme:
    scheme = GradingScheme.objects.filter(school_id=school_id, pk=scheme_id).select_related("subject").first()
    if scheme is None:
        raise Http404
    return scheme


def _scheme_page(request: HttpRequest, school_id: int, scheme_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "grading")
    scheme = _scheme(school.pk, scheme_id) if scheme_id is not None else None
    initial = (
        {
            "subject": scheme.subject,
            "scale": scheme.scale,
            "round_up_from": scheme.round_up_from,
            "final_scale": scheme.final_scale,
        }
        if scheme
        else {}
    )
    form = GradingSchemeForm(
        request.POST or None, initial=initial, default=(scheme.subject_id is None) if scheme else None
    )
    saved = submit(
        request,
        form,
        lambda: services.grading_scheme_save(
            actor=request.user, school=school, scheme=scheme, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("The grading scheme is saved."))
        return redirect("school-grading", school_id=school.pk)
    delete_url = (
        reverse("school-grading-scheme-delete", args=[school.pk, scheme.pk])
        if scheme is not None and scheme.subject_id is not None
        else None
    )
    title = _("Edit the grading scheme") if scheme else _("New grading scheme")
    return _form_page(request, context, form=form, title=title, delete_url=delete_url)


@login_required
def scheme_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _scheme_page(request, school_id, None)


@login_required
def scheme_edit(request: HttpRequest, school_id: int, scheme_id: int) -> HttpResponse:
    return _scheme_page(request, school_id, scheme_id)


@login_required
@require_POST
def scheme_delete(request: HttpRequest, school_id: int, scheme_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "grading")
    scheme = _scheme(school.pk, scheme_id)
    return delete_or_refuse(
        request,
        lambda: services.grading_scheme_delete(actor=request.user, scheme=scheme),
        done=_("The grading scheme is deleted: the subject follows the school's default."),
        done_url=reverse("school-grading", args=[school.pk]),
        refused_url=reverse("school-grading-scheme-edit", args=[school.pk, scheme.pk]),
    )


def _control_form(school_id: int, form_id: int) -> ControlForm:
    control_form = ControlForm.objects.filter(school_id=school_id, pk=form_id).first()
    if control_form is None:
        raise Http404
    return control_form


def _control_form_page(request: HttpRequest, school_id: int, form_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "grading")
    control_form = _control_form(school.pk, form_id) if form_id is not None else None
    initial = (
        {
            "name_ru": control_form.name_ru,
            "name_en": control_form.name_en,
            "code": control_form.code,
            "default_weight": control_form.default_weight,
            "order": control_form.order,
        }
        if control_form
        else {}
    )
    form = ControlFormForm(request.POST or None, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.control_form_save(
            actor=request.user, school=school, control_form=control_form, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("The control form “%(code)s” is saved.") % {"code": saved.code})
        return redirect("school-grading", school_id=school.pk)
    delete_url = (
        reverse("school-control-form-delete", args=[school.pk, control_form.pk]) if control_form else None
    )
    title = _("Edit the control form") if control_form else _("New control form")
    return _form_page(request, context, form=form, title=title, delete_url=delete_url)


@login_required
def control_form_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _control_form_page(request, school_id, None)


@login_required
def control_form_edit(request: HttpRequest, school_id: int, form_id: int) -> HttpResponse:
    return _control_form_page(request, school_id, form_id)


@login_required
@require_POST
def control_form_delete(request: HttpRequest, school_id: int, form_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "grading")
    control_form = _control_form(school.pk, form_id)
    return delete_or_refuse(
        request,
        lambda: services.control_form_delete(actor=request.user, control_form=control_form),
        done=_("The control form “%(code)s” is deleted.") % {"code": control_form.code},
        done_url=reverse("school-grading", args=[school.pk]),
        refused_url=reverse("school-control-form-edit", args=[school.pk, control_form.pk]),
    )
