"""A student's move to another class group or out of the school."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core.forms import form_status, submit
from parta.schools import selectors, services
from parta.schools.forms import StudentMoveForm
from parta.schools.models import Enrolment
from parta.schools.views.common import school_admin_page, school_class_group


@login_required
def student_move(request: HttpRequest, school_id: int, class_group_id: int, student_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    enrolment = (
        Enrolment.objects.filter(class_group=group, student_id=student_id).select_related("student").first()
    )
    if enrolment is None:
        raise Http404
    student: User = enrolment.student
    form = StudentMoveForm(
        request.POST or None, class_group=group, initial={"moved_on": timezone.localdate()}
    )
    move = submit(
        request,
        form,
        lambda: services.student_move(
            actor=request.user,
            student=student,
            from_class_group=group,
            to_class_group=form.target(),
            moved_on=form.cleaned_data["moved_on"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if move is not None:
        if move.to_class_group is None:
            text = _("%(student)s has left the school.") % {"student": student.full_name}
        else:
            text = _("%(student)s is moved to %(group)s.") % {
                "student": student.full_name,
                "group": move.to_class_group.name,
            }
        messages.success(request, text)
        return redirect("school-class", school_id=school.pk, class_group_id=group.pk)
    context |= {
        "form": form,
        "group": group,
        "student": student,
        "history": selectors.student_moves(group.year, student_id=student.pk),
        "cancel_url": reverse("school-class", args=[school.pk, group.pk]),
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/move.html", context, status=form_status(request))
