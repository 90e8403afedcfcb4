from typing import Any

from django.http import HttpRequest

from parta.schools.access import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The roles of the signed-in user, for the menu of every page."""
    return {"roles": roles_of(request.user)}
