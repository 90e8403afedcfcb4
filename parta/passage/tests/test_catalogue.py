"""The passage app's own Russian catalogue (parta/passage/locale: what makemessages keeps for the
app's files, and messaging's preferences per child and quiet hours) is complete and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

from tests.test_translations import read_po

PO = Path(__file__).resolve().parents[1] / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_message_has_its_russian_and_the_mo_says_the_same() -> None:
    entries, fuzzy = read_po(PO)
    assert len(entries) > 150 and fuzzy == []
    empty = [
        key
        for key, fields in entries.items()
        if not all(v for k, v in fields.items() if k.startswith("msgstr"))
    ]
    assert empty == []
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        key
        for key, fields in entries.items()
        if "msgid_plural" not in fields and compiled.gettext(fields["msgid"]) != fields["msgstr"]
    ]
    assert stale == [], "msgfmt -o django.mo django.po"
