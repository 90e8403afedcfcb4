"""Both languages are complete: every message has a Russian and an English translation,
none is fuzzy, and the committed .mo files say the same as the .po files (a fresh machine
has no gettext tools, so the compiled catalogues are committed)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "parta" / "locale"


def read_po(path: Path) -> tuple[dict[str, str], list[str]]:
    """msgid → msgstr of a .po file (plural forms keyed by msgid), and the fuzzy msgids."""
    entries: dict[str, str] = {}
    fuzzy: list[str] = []
    current: dict[str, str] = {}
    key = ""
    is_fuzzy = False

    def flush() -> None:
        nonlocal current, is_fuzzy
        if "msgid" in current:
            msgid = current["msgid"]
            msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
            if msgid:
                entries[msgid] = msgstr
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
            if key == "msgctxt":
                continue
            current[key] = ast.literal_eval(value)
    return entries, fuzzy


@pytest.mark.parametrize("language", ["ru", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries, fuzzy = read_po(po)
    assert len(entries) > 100
    assert fuzzy == []
    if language == "ru":
        untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
        assert untranslated == []
    with (po.with_suffix(".mo")).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items() if msgstr and compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to recompile the catalogues"
