"""The family's meals page of a child: the balance and a top-up, the month's spending with a chart,
the history of purchases and top-ups, the parents' daily limit, low-balance threshold and stop-list,
today's menu; and the child's monthly statement as a PDF.

Every view passes ``access_meals_child`` first: another family's child, a teacher, a stranger get
404; only the child's guardians may change anything (the child sees, does not change).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
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
from parta.core.forms import add_service_errors
from parta.core.ids import parse_id
from parta.meals import selectors, services, simulated
from parta.meals.access import access_meals_child
from parta.meals.forms import SettingsForm, StopListForm, TopUpForm
from parta.meals.reports import statement_pdf
from parta.meals.templatetags.meals import as_rubles
from parta.schools.access import roles_of
from parta.schools.selectors import children_of


@login_required
def meals_home(request: HttpRequest) -> HttpResponse:
    """A parent's first child's (``?student=`` another's) meals, a student's own."""
    roles = roles_of(request.user)
    wanted = parse_id(request.GET.get("student"))
    if wanted is not None and (wanted in roles.child_ids or wanted == roles.user_id):
        return redirect("meals-child", student_id=wanted)
    first_child = children_of(roles).values_list("pk", flat=True).first() if roles.is_guardian else None
    if first_child is not None:
        return redirect("meals-child", student_id=first_child)
    if roles.is_student:
        return redirect("meals-child", student_id=roles.user_id)
    raise Http404


def _tabs(request: HttpRequest, student_id: int) -> list[dict[str, Any]]:
    roles = roles_of(request.user)
    if student_id not in roles.child_ids or len(roles.child_ids) < 2:
        return []
    children = list(children_of(roles).only("pk", "first_name", "username"))
    return [
        {
            "name": child.first_name or child.username,
            "url": reverse("meals-child", args=[child.pk]),
            "active": child.pk == student_id,
        }
        for child in children
    ]


def _page(
    request: HttpRequest, student_id: int, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    child = access_meals_child(request.user, student_id)
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("month"), today)
    page = selectors.family_meals(child, month, today)
    account = page.account
    forms = forms or {}
    if child.can_manage:
        forms.setdefault(
            "settings",
            SettingsForm(
                initial={
                    "daily_limit": as_rubles(account.daily_limit),
                    "low_balance_threshold": as_rubles(account.low_balance_threshold),
                }
            ),
        )
        forms.setdefault(
            "stop_list",
            StopListForm(
                items=[(item.id, item.name) for item in page.items],
                initial={"items": account.stop_items, "allergens": account.stop_allergens},
            ),
        )
        forms.setdefault("top_up", TopUpForm())
    previous = selectors.previous_month(month)
    following = selectors.next_month(month)
    context = {
        "child": child,
        "page": page,
        "account": account,
        "allergens": selectors.allergen_labels(),
        "item_names": {item.id: item.name for item in page.items},
        "tabs": _tabs(request, child.id),
        "forms": forms,
        "today": today,
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m") if following <= today else None,
        "chart": page.chart(),
        "can_top_up": child.can_manage
        and (simulated.enabled() or bool(getattr(settings, "PARTA_MEALS_PAYMENT_PAGE", ""))),
    }
    return render(request, "meals/child.html", context, status=status)


@login_required
def meals_child(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id)


def _back(student_id: int, anchor: str) -> HttpResponse:
    return redirect(reverse("meals-child", args=[student_id]) + f"#{anchor}")


@login_required
@require_POST
def meals_settings(request: HttpRequest, student_id: int) -> HttpResponse:
    access_meals_child(request.user, student_id, manage=True)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.meal_settings_set(
                actor=request.user,
                student_id=student_id,
                daily_limit=form.cleaned_data["daily_limit"],
                low_balance_threshold=form.cleaned_data["low_balance_threshold"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The limits are saved."))
            return _back(student_id, "limits")
    return _page(request, student_id, {"settings": form}, status=400)


@login_required
@require_POST
def meals_stop_list(request: HttpRequest, student_id: int) -> HttpResponse:
    child = access_meals_child(request.user, student_id, manage=True)
    items = [(item.id, item.name) for item in selectors.catalogue(child.school_id)]
    form = StopListForm(request.POST, items=items)
    if form.is_valid():
        try:
            services.stop_list_set(
                actor=request.user,
                student_id=student_id,
                items=form.cleaned_data["items"],
                allergens=form.cleaned_data["allergens"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The stop-list is saved: the cash desk will not sell these to the child.")
            )
            return _back(student_id, "stop-list")
    return _page(request, student_id, {"stop_list": form}, status=400)


@login_required
@require_POST
def meals_top_up(request: HttpRequest, student_id: int) -> HttpResponse:
    access_meals_child(request.user, student_id, manage=True)
    form = TopUpForm(request.POST)
    if form.is_valid():
        try:
            top_up = services.top_up_start(
                actor=request.user, student_id=student_id, amount=form.cleaned_data["amount"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            page = getattr(settings, "PARTA_MEALS_PAYMENT_PAGE", "")
            if page and not simulated.enabled():
                return redirect(page.format(reference=top_up.reference, amount=top_up.amount))
            return redirect("meals-pay", reference=top_up.reference)
    return _page(request, student_id, {"top_up": form}, status=400)


@session_or_token
def meals_statement_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """The child's statement of a month (``?month=YYYY-MM``) as a PDF."""
    child = access_meals_child(request.user, student_id)
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("month"), today)
    response = HttpResponse(statement_pdf(child, month, today), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meals-{child.id}-{month:%Y-%m}.pdf"'
    return response
