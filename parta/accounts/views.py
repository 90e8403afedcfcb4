"""Pages that set a password from a link: Django's reset views on our layout, and the same
confirmation greeting a newcomer invited by their school (``services.sign_in_invitation_send``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.cache import cache
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.accounts.services import password_change_done

# One link per address in this many seconds: asking again shows the same page and sends nothing,
# so nobody can flood a person's inbox from the form.
RESET_INTERVAL_SECONDS = 300


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's, for accounts without a usable password too: people a school imported have none
    until they choose one, and asking for a link is how they may."""

    def get_users(self, email: str) -> Iterator[Any]:
        key = "password-reset:" + hashlib.sha256(email.lower().encode()).hexdigest()
        if not cache.add(key, True, timeout=RESET_INTERVAL_SECONDS):
            return iter(())
        return iter(
            User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower=email.lower(), is_active=True
            )
        )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        # The address the e-mail names is the installation's, never the request's Host header.
        return {"site_url": settings.PARTA_SITE_URL.rstrip("/")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")
    invitation = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(invitation=self.invitation, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # As after any password change: what the old password gave out stops working.
        password_change_done(user=form.user)
        messages.success(self.request, _("Your password is set. Log in with it."))
        return response


class PasswordSetConfirmView(PasswordResetConfirmView):
    """A school's sign-in invitation: the same token, words for someone new."""

    invitation = True
