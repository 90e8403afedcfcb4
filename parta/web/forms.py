from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with the words the rest of Parta uses. Too many failures are counted
    and refused by django-axes (``parta.accounts.signin``); the form says so, and the page then
    answers 429."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong login or password. Both are case-sensitive."),
        "too_many_attempts": _("Too many attempts, try again in a few minutes."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Login")

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if getattr(self.request, "axes_locked_out", False):
                # Refused, or this failure reached the limit: even the right password is not tried now.
                raise ValidationError(
                    self.error_messages["too_many_attempts"], code="too_many_attempts"
                ) from error
            raise
