"""An HTTP server of a test's own on 127.0.0.1, for the code that posts to the outside world
(push services, and the partners' endpoints to come): it records each POST and answers as told."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any


@dataclass
class Recorded:
    """What the server saw, and how it answers: ``statuses`` in turn (the last one repeats),
    ``default`` when none is set, with a ``Location`` header when ``location`` is set."""

    default: int = 204
    statuses: list[int] = field(default_factory=list)
    location: str = ""
    port: int = 0
    # (path, headers with lower-case names, body) of each POST, in order.
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def answer(self) -> int:
        if len(self.statuses) > 1:
            return self.statuses.pop(0)
        return self.statuses[0] if self.statuses else self.default


@contextmanager
def recording_server(*, default: int = 204, tls: tuple[str, str] | None = None) -> Iterator[Recorded]:
    """A server on a free port of 127.0.0.1; ``tls`` = (certificate file, key file) serves HTTPS."""
    seen = Recorded(default=default)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(seen.answer())
            if seen.location:
                self.send_header("Location", seen.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    seen.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        httpd.shutdown()
        httpd.server_close()
