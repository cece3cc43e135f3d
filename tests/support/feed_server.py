"""A real HTTP server on 127.0.0.1 that serves recorded feeds, with ETags and 304s.

A route can also misbehave the ways real feed servers do: be busy for its first requests
(``fail_first`` answers of ``fail_status``, with ``retry_after``), be slow (``delay_seconds``
between the headers and the body), or drop the connection part-way through the body
(``truncate_at``, with the full Content-Length announced).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    content_type: str | None = "application/rss+xml; charset=utf-8"  # None: no header
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # sent with every answer
    fail_first: int = 0  # the first N requests get fail_status (counted per Route object)
    fail_status: int = 503
    retry_after: str | None = None  # Retry-After on the failing answers
    delay_seconds: float = 0.0  # pause after the headers, before the body
    truncate_at: int | None = None  # send only this many body bytes, then close
    served: int = field(default=0, init=False, compare=False)  # requests answered so far

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    # (path, If-None-Match, User-Agent) per request, in arrival order.
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)  # time.monotonic() per request
    accept_encodings: list[str | None] = field(default_factory=list)  # per request, in order
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def serve_feeds(routes: dict[str, Route] | None = None) -> Iterator[FeedServer]:
    state = FeedServer(routes=dict(routes or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            failing = False
            with state.lock:
                state.requests.append(
                    (self.path, self.headers.get("If-None-Match"), self.headers.get("User-Agent"))
                )
                state.request_times.append(time.monotonic())
                state.accept_encodings.append(self.headers.get("Accept-Encoding"))
                route = state.routes.get(self.path)
                if route is not None:
                    route.served += 1
                    failing = route.served <= route.fail_first
            if route is None:
                self.send_error(404)
                return
            try:
                if failing:
                    self._fail(route)
                else:
                    self._answer(route)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a read timeout): nothing left to tell it

        def _fail(self, route: Route) -> None:
            body = b"Service busy, try again later\n"
            self.send_response(route.fail_status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if route.retry_after is not None:
                self.send_header("Retry-After", route.retry_after)
            self._extra_headers(route)
            self.end_headers()
            self.wfile.write(body)

        def _answer(self, route: Route) -> None:
            if self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self._extra_headers(route)
                self.end_headers()
                return
            self.send_response(route.status)
            if route.content_type is not None:
                self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.send_header("ETag", route.etag)
            self._extra_headers(route)
            self.end_headers()
            if route.delay_seconds:
                self.wfile.flush()
                time.sleep(route.delay_seconds)
            if route.truncate_at is None:
                self.wfile.write(route.body)
            else:
                self.wfile.write(route.body[: route.truncate_at])
                self.close_connection = True  # the client sees EOF short of Content-Length

        def _extra_headers(self, route: Route) -> None:
            for name, value in route.headers.items():
                self.send_header(name, value)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
