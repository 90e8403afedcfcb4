"""A class group's subgroups and their members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import delete_or_refuse, form_status, submit
from parta.schools import services
from parta.schools.forms import SubgroupForm, SubgroupMembersForm
from parta.schools.models import ClassGroup, Subgroup
from parta.schools.views.common import school_admin_page, school_class_group


def _subgroup(group: ClassGroup, subgroup_id: int) -> Subgroup:
    subgroup = (
        Subgroup.objects.filter(class_group=group, pk=subgroup_id)
        .select_related("subject", "class_group")
        .first()
    )
    if subgroup is None:
        raise Http404
    return subgroup


@login_required
def subgroup_create(request: HttpRequest, school_id: int, class_group_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    form = SubgroupForm(request.POST or None)
    subgroup = submit(
        request,
        form,
        lambda: services.subgroup_save(actor=request.user, class_group=group, **form.cleaned_data),
    )
    if subgroup is not None:
        messages.success(
            request,
            _("Subgroup %(name)s is created: choose its members.") % {"name": subgroup.name},
        )
        return redirect(
            "school-subgroup", school_id=school.pk, class_group_id=group.pk, subgroup_id=subgroup.pk
        )
    context |= {
        "form": form,
        "title": _("New subgroup of %(group)s") % {"group": group.name},
        "cancel_url": reverse("school-class", args=[school.pk, group.pk]),
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def subgroup_edit(
    request: HttpRequest, school_id: int, class_group_id: int, subgroup_id: int
) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    subgroup = _subgroup(group, subgroup_id)
    form = SubgroupForm(
        request.POST or None, initial={"subject": subgroup.subject, "number": subgroup.number}
    )
    saved = submit(
        request,
        form,
        lambda: services.subgroup_save(
            actor=request.user, class_group=group, subgroup=subgroup, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("Subgroup %(name)s is saved.") % {"name": saved.name})
        return redirect("school-subgroup", school_id=school.pk, class_group_id=group.pk, subgroup_id=saved.pk)
    context |= {
        "form": form,
        "title": _("Edit subgroup %(name)s") % {"name": subgroup.name},
        "cancel_url": reverse("school-subgroup", args=[school.pk, group.pk, subgroup.pk]),
        "delete_url": reverse("school-subgroup-delete", args=[school.pk, group.pk, subgroup.pk]),
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def subgroup_members(
    request: HttpRequest, school_id: int, class_group_id: int, subgroup_id: int
) -> HttpResponse:
    """The subgroup's members, ticked among the class group's students."""
    school, context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    subgroup = _subgroup(group, subgroup_id)
    current = list(subgroup.memberships.values_list("student_id", flat=True))
    form = SubgroupMembersForm(request.POST or None, class_group=group, initial={"students": current})
    saved = submit(
        request,
        form,
        lambda: services.subgroup_members_set(
            actor=request.user, subgroup=subgroup, student_ids=[s.pk for s in form.cleaned_data["students"]]
        ),
    )
    if saved is not None:
        messages.success(
            request,
            _("Subgroup %(name)s now has %(count)d members.") % {"name": subgroup.name, "count": len(saved)},
        )
        return redirect("school-class", school_id=school.pk, class_group_id=group.pk)
    context |= {
        "form": form,
        "group": group,
        "subgroup": subgroup,
        "year": group.year,
        "hide_years": True,
    }
    return render(request, "schools/subgroup.html", context, status=form_status(request))


@login_required
@require_POST
def subgroup_delete(
    request: HttpRequest, school_id: int, class_group_id: int, subgroup_id: int
) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "classes")
    group = school_class_group(request, school, class_group_id)
    subgroup = _subgroup(group, subgroup_id)
    return delete_or_refuse(
        request,
        lambda: services.subgroup_delete(actor=request.user, subgroup=subgroup),
        done=_("Subgroup %(name)s is deleted.") % {"name": subgroup.name},
        done_url=reverse("school-class", args=[school.pk, group.pk]),
        refused_url=reverse("school-subgroup-edit", args=[school.pk, group.pk, subgroup.pk]),
    )
