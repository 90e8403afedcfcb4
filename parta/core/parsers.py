"""The API's JSON parser: DRF's, with a ceiling on nesting.

Python's json module recurses once per ``[`` or ``{``, so a body of 100,000 ``[`` ended in a
RecursionError (a 500) before anyone had signed in. No Parta request nests deeper than a few
levels; anything deeper than ``MAX_DEPTH`` is refused as a parse error (400).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DrfJSONParser
from rest_framework.utils import json

MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """How deep lists and objects nest in a parsed value, walked without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def _too_deep() -> str:
    return _("The JSON is nested deeper than %(depth)d levels.") % {"depth": MAX_DEPTH}


class JSONParser(DrfJSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        except ValueError as exc:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None
        # Only a body with more brackets than the ceiling can nest beyond it; the usual small body
        # (a mark, an attendance entry) is not walked at all.
        if text.count("[") + text.count("{") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
            raise ParseError(_too_deep())
        return data
