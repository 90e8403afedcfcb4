"""Meals keeps its messages in its own catalogues (``parta/meals/locale``, which ``make messages``
fills as it fills the project's): both are complete, none is fuzzy, and the compiled files say
what the sources say. The pages read Russian by default."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.utils import translation

from parta.meals.money import rubles
from parta.meals.notifications import render_low_balance
from tests.test_translations import read_po

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_meals_catalogue_is_complete_and_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries, fuzzy = read_po(po)
    assert len(entries) > 300
    assert fuzzy == []
    if language == "ru":
        assert [msgid for msgid, fields in entries.items() if not fields.get("msgstr")] == []
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, fields in entries.items()
        if fields.get("msgstr") and compiled.gettext(msgid) != fields["msgstr"]
    ]
    assert stale == [], "compile the catalogue: msgfmt -o django.mo django.po (or make messages)"


def test_money_and_notices_read_in_russian() -> None:
    with translation.override("ru"):
        assert rubles(123456) == "1\xa0234,56\xa0₽"
        assert render_low_balance({"balance": 5000, "threshold": 10000}) == (
            "Счёт питания: осталось 50,00\xa0₽, меньше 100,00\xa0₽"
        )
    with translation.override("en"):
        assert rubles(-123456) == "−1,234.56\xa0₽"
