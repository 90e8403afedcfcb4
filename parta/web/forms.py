from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parta.accounts.services import (
    client_address,
    login_blocked,
    login_failure_record,
    login_failures_clear,
)


class LoginForm(AuthenticationForm):
    """Django's login form with the words the rest of Parta uses, and a limit on wrong passwords
    (``parta.accounts.services.login_blocked``)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong login or password. Both are case-sensitive."),
        "too_many_attempts": _("Too many attempts, try again in a few minutes."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Login")

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password") or self.request is None:
            return super().clean()
        address = client_address(self.request)
        if login_blocked(username=username, address=address):
            # Refused before the password is checked: while blocked, even the right one is not tried.
            raise ValidationError(self.error_messages["too_many_attempts"], code="too_many_attempts")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                login_failure_record(username=username, address=address)
            raise
        login_failures_clear(username=username, address=address)
        return cleaned
