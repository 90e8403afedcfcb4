"""Pages' forms meet the services: a service's field errors are shown on the form, a form shown
again after a POST answers 400, and a delete a service refuses says why."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from parta.core.dates import validate_school_date

T = TypeVar("T")


class DateField(forms.DateField):
    """A date typed into a page: only dates a school can mean (``parta.core.dates``)."""

    default_validators = [validate_school_date]


def add_service_errors(
    form: forms.Form, error: ValidationError, *, renamed: Mapping[str, str] | None = None
) -> None:
    """Show a service's field messages next to the form's fields (the rest above the form).
    ``renamed`` maps a service's field name to the form's where they differ."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, texts in error.message_dict.items():
        field = (renamed or {}).get(name, name)
        form.add_error(field if field in form.fields else None, texts)


def submit(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], T],
    *,
    renamed: Mapping[str, str] | None = None,
) -> T | None:
    """What ``save`` (a service call) returns for a valid POSTed form; None when there is nothing
    to save yet or the form or the service refused it, the service's messages put on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error, renamed=renamed)
        return None


def delete_or_refuse(
    request: HttpRequest, delete: Callable[[], object], *, done: str, done_url: str, refused_url: str
) -> HttpResponse:
    """A delete button's answer: ``delete`` (a service call) done, ``done`` said on the list at
    ``done_url``; or the service's refusal ("still used by …") said on the page of the thing at
    ``refused_url``, nothing deleted."""
    try:
        delete()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(refused_url)
    messages.success(request, done)
    return redirect(done_url)


def form_status(request: HttpRequest) -> int:
    # A form shown again after a POST carries errors: 400, so that clients and tests can tell.
    return 400 if request.method == "POST" else 200
