"""Data that the city keeps in two languages (topic titles, subject names)."""

from collections.abc import Callable

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ru").startswith("en")


def _english(ru: str, en: str) -> str:
    return en or ru


def _russian(ru: str, en: str) -> str:
    return ru


def picker() -> Callable[[str, str], str]:
    """:func:`pick` for the language active now, for a loop over many rows: asking for the
    language is a context lookup, the choice itself is not."""
    return _english if is_english() else _russian


def pick(ru: str, en: str) -> str:
    """The text in the active language, falling back to Russian where English is missing."""
    return picker()(ru, en)
