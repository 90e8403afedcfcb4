"""The school's cafeteria pages (its administrator): the day's figures and the report to download,
the catalogue, each building's menu of each day, entitlements to free meals, and a child's account
with its corrections and refunds. The school comes through ``school_admin_page`` (404 for anyone
but the school's administrator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.accounts.decorators import session_or_token
from parta.core.forms import add_service_errors, form_status, submit
from parta.meals import selectors, services
from parta.meals.access import student_of_school
from parta.meals.forms import CorrectionForm, EntitlementForm, ItemForm, ReasonForm, RublesField
from parta.meals.models import MenuItem, MenuLine
from parta.meals.reports import school_day_xlsx
from parta.meals.templatetags.meals import as_rubles
from parta.schools.models import Building
from parta.schools.views.common import school_admin_page

SECTION = "school-meals"


def _day(raw: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2199, 12, 31) else today


@login_required
def school_meals(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    today = timezone.localdate()
    day = _day(request.GET.get("day"), today)
    monday = day - dt.timedelta(days=day.weekday())
    context |= {
        "hide_years": True,
        "day": day,
        "today": today,
        "figures": selectors.school_day(school.pk, day),
        "items": selectors.items_of_school(school.pk),
        "weeks": selectors.menus_week(school.pk, monday),
        "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
        "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        "allergens": selectors.allergen_labels(),
    }
    return render(request, "meals/school.html", context)


@session_or_token
def school_meals_report(request: HttpRequest, school_id: int) -> HttpResponse:
    """The day's report for the cafeteria's operator (``?day=YYYY-MM-DD``) as XLSX, in the browser
    or with an administrator's API token."""
    school, _context = school_admin_page(request, school_id, SECTION)
    day = _day(request.GET.get("day"), timezone.localdate())
    response = HttpResponse(
        school_day_xlsx(school, day),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="meals-{school.pk}-{day.isoformat()}.xlsx"'
    return response


# --- the catalogue ----------------------------------------------------------------------------------


def _item_page(request: HttpRequest, school_id: int, item_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    item = MenuItem.objects.filter(school_id=school.pk, pk=item_id).first() if item_id is not None else None
    if item_id is not None and item is None:
        raise Http404
    initial: dict[str, Any] = {"active": True}
    if item is not None:
        initial = {
            "name_ru": item.name_ru,
            "name_en": item.name_en,
            "description": item.description,
            "kind": item.kind,
            "meal": item.meal,
            "price": as_rubles(item.price),
            "allergens": item.allergens,
            "active": item.active,
        }
    form = ItemForm(request.POST or None, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.item_save(actor=request.user, school_id=school.pk, item=item, **form.cleaned_data),
    )
    if saved is not None:
        messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name_ru})
        return redirect("school-meals", school_id=school.pk)
    context |= {
        "form": form,
        "title": _("Edit “%(name)s”") % {"name": item.name_ru} if item else _("New menu item"),
        "cancel_url": reverse("school-meals", args=[school.pk]),
        "hide_years": True,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def school_meals_item_new(request: HttpRequest, school_id: int) -> HttpResponse:
    return _item_page(request, school_id, None)


@login_required
def school_meals_item(request: HttpRequest, school_id: int, item_id: int) -> HttpResponse:
    return _item_page(request, school_id, item_id)


# --- a building's menu of a day ---------------------------------------------------------------------


@login_required
def school_meals_menu(request: HttpRequest, school_id: int, building_id: int, day: str) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    building = Building.objects.filter(school_id=school.pk, pk=building_id).first()
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        date = None
    if building is None or date is None:
        raise Http404
    items = selectors.items_of_school(school.pk)
    current = dict(MenuLine.objects.filter(building_id=building.pk, day=date).values_list("item_id", "price"))
    errors: list[str] = []
    prices: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("copy"):
            source = _day(request.POST.get("copy"), date)
            count = services.menu_copy(
                actor=request.user, school_id=school.pk, building_id=building.pk, day=date, source=source
            )
            messages.success(
                request,
                _("The menu of %(day)s is copied: %(count)d items.") % {"day": source, "count": count},
            )
            return redirect(
                "school-meals-menu", school_id=school.pk, building_id=building.pk, day=date.isoformat()
            )
        chosen: dict[int, int] = {}
        price_field = RublesField(required=False)
        for item in items:
            prices[item.id] = request.POST.get(f"price-{item.id}", "")
            if not request.POST.get(f"item-{item.id}"):
                continue
            try:
                value = price_field.clean(prices[item.id])
            except ValidationError:
                errors.append(_("“%(name)s”: give a price in roubles.") % {"name": item.name})
                continue
            chosen[item.id] = item.price if value is None else value
        if not errors:
            try:
                services.menu_day_set(
                    actor=request.user, school_id=school.pk, building_id=building.pk, day=date, prices=chosen
                )
            except ValidationError as error:
                errors += error.messages
            else:
                messages.success(request, _("The menu is saved."))
                return redirect(reverse("school-meals", args=[school.pk]) + f"?day={date.isoformat()}")
        current = chosen
        status = 400
    context |= {
        "hide_years": True,
        "building": building,
        "date": date,
        "rows": [
            {
                "item": item,
                "on": item.id in current,
                "price": prices.get(item.id) or as_rubles(current.get(item.id, item.price)),
            }
            for item in items
            if item.active or item.id in current
        ],
        "errors": errors,
        "previous_day": (date - dt.timedelta(days=1)).isoformat(),
        "week_before": (date - dt.timedelta(days=7)).isoformat(),
        "allergens": selectors.allergen_labels(),
    }
    return render(request, "meals/menu_day.html", context, status=status)


# --- entitlements -----------------------------------------------------------------------------------


@login_required
def school_meals_entitlements(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    today = timezone.localdate()
    students = selectors.student_choices(school.pk, today)
    school_year_end = dt.date(today.year + (today.month >= 6), 5, 31)
    form = EntitlementForm(
        request.POST or None, students=students, initial={"starts_on": today, "ends_on": school_year_end}
    )
    saved = submit(
        request,
        form,
        lambda: services.entitlement_grant(
            actor=request.user,
            school_id=school.pk,
            student_id=form.cleaned_data["student"],
            **{name: value for name, value in form.cleaned_data.items() if name != "student"},
        ),
        renamed={"student_id": "student"},
    )
    if saved is not None:
        messages.success(request, _("The entitlement is saved."))
        return redirect("school-meals-entitlements", school_id=school.pk)
    rows = selectors.entitlements_of_school(school.pk, today)
    context |= {
        "hide_years": True,
        "form": form,
        "rows": rows,
        "names": selectors.names_by_id({row.student_id for row in rows}),
        "today": today,
    }
    return render(request, "meals/entitlements.html", context, status=form_status(request))


@login_required
@require_POST
def school_meals_entitlement_end(request: HttpRequest, school_id: int, entitlement_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, SECTION)
    try:
        services.entitlement_end(
            actor=request.user,
            school_id=school.pk,
            entitlement_id=entitlement_id,
            ends_on=timezone.localdate(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The entitlement ends today."))
    return redirect("school-meals-entitlements", school_id=school.pk)


# --- the children's accounts ------------------------------------------------------------------------


@login_required
def school_meals_students(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    query = request.GET.get("q", "")[:100]
    context |= {
        "hide_years": True,
        "query": query,
        "rows": selectors.students_of_school(school.pk, timezone.localdate(), query),
    }
    return render(request, "meals/students.html", context)


def _student_page(
    request: HttpRequest,
    school_id: int,
    student_id: int,
    correction: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    school, context = school_admin_page(request, school_id, SECTION)
    student_of_school(school.pk, student_id)
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("month"), today)
    name = selectors.names_by_id([student_id]).get(student_id, "")
    account = selectors.account_view(student_id)
    context |= {
        "hide_years": True,
        "student_id": student_id,
        "name": name,
        "account": account,
        "month": month,
        "previous_month": selectors.previous_month(month).strftime("%Y-%m"),
        "next_month": selectors.next_month(month).strftime("%Y-%m")
        if selectors.next_month(month) <= today
        else None,
        "history": selectors.history(account.number, month, selectors.next_month(month)),
        "correction": correction or CorrectionForm(),
        "refund": ReasonForm(),
    }
    return render(request, "meals/student.html", context, status=status)


@login_required
def school_meals_student(request: HttpRequest, school_id: int, student_id: int) -> HttpResponse:
    if request.method != "POST":
        return _student_page(request, school_id, student_id)
    school, _context = school_admin_page(request, school_id, SECTION)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_make(
                actor=request.user,
                school_id=school.pk,
                student_id=student_id,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The correction is recorded."))
            return redirect("school-meals-student", school_id=school.pk, student_id=student_id)
    return _student_page(request, school_id, student_id, form, status=400)


@login_required
@require_POST
def school_meals_refund(request: HttpRequest, school_id: int, sale_id: int) -> HttpResponse:
    school, _context = school_admin_page(request, school_id, SECTION)
    form = ReasonForm(request.POST)
    student_id = request.POST.get("student", "")
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Say why the sale is refunded.")})
        made = services.sale_refund(
            actor=request.user, school_id=school.pk, sale_id=sale_id, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sale is refunded."))
        student_id = str(made.account.student_id)
    if student_id.isdigit():
        return redirect("school-meals-student", school_id=school.pk, student_id=int(student_id))
    return redirect("school-meals", school_id=school.pk)
