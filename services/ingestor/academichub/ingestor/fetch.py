"""Getting feed bytes: the fetcher port, its HTTP and file adapters, and fakes.

The HTTP adapter sends a User-Agent naming the project, conditional GET headers,
bounded timeouts, and refuses bodies over a size cap. ``file://`` URLs read local
files: the offline replay of recorded feeds bundled with the project.

An HTTP status is never an exception here: the caller (or
:class:`~academichub.ingestor.retry.RetryingFetcher`) reads it from the result. Failures to get
a response at all are mapped in this one place::

    TransientError
    ├── NetworkUnreachable   cannot connect (DNS, refused, no route): fall back to replay
    ├── ResponseTooLarge     the body passed the size cap (it will not get smaller)
    └── (itself)             timed out (connect|read|write|pool), connection dropped mid-body
                             (httpx says "peer closed connection without sending complete
                             message body (received N bytes, expected M)"), other transport errors
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import httpx

from academichub.platform.errors import TransientError


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    retry_after: str | None = None  # the raw Retry-After header (seconds or an HTTP-date)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class NetworkUnreachable(TransientError):
    """No route to the host at all (as opposed to a slow or failing server)."""


class ResponseTooLarge(TransientError):
    """The body exceeded the configured cap."""


class Fetcher(Protocol):
    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class HttpFetcher:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        max_bytes: int,
    ) -> None:
        self._client = client
        self._max_bytes = max_bytes

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if url.startswith("file://"):
            return await read_file_url(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > self._max_bytes:
                        raise ResponseTooLarge(f"{url}: body exceeds {self._max_bytes} bytes")
                return FetchResult(
                    status=response.status_code,
                    body=bytes(body),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    content_type=response.headers.get("content-type"),
                    retry_after=response.headers.get("retry-after"),
                )
        except httpx.ConnectError as exc:
            raise NetworkUnreachable(f"{url}: cannot connect: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"{url}: timed out ({_phase(exc)}): {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{url}: {type(exc).__name__}: {exc}") from exc


def _phase(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect"
    if isinstance(exc, httpx.WriteTimeout):
        return "write"
    if isinstance(exc, httpx.PoolTimeout):
        return "pool"
    return "read"


async def read_file_url(url: str) -> FetchResult:
    path = Path(unquote(urlparse(url).path))
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise TransientError(f"{url}: cannot read: {exc}") from exc
    # Recorded feeds are XML or JSON; say which, as a server would, for the content checks.
    media = "application/json" if path.suffix.lower() == ".json" else "application/xml"
    return FetchResult(status=200, body=body, content_type=media)


@dataclass
class FakeFetcher:
    """Answers from a dict of url -> FetchResult (or an exception), recording requests."""

    responses: dict[str, FetchResult | Exception] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        self.requests.append((url, etag))
        answer = self.responses[url]
        if isinstance(answer, Exception):
            raise answer
        if etag is not None and answer.etag == etag:
            return FetchResult(status=304, body=b"", etag=etag)
        return answer


@dataclass
class ScriptedFetcher:
    """Answers each url from a list, one answer per request (the last one repeats).

    For retry tests: ``[FetchResult(503, b""), FetchResult(200, body)]`` is a server that is
    busy once. Requests are recorded as (url, etag).
    """

    script: dict[str, list[FetchResult | Exception]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        self.requests.append((url, etag))
        answers = self.script[url]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer
