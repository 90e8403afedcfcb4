"""The benchmark's request lines (bench/load/requests.lua reads them): ``METHOD<TAB>PATH<TAB>
TOKEN<TAB>BODY``, with ``-`` for no token and no body. Apps that write their own scenarios (the
turnstiles', the cash desks') and the benchmark's fixtures write them alike."""

from __future__ import annotations

import json
from typing import Any


def request_line(method: str, path: str, token: str | None = None, body: dict[str, Any] | None = None) -> str:
    return "\t".join((method, path, token or "-", json.dumps(body, separators=(",", ":")) if body else "-"))
