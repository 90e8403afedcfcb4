"""Forms of the timetable's administrator pages: they parse typed input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's time picker sends 24-hour HH:MM whatever the page's language.
        super().__init__(attrs, format="%H:%M")


class BellForm(forms.Form):
    number = forms.IntegerField(label=_("Lesson number"), help_text=_("0 for a lesson before the first."))
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput())
