"""School structure pages for the school administrator: class groups, enrolment, staff, periods, devices.

Each view fetches the school through ``access_school(..., for_admin=True)`` (404 for anyone
else), reads through selectors.py and writes through services.py; the forms only parse input.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parta.accounts.selectors import machine_calls_recent, machine_clients_of_school
from parta.core.forms import form_status, submit
from parta.schools import selectors, services
from parta.schools.access import access_machine_client, access_school, roles_of
from parta.schools.forms import (
    ClassGroupForm,
    DeviceForm,
    EnrolForm,
    GuardianInviteForm,
    StudyPeriodForm,
    TeachingAssignmentForm,
)
from parta.schools.models import Building, School, StudyPeriod
from parta.schools.views.common import school_admin_page, school_class_group, year_query

# Logins and passwords of accounts made by an enrolment, shown once on the class group page.
NEW_ACCOUNTS_KEY = "parta.new_accounts"


@login_required
def school_home(request: HttpRequest) -> HttpResponse:
    """The administrator's entry point: the class groups of their (first) school."""
    roles = roles_of(request.user)
    if not roles.admin_school_ids:
        raise Http404
    return redirect("school-classes", school_id=min(roles.admin_school_ids))


# --- class groups ------------------------------------------------------------------------


@login_required
def class_group_list(request: HttpRequest, school_id: int) -> HttpResponse:
    _, context = school_admin_page(request, school_id, "classes")
    context["groups"] = selectors.class_group_rows(context["year"]) if context["year"] else []
    return render(request, "schools/class_groups.html", context)


@login_required
def class_group_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    year = context["year"]
    form = ClassGroupForm(request.POST or None, school=school, initial={"year": year})
    group = submit(
        request,
        form,
        lambda: services.class_group_create(actor=request.user, school=school, **form.cleaned_data),
    )
    if group is not None:
        messages.success(request, _("Class group %(name)s is created.") % {"name": group.name})
        return redirect("school-class", school_id=school.pk, class_group_id=group.pk)
    context |= {
        "form": form,
        "title": _("New class group"),
        "cancel_url": reverse("school-classes", args=[school.pk]) + year_query(year),
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def class_group_detail(request: HttpRequest, school_id: int, class_group_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    slip = request.session.get(NEW_ACCOUNTS_KEY)
    new_accounts = []
    if slip and slip.get("class_group_id") == group.pk:
        new_accounts = slip["accounts"]
        del request.session[NEW_ACCOUNTS_KEY]
    context |= {
        "group": group,
        "detail": selectors.class_group_detail(group),
        "assignments": selectors.assignment_rows(group.year, class_group_id=group.pk),
        "invitations": selectors.sent_invitations(group),
        "moves": selectors.student_moves(group.year, class_group_id=group.pk),
        "new_accounts": new_accounts,
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/class_group.html", context)


@login_required
def student_enrol(request: HttpRequest, school_id: int, class_group_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    form = EnrolForm(request.POST or None)
    result = submit(
        request,
        form,
        lambda: services.student_enrol(actor=request.user, class_group=group, **form.service_kwargs()),
    )
    if result is not None:
        request.session[NEW_ACCOUNTS_KEY] = {
            "class_group_id": group.pk,
            "accounts": [
                {"name": user.full_name, "username": user.username, "password": password}
                for user, password in result.new_accounts
            ],
        }
        messages.success(
            request,
            _("%(student)s is enrolled in %(group)s.")
            % {"student": result.student.full_name, "group": group.name},
        )
        if result.invitation is not None:
            messages.info(request, INVITED)
        return redirect("school-class", school_id=school.pk, class_group_id=group.pk)
    context |= {"form": form, "group": group, "year": group.year, "hide_years": True}
    return render(request, "schools/enrol.html", context, status=form_status(request))


# --- guardianship invitations ------------------------------------------------------------

# The one answer to every invitation, whether or not the login or address names an account.
INVITED = gettext_lazy(
    "If this login or e-mail address belongs to an account, its holder has been invited. "
    "They become the guardian when they accept the invitation."
)


@login_required
def guardian_invite(request: HttpRequest, school_id: int, class_group_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    form = GuardianInviteForm(request.POST or None, class_group=group)
    invitation = submit(
        request,
        form,
        lambda: services.guardian_invite(actor=request.user, school=school, **form.cleaned_data),
    )
    if invitation is not None:
        messages.info(request, INVITED)
        return redirect("school-class", school_id=school.pk, class_group_id=group.pk)
    context |= {
        "form": form,
        "title": _("Invite a guardian"),
        "cancel_url": reverse("school-class", args=[school.pk, group.pk]),
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
@require_POST
def guardian_invitation_withdraw(
    request: HttpRequest, school_id: int, class_group_id: int, invitation_id: int
) -> HttpResponse:
    school = access_school(request.user, school_id, for_admin=True)
    group = school_class_group(request, school, class_group_id)
    try:
        services.guardian_invitation_withdraw(actor=request.user, invitation_id=invitation_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("school-class", school_id=school.pk, class_group_id=group.pk)


# --- invitations to the signed-in user ---------------------------------------------------


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The invitations to become a guardian that the user may answer."""
    return render(
        request, "schools/invitations.html", {"invitations": selectors.received_invitations(request.user)}
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    if answer not in ("accept", "decline"):
        raise Http404
    accept = answer == "accept"
    try:
        services.guardian_invitation_answer(actor=request.user, invitation_id=invitation_id, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitations")
    if accept:
        messages.success(request, _("You are now a guardian of this student."))
        return redirect("home")
    messages.success(request, _("The invitation is declined."))
    return redirect("invitations")


# --- staff and teaching assignments ------------------------------------------------------


@login_required
def staff_list(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "staff")
    context["staff"] = selectors.staff_list(school, context["year"])
    return render(request, "schools/staff.html", context)


@login_required
def assignment_list(request: HttpRequest, school_id: int) -> HttpResponse:
    _, context = school_admin_page(request, school_id, "assignments")
    rows = selectors.assignment_rows(context["year"]) if context["year"] else []
    context |= {"assignments": rows, "total_hours": sum(r.hours_per_week for r in rows)}
    return render(request, "schools/assignments.html", context)


@login_required
def assignment_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "assignments")
    year = context["year"]
    if year is None:
        raise Http404
    initial = {"class_group": request.GET.get("class_group")} if request.GET.get("class_group") else {}
    form = TeachingAssignmentForm(request.POST or None, school=school, year=year, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.teaching_assignment_create(actor=request.user, school=school, **form.cleaned_data),
    )
    if saved is not None:
        messages.success(request, _("The teaching assignment is added."))
        return redirect(reverse("school-assignments", args=[school.pk]) + year_query(year))
    context |= {
        "form": form,
        "title": _("New teaching assignment"),
        "cancel_url": reverse("school-assignments", args=[school.pk]) + year_query(year),
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


# --- study periods -----------------------------------------------------------------------


@login_required
def period_list(request: HttpRequest, school_id: int) -> HttpResponse:
    _, context = school_admin_page(request, school_id, "periods")
    context["calendar"] = selectors.periods_and_holidays(context["year"]) if context["year"] else None
    return render(request, "schools/periods.html", context)


def _period_form_page(request: HttpRequest, school_id: int, period_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "periods")
    period: StudyPeriod | None = None
    if period_id is not None:
        period = StudyPeriod.objects.filter(school=school, pk=period_id).select_related("year").first()
        if period is None:
            raise Http404
        initial: dict[str, Any] = {
            "year": period.year,
            "kind": period.kind,
            "number": period.number,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
        }
        context["year"] = period.year
    else:
        initial = {"year": context["year"]}
    form = StudyPeriodForm(request.POST or None, school=school, editing=period is not None, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.study_period_save(
            actor=request.user, school=school, period=period, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("The study period %(name)s is saved.") % {"name": saved.name})
        return redirect(reverse("school-periods", args=[school.pk]) + year_query(saved.year))
    title = _("Edit the study period") if period else _("New study period")
    context |= {
        "form": form,
        "title": title,
        "cancel_url": reverse("school-periods", args=[school.pk]) + year_query(context["year"]),
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def period_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _period_form_page(request, school_id, None)


@login_required
def period_edit(request: HttpRequest, school_id: int, period_id: int) -> HttpResponse:
    return _period_form_page(request, school_id, period_id)


# --- devices (machine clients) -------------------------------------------------------------


def _devices_page(
    request: HttpRequest,
    school: School,
    context: dict[str, Any],
    form: DeviceForm,
    secret: dict[str, Any] | None,
) -> HttpResponse:
    clients = machine_clients_of_school(school.pk)
    # A device stands in one building of the school (a turnstile at its door, a cash desk in its
    # canteen): the list says which.
    buildings = dict(Building.objects.filter(school_id=school.pk).values_list("pk", "name"))
    for client in clients:
        client.building_name = buildings.get(client.building_id or 0, "")  # type: ignore[attr-defined]
    context |= {
        "clients": clients,
        "calls": machine_calls_recent([client.pk for client in clients]),
        "form": form,
        "new_secret": secret,
        "hide_years": True,
    }
    return render(
        request, "schools/devices.html", context, status=form_status(request) if form.errors else 200
    )


@login_required
def device_list(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's devices and partners' clients with their last use and recent calls; a new
    device's credential is shown here once, right after it is made."""
    school, context = school_admin_page(request, school_id, "devices")
    form = DeviceForm(request.POST or None, school=school)
    created = submit(
        request,
        form,
        lambda: services.machine_client_for_school_create(
            actor=request.user,
            school_id=school.pk,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            building_id=form.cleaned_data["building"].pk if form.cleaned_data["building"] else None,
        ),
    )
    secret = None
    if created is not None:
        client, credential = created
        secret = {"client": client, "credential": credential}
        form = DeviceForm(school=school)
    return _devices_page(request, school, context, form, secret)


@login_required
@require_POST
def device_rotate(request: HttpRequest, school_id: int, client_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "devices")
    try:
        credential = services.machine_client_of_school_rotate(
            actor=request.user, school_id=school.pk, client_id=client_id
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("school-devices", school_id=school.pk)
    client = access_machine_client(request.user, school.pk, client_id)
    return _devices_page(
        request, school, context, DeviceForm(school=school), {"client": client, "credential": credential}
    )


@login_required
@require_POST
def device_revoke(request: HttpRequest, school_id: int, client_id: int) -> HttpResponse:
    client = services.machine_client_of_school_revoke(
        actor=request.user, school_id=school_id, client_id=client_id
    )
    messages.success(
        request, _("%(name)s is revoked: its credential no longer works.") % {"name": client.name}
    )
    return redirect("school-devices", school_id=school_id)


# --- sign-in invitations -------------------------------------------------------------------


@login_required
def sign_in_invitations(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's people who have never signed in, one role at a time; POST e-mails the chosen
    ones a link to choose their password."""
    school, context = school_admin_page(request, school_id, "staff")
    role = request.GET.get("role", "students")
    if role not in selectors.ROLES:
        raise Http404
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("person") if pk.isdigit()]
        if not chosen:
            messages.error(request, _("Choose at least one person."))
        else:
            result = services.sign_in_invitations_send(
                actor=request.user, school_id=school.pk, user_ids=chosen
            )
            messages.success(
                request,
                _("Invitations being sent: %(queued)d. Without an e-mail address: %(without)d.")
                % {"queued": result.queued, "without": result.without_email},
            )
        return redirect(f"{reverse('school-sign-in', args=[school.pk])}?role={role}")
    page, with_email = selectors.never_signed_in(school, role, request.GET.get("page"))
    context |= {"role": role, "page": page, "with_email": with_email, "hide_years": True}
    return render(request, "schools/sign_in.html", context)
