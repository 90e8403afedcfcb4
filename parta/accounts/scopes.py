"""What a machine client may do: scopes, registered by the app that serves them (in its
AppConfig.ready), so that a new app's endpoints bring their own without editing accounts."""

from __future__ import annotations

from django.utils.functional import Promise

_scopes: dict[str, str | Promise] = {}


def register_scope(name: str, description: str | Promise) -> None:
    """Make ``name`` grantable to machine clients; ``description`` says what it lets them do."""
    if name in _scopes:
        raise ValueError(f"the scope {name!r} is registered already")
    _scopes[name] = description


def scope_choices() -> list[tuple[str, str]]:
    """Every registered scope with its description, by name."""
    return [(name, str(description)) for name, description in sorted(_scopes.items())]


def is_scope(name: str) -> bool:
    return name in _scopes
