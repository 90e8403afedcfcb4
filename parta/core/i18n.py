"""Data that the city keeps in two languages (topic titles, subject names)."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ru").startswith("en")


def pick(ru: str, en: str) -> str:
    """The text in the active language, falling back to Russian where English is missing."""
    return en if is_english() and en else ru
