"""One error shape for the whole API: {"detail", "code", "errors": {"field": ["message", ...]}}."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from parta.core import requests


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [
        ErrorDetail(str(message), code=error.code or "invalid")
        for error in errors
        for message in error.messages
    ]


def _code(exc: exceptions.APIException) -> str:
    """One machine-readable code for the whole answer: the error's own, or for invalid input the
    one code all its messages share (``bad_signature``, ``required``), else ``invalid``."""
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    found: set[str] = set()
    pending: list[Any] = [codes]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        else:
            found.add(str(item))
    return found.pop() if len(found) == 1 else "invalid"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; the API answers it as a 400 with field messages
        # (their codes kept for the answer's ``code``).
        exc = exceptions.ValidationError(
            {field: _details(errors) for field, errors in exc.error_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": _details(exc.error_list)}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _("Invalid input."), "errors": errors}
    if isinstance(response.data, dict):
        response.data["code"] = _code(exc)
    return response


# Django answers what never reaches a DRF view — a path no pattern matches (``/api/v1/marks/abc``),
# an exception DRF does not handle (a 500) — with its HTML pages. Under /api/ these answer in the
# API's error shape instead; a 500 adds the request id, for the report the user sends us.
def _api_answer(request: HttpRequest, error: type[exceptions.APIException]) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    body = {"detail": str(error.default_detail), "code": str(error.default_code)}
    if error.status_code >= 500:
        body["request_id"] = requests.current()
    return JsonResponse(body, status=error.status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_answer(request, exceptions.ParseError)
    return answer or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_answer(request, exceptions.PermissionDenied)
    return answer or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_answer(request, exceptions.NotFound)
    return answer or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = _api_answer(request, exceptions.APIException)
    return answer or defaults.server_error(request)
