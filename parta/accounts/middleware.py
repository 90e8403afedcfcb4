"""The call log of machine clients."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parta.accounts.models import MachineCall, MachineClient
from parta.core import rows


class MachineCallMiddleware:
    """Writes a MachineCall for each request a machine client made, once it is answered: one
    INSERT, and nothing at all for a person's request (the client is marked on the request by
    ``BearerAuthentication``, so no user is loaded here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        client: MachineClient | None = getattr(request, "parta_machine", None)
        if client is not None:
            # One insert per machine call, its statement built once (a cash desk's sale pays it).
            rows.insert(
                MachineCall(
                    client=client,
                    method=request.method or "",
                    path=request.path[: MachineCall._meta.get_field("path").max_length],
                    status=response.status_code,
                    request_id=str(
                        getattr(request, "request_id", "") or request.headers.get("X-Request-ID", "")
                    )[:64],
                )
            )
        return response
