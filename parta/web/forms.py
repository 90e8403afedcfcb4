from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with the words the rest of Parta uses."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong login or password. Both are case-sensitive."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Login")
