"""Pages of the web app itself: the home page of each role, Django's login, logout and password
change on our layout, and the person's devices signed in to the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.accounts.selectors import api_tokens_of
from parta.accounts.services import api_token_revoke, password_change_done
from parta.schools.access import roles_of
from parta.schools.selectors import received_invitations
from parta.web import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One page with a block per role the user has: a teacher who is also a parent sees both.
    Each block's data is read only for a role the user holds, so the template just draws
    the blocks it is given."""
    roles = roles_of(request.user)
    today = timezone.localdate()
    is_superuser = bool(getattr(request.user, "is_superuser", False))
    family = selectors.family_home(request.user, roles, today, children=True) if roles.is_guardian else None
    context: dict[str, Any] = {
        "today": today,
        "student": selectors.family_home(request.user, roles, today, children=False).cards[0]
        if roles.is_student
        else None,
        "children": family.cards if family else None,
        "family_messages": family.other_messages if family else None,
        "teacher": selectors.teacher_home(roles, today) if roles.is_teacher else None,
        "schools": selectors.school_summaries(roles.admin_school_ids, today)
        if roles.admin_school_ids
        else None,
        "city": selectors.city_overview(roles) if roles.is_methodologist else None,
        # Anyone may hold an invitation to become a guardian, even an account with no role yet.
        "invitations": received_invitations(request.user),
        "back_office": is_superuser or bool(getattr(request.user, "is_staff", False)),
        "no_role": not roles.names and not is_superuser,
        # Home lists link to no other timetable: a substitute may not read the class they cover.
        "linkable_groups": frozenset(),
        "linkable_teachers": frozenset(),
    }
    return render(request, "web/home.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change on our layout; people replace the one-time password from
    their enrolment slip here."""

    template_name = "registration/password_change.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        required = bool(getattr(self.request.user, "must_change_password", False))
        return super().get_context_data(required=required, next=self._next(), **kwargs)

    def _next(self) -> str:
        """Where to go afterwards: the page the person was sent here from (see
        PasswordChangeRequiredMiddleware), if it is one of ours."""
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return target if safe else ""

    def get_success_url(self) -> str:
        return self._next() or str(reverse_lazy("home"))

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_change_done(user=form.user)
        messages.success(self.request, _("Your password is changed."))
        return response


@login_required
def my_devices(request: HttpRequest) -> HttpResponse:
    """The person's devices signed in to the API (one token each); POST signs one out."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if request.method == "POST":
        token_id = request.POST.get("token", "")
        if not token_id.isdigit():
            raise Http404
        api_token_revoke(user=user, token_id=int(token_id))
        messages.success(request, _("The device is signed out."))
        return redirect("my-devices")
    context = {"devices": api_tokens_of(user, now=timezone.now()), "token_days": settings.PARTA_TOKEN_DAYS}
    return render(request, "web/devices.html", context)
