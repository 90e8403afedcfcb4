"""The journal pages' forms: they only parse input; every rule is checked by the services.

A mark's value is a plain whole number here, so that an off-scale value reaches
``parta.journal.services`` and comes back with its message («from 1 to 5»), the same one the API
gives.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parta.core.forms import DateField
from parta.journal import scales
from parta.journal.models import Attendance, JournalChange, Scale
from parta.journal.selectors import ControlFormRef
from parta.schools.forms import DateInput
from parta.schools.models import Subject

REASON_HELP = _("Needed when the study period is closed; kept in the history.")


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for the change"), required=False, max_length=500, help_text=REASON_HELP
    )


def control_form_choices(forms_: list[ControlFormRef]) -> list[tuple[str, Any]]:
    return [("", _("— no control form —")), *((str(f.id), f"{f.name} ({f.default_weight})") for f in forms_)]


class MarkForm(forms.Form):
    """A new mark in a cell (also the keyboard's quick entry: only ``value`` and ``control_form``)."""

    value = forms.IntegerField(
        label=_("Mark"), required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    control_form = forms.TypedChoiceField(
        label=_("Control form"), required=False, coerce=int, empty_value=None
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        required=False,
        help_text=_("Empty: the control form's default weight."),
        widget=forms.NumberInput(attrs={"min": scales.MIN_WEIGHT, "max": scales.MAX_WEIGHT}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)
    owed_until = DateField(
        label=_("Owed: to be made up by"),
        required=False,
        widget=DateInput(),
        help_text=_("For an owed mark leave the mark empty and give the date."),
    )
    reason = _reason_field()

    def __init__(self, *args: Any, control_forms: list[ControlFormRef], scale: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["control_form"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = control_form_choices(control_forms)
        limits = scales.bounds(scale)
        self.fields["value"].widget.attrs.update({"min": limits.low, "max": limits.high})


class MarkEditForm(MarkForm):
    mark = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkDeleteForm(forms.Form):
    mark = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = _reason_field()


ATTENDANCE_CHOICES = [("", _("present")), *Attendance.Status.choices]


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(label=_("Attendance"), required=False, choices=ATTENDANCE_CHOICES)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Why the student was away or late; in a closed period also why it is changed."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PeriodMarkForm(forms.Form):
    """A period or year mark from the grid's select: a number, «н/а» (``NOT_ATTESTED``) or
    nothing, which removes the mark."""

    value = forms.RegexField(
        label=_("Period mark"), regex=rf"^(\d{{1,3}}|{scales.NOT_ATTESTED})$", required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput)
    reason = _reason_field()

    def mark(self) -> tuple[int | None, bool]:
        """The cleaned choice as ``period_mark_set`` takes it: (value, not attested)."""
        value = self.cleaned_data["value"]
        if value == scales.NOT_ATTESTED:
            return None, True
        return (int(value) if value else None), False


class TopicForm(forms.Form):
    topic = forms.IntegerField(label=_("Topic"))
    reason = _reason_field()


class CloseForm(forms.Form):
    """Closing; for what has not ended yet, the confirmation that it is meant (the label names the
    end date)."""

    early = forms.BooleanField(required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=500)


KIND_CHOICES = [("", _("all changes")), *JournalChange.Kind.choices]


class HistoryFilterForm(forms.Form):
    date_from = DateField(label=_("From"), required=False, widget=DateInput())
    date_to = DateField(label=_("To"), required=False, widget=DateInput())
    teacher = forms.TypedChoiceField(label=_("Changed by"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=KIND_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("anyone")), *((str(pk), name) for pk, name in people)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end cannot be before the start."))
        if start and end and (end - start).days > 366:
            self.add_error("date_to", _("Choose at most a year."))
        return data


# --- the administrator's grading page ------------------------------------------------------


class GradingSchemeForm(forms.Form):
    subject = forms.ModelChoiceField(
        label=_("Subject"),
        queryset=Subject.objects.all(),
        required=False,
        empty_label=_("The school's default (every other subject)"),
    )
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices)
    round_up_from = forms.DecimalField(
        label=_("Round up from"),
        max_digits=3,
        decimal_places=2,
        initial=Decimal("0.50"),
        help_text=_(
            "An average whose fraction reaches this is rounded up: "
            "0.50 rounds 3.50 to 4; 0.60 keeps 3.59 a 3."
        ),
    )
    final_scale = forms.ChoiceField(
        label=_("Period and year marks"),
        choices=[("", _("On the same scale")), *Scale.choices],
        required=False,
        help_text=_("For example pass/fail for the period while the lessons are marked 1–5."),
    )

    def __init__(self, *args: Any, default: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if default is not None:
            # A scheme stays the default or a subject's; only a subject's may move to another subject.
            self.fields["subject"].required = not default
            if default:
                self.fields["subject"].disabled = True


class ControlFormForm(forms.Form):
    name_ru = forms.CharField(label=_("Name in Russian"), max_length=100)
    name_en = forms.CharField(label=_("Name in English"), max_length=100)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Latin letters, digits, “-”, “_”: used in exports and the API."),
    )
    default_weight = forms.IntegerField(
        label=_("Default weight"),
        initial=1,
        help_text=_(
            "From 1 to 10: the weight a new mark of this form gets. Marks already given keep theirs."
        ),
    )
    order = forms.IntegerField(label=_("Order in lists"), initial=0)
