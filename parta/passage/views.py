"""The passage pages: the school's cards and its buildings' days (the administrator), who of a
class is in the building now with the turnstile's flags (the class teacher), a child's passages
(the family). Thin: access, a selector or a service, a template."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.dates import EARLIEST, LATEST
from parta.core.ids import parse_id
from parta.passage import selectors, services
from parta.passage.access import access_child, access_class_presence
from parta.passage.models import Card, PassageEvent
from parta.schools.access import roles_of
from parta.schools.views.common import school_admin_page

# --- the school's cards ---------------------------------------------------------------------


def _cards_query(request: HttpRequest) -> dict[str, str]:
    """Whose cards the page shows (a form posts them back; its "number" is the new card's)."""
    if request.method == "POST":
        return {key: request.POST[key] for key in ("group", "staff") if request.POST.get(key)}
    return {key: request.GET[key] for key in ("group", "staff", "number") if request.GET.get(key)}


def _back_to_cards(request: HttpRequest, school_id: int) -> HttpResponse:
    query = urlencode(_cards_query(request))
    url = reverse("school-cards", args=[school_id])
    return redirect(f"{url}?{query}" if query else url)


@login_required
def cards(request: HttpRequest, school_id: int) -> HttpResponse:
    """The cards of one class group's students (or of the staff), every card each person was
    issued with its history; a card found by its number."""
    school, context = school_admin_page(request, school_id, "cards")
    group_id = parse_id(request.GET.get("group", ""))
    staff = request.GET.get("staff") == "1"
    year = context["year"]
    page = selectors.school_cards(
        school.pk,
        year.pk if year else None,
        class_group_id=group_id,
        staff=staff,
        number=request.GET.get("number", "")[:64],
    )
    if group_id is not None and group_id not in {pk for pk, _name in page.groups}:
        raise Http404
    context |= {
        "page": page,
        "group_id": group_id,
        "staff": staff,
        "number": request.GET.get("number", "")[:64],
        "kinds": Card.Kind.choices,
        "query": urlencode(_cards_query(request)),
        "hide_years": True,
    }
    return render(request, "passage/cards.html", context)


def _service(request: HttpRequest, action: Any, done: str) -> None:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


@login_required
@require_POST
def card_issue(request: HttpRequest, school_id: int) -> HttpResponse:
    holder_id = parse_id(request.POST.get("holder", ""))
    if holder_id is None:
        raise Http404
    number = request.POST.get("number", "")
    _service(
        request,
        lambda: services.card_issue(
            actor=request.user,
            school_id=school_id,
            holder_id=holder_id,
            number=number,
            kind=request.POST.get("kind", Card.Kind.CARD),
        ),
        _("Card %(number)s is issued.") % {"number": number.strip()},
    )
    return _back_to_cards(request, school_id)


@login_required
@require_POST
def card_block(request: HttpRequest, school_id: int, card_id: int) -> HttpResponse:
    _service(
        request,
        lambda: services.card_block(
            actor=request.user, school_id=school_id, card_id=card_id, reason=request.POST.get("reason", "")
        ),
        _("The card is blocked."),
    )
    return _back_to_cards(request, school_id)


@login_required
@require_POST
def card_replace(request: HttpRequest, school_id: int, card_id: int) -> HttpResponse:
    number = request.POST.get("number", "")
    _service(
        request,
        lambda: services.card_replace(
            actor=request.user,
            school_id=school_id,
            card_id=card_id,
            number=number,
            reason=request.POST.get("reason", ""),
        ),
        _("Card %(number)s replaces the old one, which is blocked.") % {"number": number.strip()},
    )
    return _back_to_cards(request, school_id)


# --- a building's day -------------------------------------------------------------------------


def _report_choice(
    request: HttpRequest, school_id: int
) -> tuple[list[tuple[int, str]], int | None, str, dt.date]:
    buildings = selectors.school_buildings(school_id)
    wanted = parse_id(request.GET.get("building", ""))
    chosen = next(
        ((pk, name) for pk, name in buildings if pk == wanted), buildings[0] if buildings else (None, "")
    )
    if wanted is not None and chosen[0] != wanted:
        raise Http404
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    if not EARLIEST <= day <= LATEST:
        day = timezone.localdate()
    return buildings, chosen[0], chosen[1], day


@login_required
def building_report(request: HttpRequest, school_id: int) -> HttpResponse:
    """A building's day: entries, exits, the first entry and the last exit, passages per hour and
    per turnstile, and the cards the turnstiles did not recognise."""
    school, context = school_admin_page(request, school_id, "passages")
    buildings, building_id, name, day = _report_choice(request, school.pk)
    context |= {
        "buildings": buildings,
        "building_id": building_id,
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "today": timezone.localdate(),
        "report": selectors.building_day(building_id, name, day) if building_id else None,
        "hide_years": True,
    }
    return render(request, "passage/report.html", context)


@login_required
def building_report_xlsx(request: HttpRequest, school_id: int) -> HttpResponse:
    """Every passage of the building's day, for a spreadsheet."""
    from openpyxl import Workbook

    school, _context = school_admin_page(request, school_id, "passages")
    _buildings, building_id, name, day = _report_choice(request, school.pk)
    if building_id is None:
        raise Http404
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = day.isoformat()
    sheet.append([school.short_name, name, day.isoformat()])
    sheet.append([])
    sheet.append(
        [_("Time"), _("Direction"), _("Card number"), _("Card"), _("Holder"), _("Turnstile"), _("Event id")]
    )
    for row in selectors.building_day_rows(building_id, day):
        sheet.append(
            [
                row["occurred_at"].strftime("%H:%M:%S"),
                str(PassageEvent.Direction(row["direction"]).label),
                row["card_number"],
                str(PassageEvent.CardState(row["card_state"]).label),
                row["holder"],
                row["device__name"],
                row["event_id"],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="passages-{building_id}-{day.isoformat()}.xlsx"'
    return response


# --- a class: in the building now, and the flags -----------------------------------------------


@login_required
def class_presence(request: HttpRequest, class_group_id: int) -> HttpResponse:
    group = access_class_presence(request.user, class_group_id)
    presence = selectors.class_presence(request.user, group)
    context = {"presence": presence, "group": group, "menu_section": "passage"}
    if getattr(request, "htmx", False):
        return render(request, "passage/_presence.html", context)
    return render(request, "passage/class.html", context)


@login_required
def teacher_today(request: HttpRequest) -> HttpResponse:
    """A teacher's lessons today where the turnstile and the journal disagree, to answer."""
    if not roles_of(request.user).is_teacher and not roles_of(request.user).is_superuser:
        raise Http404
    return render(
        request,
        "passage/today.html",
        {"today": selectors.teacher_flags(request.user), "menu_section": "journal"},
    )


@login_required
@require_POST
def flag_answer(request: HttpRequest) -> HttpResponse:
    """A teacher's answer to a flag: accept (the attendance changes, source "turnstile") or
    dismiss. Back to the page it came from."""
    lesson_id = parse_id(request.POST.get("lesson", ""))
    student_id = parse_id(request.POST.get("student", ""))
    if lesson_id is None or student_id is None:
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        services.flag_decide(
            actor=request.user,
            lesson_id=lesson_id,
            student_id=student_id,
            kind=request.POST.get("flag", ""),
            accept=accept,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("Only the lesson's teacher changes its journal."))
    else:
        messages.success(request, _("The journal is corrected.") if accept else _("The flag is dismissed."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


# --- a child's passages -----------------------------------------------------------------------


@login_required
def child_passages(request: HttpRequest, student_id: int) -> HttpResponse:
    access_child(request.user, student_id)
    data = selectors.child_passages(student_id, timezone.localdate())
    return render(request, "passage/child.html", {"child": data, "menu_section": "home"})
