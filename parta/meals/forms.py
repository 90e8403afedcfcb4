"""The meals pages' forms: they read what a person typed (roubles with kopecks, ticks); every rule
(who may, what is allowed) lives in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parta.core.forms import DateField
from parta.meals.models import ALLERGENS, Entitlement, Meal, MenuItem
from parta.meals.money import MAX_AMOUNT, kopecks


class RublesField(forms.DecimalField):
    """An amount in roubles (``150``, ``99,90``) read as kopecks."""

    def __init__(self, *, signed: bool = False, **kwargs: Any) -> None:
        limit = Decimal(MAX_AMOUNT) / 100
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", limit)
        kwargs.setdefault("min_value", -limit if signed else Decimal(0))
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("class", "input-narrow")

    def clean(self, value: Any) -> int | None:
        rubles = super().clean(value)
        return None if rubles is None else kopecks(rubles)


class SettingsForm(forms.Form):
    daily_limit = RublesField(
        label=_("Daily limit, ₽"),
        required=False,
        help_text=_("The most the child may spend a day; empty: no limit."),
    )
    low_balance_threshold = RublesField(
        label=_("Tell me when the balance falls below, ₽"),
        required=False,
        help_text=_("Empty: never tell."),
    )


class StopListForm(forms.Form):
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"), choices=ALLERGENS, required=False, widget=forms.CheckboxSelectMultiple
    )
    items = forms.TypedMultipleChoiceField(
        label=_("Items"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items  # type: ignore[attr-defined]


class TopUpForm(forms.Form):
    amount = RublesField(label=_("Amount, ₽"), min_value=Decimal(10))


class ItemForm(forms.Form):
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Composition"), max_length=500, required=False, help_text=_("What a complex meal is made of.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MenuItem.Kind.choices)
    meal = forms.ChoiceField(
        label=_("Meal"),
        choices=[("", _("—")), *Meal.choices],
        required=False,
        help_text=_("A complex breakfast or lunch is free for a child entitled to it."),
    )
    price = RublesField(label=_("Price, ₽"))
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"), choices=ALLERGENS, required=False, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)


class EntitlementForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    category = forms.ChoiceField(label=_("Category"), choices=Entitlement.Category.choices)
    breakfast = forms.BooleanField(label=_("Free breakfast"), required=False, initial=True)
    lunch = forms.BooleanField(label=_("Free lunch"), required=False, initial=True)
    starts_on = DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Document"), max_length=300, required=False)

    def __init__(self, *args: Any, students: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = students  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    amount = RublesField(
        label=_("Amount, ₽"),
        signed=True,
        help_text=_("Positive adds to the balance, negative takes from it."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
