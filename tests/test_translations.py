"""Both languages are complete: every message has a Russian and an English translation,
none is fuzzy, and the committed .mo files say the same as the .po files (a fresh machine
has no gettext tools, so the compiled catalogues are committed)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "parta" / "locale"


def read_po(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """msgid → its fields (msgid_plural, msgstr or msgstr[n]) of a .po file, and the fuzzy msgids."""
    entries: dict[str, dict[str, str]] = {}
    fuzzy: list[str] = []
    current: dict[str, str] = {}
    key = ""
    is_fuzzy = False

    def flush() -> None:
        nonlocal current, is_fuzzy
        msgid = current.get("msgid")
        if msgid:
            if "msgctxt" in current:
                msgid = f"{current['msgctxt']}\x04{msgid}"
            entries[msgid] = current
            if is_fuzzy:
                fuzzy.append(msgid)
        current, is_fuzzy = {}, False

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            is_fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries, fuzzy


@pytest.mark.parametrize("language", ["ru", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries, fuzzy = read_po(po)
    assert len(entries) > 100
    assert fuzzy == []
    if language == "ru":
        # English is the source language: an empty English msgstr shows the msgid itself.
        untranslated = [
            msgid
            for msgid, fields in entries.items()
            if not all(v for k, v in fields.items() if k.startswith("msgstr"))
        ]
        assert untranslated == []
    with (po.with_suffix(".mo")).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for msgid, fields in entries.items():
        if "msgid_plural" in fields:
            forms = sorted(k for k in fields if k.startswith("msgstr["))
            got = [
                compiled.ngettext(fields["msgid"], fields["msgid_plural"], n) for n in (1, 2, 5)[: len(forms)]
            ]
            # Russian's fourth form is for fractions; whole numbers 1, 2 and 5 reach the other three.
            want = [fields[k] for k in forms[:3]]
            if all(want) and got != want:
                stale.append(msgid)
        elif fields.get("msgstr"):
            if "msgctxt" in fields:
                got_one = compiled.pgettext(fields["msgctxt"], fields["msgid"])
            else:
                got_one = compiled.gettext(fields["msgid"])
            if got_one != fields["msgstr"]:
                stale.append(msgid)
    assert stale == [], "run `make messages` to recompile the catalogues"
