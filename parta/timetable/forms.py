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


class SlotForm(forms.Form):
    """One weekly lesson: the choices are the year's assignments, the days, the bells, the rooms."""

    assignment = forms.TypedChoiceField(label=_("Teaching assignment"), coerce=int)
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int)
    number = forms.TypedChoiceField(label=_("Lesson"), coerce=int)
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[Any, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            self.fields[name].choices = options  # type: ignore[attr-defined]


class UnavailabilityForm(forms.Form):
    times = forms.MultipleChoiceField(label=_("Times the teacher cannot teach"), required=False)

    def __init__(self, *args: Any, times: list[tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["times"].choices = [(f"{day}-{number}", f"{day}-{number}") for day, number in times]  # type: ignore[attr-defined]

    def chosen(self) -> list[tuple[int, int]]:
        pairs = (value.split("-") for value in self.cleaned_data["times"])
        return [(int(day), int(number)) for day, number in pairs]


class PublishForm(forms.Form):
    since = forms.DateField(
        label=_("Lessons follow the new timetable from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Lessons from this day that have no marks, attendance, homework or substitutions are made again "
            "from the weekly timetable; earlier lessons and lessons with records stay as they are."
        ),
    )


class SubstituteForm(forms.Form):
    teacher = forms.TypedChoiceField(label=_("Substitute"), coerce=int)
    note = forms.CharField(label=_("Note for the families"), max_length=300, required=False)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qualified = [(c.id, c.name) for c in candidates if c.teaches_subject]
        others = [(c.id, c.name) for c in candidates if not c.teaches_subject]
        groups: list[Any] = []
        if qualified:
            groups.append((_("Free, teach this subject"), qualified))
        if others:
            groups.append((_("Free"), others))
        self.fields["teacher"].choices = groups  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the families will read"),
        max_length=300,
        help_text=_("For example: the class is on an excursion."),
    )
