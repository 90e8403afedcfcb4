"""One error shape for the whole API: {"detail": "...", "errors": {"field": ["message", ...]}}."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from parta.core import requests


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; the API answers it as a 400 with field messages.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _("Invalid input."), "errors": errors}
    return response


# Django answers what never reaches a DRF view — a path no pattern matches (``/api/v1/marks/abc``),
# an exception DRF does not handle (a 500) — with its HTML pages. Under /api/ these answer in the
# API's error shape instead; a 500 adds the request id, for the report the user sends us.
def _api_answer(request: HttpRequest, error: type[exceptions.APIException]) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    body = {"detail": str(error.default_detail)}
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
