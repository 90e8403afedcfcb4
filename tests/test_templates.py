"""What every template must get right, checked over all of them."""

from __future__ import annotations

import re
from pathlib import Path

import parta

TEMPLATES = sorted(Path(parta.__file__).parent.glob("**/templates/**/*.html"))
# Django's {# … #} comment ends at the line's end: one spread over lines is printed on the page.
COMMENT = re.compile(r"\{#(.*?)#\}", re.S)


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20


def test_no_template_spreads_a_short_comment_over_lines() -> None:
    spread = [
        f"{path.relative_to(Path(parta.__file__).parent)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in TEMPLATES
        for text in [path.read_text()]
        for match in COMMENT.finditer(text)
        if "\n" in match.group(1)
    ]
    assert spread == [], "use {% comment %} for a comment of several lines"
