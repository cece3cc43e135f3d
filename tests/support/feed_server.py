"""A real HTTP server on 127.0.0.1 that serves recorded feeds, with ETags and 304s."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def serve_feeds(routes: dict[str, Route] | None = None) -> Iterator[FeedServer]:
    state = FeedServer(routes=dict(routes or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(
                (self.path, self.headers.get("If-None-Match"), self.headers.get("User-Agent"))
            )
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.send_header("ETag", route.etag)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
