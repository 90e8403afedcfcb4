"""The simulated payment provider's page (``parta.meals.simulated``): where a parent's top-up goes
in the demo. Only the parent who started the top-up sees it, and only while it waits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parta.meals import simulated
from parta.meals.models import TopUp
from parta.meals.money import rubles


@login_required
def meals_pay(request: HttpRequest, reference: str) -> HttpResponse:
    if not simulated.enabled():
        raise Http404
    top_up = (
        TopUp.objects.filter(reference=reference, created_by_id=request.user.pk, status=TopUp.Status.PENDING)
        .select_related("account__student")
        .first()
    )
    if top_up is None:
        raise Http404
    student = top_up.account.student
    back = reverse("meals-child", args=[student.pk]) + "#history"
    if request.method == "POST":
        paid = request.POST.get("action") == "pay"
        answer = simulated.send(top_up, paid=paid)
        if answer.status_code != 200:
            messages.error(
                request,
                _("The provider's confirmation was refused (%(status)s).") % {"status": answer.status_code},
            )
        elif paid:
            messages.success(
                request, _("Paid: %(amount)s reached the meal account.") % {"amount": rubles(top_up.amount)}
            )
        else:
            messages.error(request, _("The payment was declined: nothing was taken."))
        return redirect(back)
    context = {"top_up": top_up, "student": student, "back": back}
    return render(request, "meals/pay.html", context)
