"""The school's buildings and their rooms."""

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
from parta.schools import selectors, services
from parta.schools.forms import BuildingForm, RoomForm
from parta.schools.models import Building, Room, School
from parta.schools.views.common import school_admin_page


def _building(school: School, building_id: int) -> Building:
    building = Building.objects.filter(school=school, pk=building_id).first()
    if building is None:
        raise Http404
    return building


def _room(school: School, room_id: int) -> Room:
    room = Room.objects.filter(school=school, pk=room_id).select_related("building").first()
    if room is None:
        raise Http404
    return room


@login_required
def building_list(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "buildings")
    context |= {"buildings": selectors.buildings_with_rooms(school), "hide_years": True}
    return render(request, "schools/buildings.html", context)


def _form_page(
    request: HttpRequest, context: dict[str, Any], form: Any, title: str, delete_url: str | None = None
) -> HttpResponse:
    school = context["school"]
    context |= {
        "form": form,
        "title": title,
        "cancel_url": reverse("school-buildings", args=[school.pk]),
        "delete_url": delete_url,
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def building_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "buildings")
    form = BuildingForm(request.POST or None)
    building = submit(
        request, form, lambda: services.building_save(actor=request.user, school=school, **form.cleaned_data)
    )
    if building is not None:
        messages.success(request, _("The building %(name)s is added.") % {"name": building.name})
        return redirect("school-buildings", school_id=school.pk)
    return _form_page(request, context, form, _("New building"))


@login_required
def building_edit(request: HttpRequest, school_id: int, building_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "buildings")
    building = _building(school, building_id)
    form = BuildingForm(request.POST or None, initial={"name": building.name, "address": building.address})
    saved = submit(
        request,
        form,
        lambda: services.building_save(
            actor=request.user, school=school, building=building, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("The building %(name)s is saved.") % {"name": saved.name})
        return redirect("school-buildings", school_id=school.pk)
    delete_url = reverse("school-building-delete", args=[school.pk, building.pk])
    return _form_page(request, context, form, _("Edit the building"), delete_url)


@login_required
@require_POST
def building_delete(request: HttpRequest, school_id: int, building_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "buildings")
    building = _building(school, building_id)
    return delete_or_refuse(
        request,
        lambda: services.building_delete(actor=request.user, building=building),
        done=_("The building %(name)s is deleted.") % {"name": building.name},
        done_url=reverse("school-buildings", args=[school.pk]),
        refused_url=reverse("school-building-edit", args=[school.pk, building.pk]),
    )


@login_required
def room_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "buildings")
    initial = {"building": request.GET.get("building")} if request.GET.get("building") else {}
    form = RoomForm(request.POST or None, school=school, initial=initial)
    room = submit(
        request, form, lambda: services.room_save(actor=request.user, school=school, **form.cleaned_data)
    )
    if room is not None:
        messages.success(request, _("The room %(name)s is added.") % {"name": room.name})
        return redirect("school-buildings", school_id=school.pk)
    return _form_page(request, context, form, _("New room"))


@login_required
def room_edit(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "buildings")
    room = _room(school, room_id)
    initial = {"building": room.building, "name": room.name, "kind": room.kind, "capacity": room.capacity}
    form = RoomForm(request.POST or None, school=school, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.room_save(actor=request.user, school=school, room=room, **form.cleaned_data),
    )
    if saved is not None:
        messages.success(request, _("The room %(name)s is saved.") % {"name": saved.name})
        return redirect("school-buildings", school_id=school.pk)
    delete_url = reverse("school-room-delete", args=[school.pk, room.pk])
    return _form_page(request, context, form, _("Edit the room"), delete_url)


@login_required
@require_POST
def room_delete(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, "buildings")
    room = _room(school, room_id)
    return delete_or_refuse(
        request,
        lambda: services.room_delete(actor=request.user, room=room),
        done=_("The room %(name)s is deleted.") % {"name": room.name},
        done_url=reverse("school-buildings", args=[school.pk]),
        refused_url=reverse("school-room-edit", args=[school.pk, room.pk]),
    )
