"""Getting feed bytes: the fetcher port, its HTTP and file adapters, and fakes.

The HTTP adapter sends a User-Agent naming the project, conditional GET headers,
bounded timeouts, and refuses bodies over a size cap. The cap holds for the body as
inflated: the raw bytes are read from the wire and inflated by
:mod:`academichub.ingestor.content_coding` with a running cap, never by httpx (which
inflates each chunk without bound). Redirects are followed here too, one hop at a time,
for the same reason: httpx reads -- and inflates -- the body of every redirect it
follows itself. ``file://`` URLs read local files: the offline replay of recorded feeds
bundled with the project.

An HTTP status is never an exception here: the caller (or
:class:`~academichub.ingestor.retry.RetryingFetcher`) reads it from the result. Failures to get
a response at all are mapped in this one place::

    TransientError
    ├── NetworkUnreachable   cannot connect (DNS, refused, no route): fall back to replay
    ├── ResponseRefused      refused as it came; fetching again at once cannot help
    │   ├── ResponseTooLarge     the body (inflated) passed the size cap
    │   └── UnsupportedEncoding  stacked (``gzip, gzip``) or unknown Content-Encoding
    ├── BodyUnreadable       a compressed body cut short or not what it claims to be
    └── (itself)             timed out (connect|read|write|pool), connection dropped mid-body
                             (httpx says "peer closed connection without sending complete
                             message body (received N bytes, expected M)"), too many
                             redirects, other transport errors
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import httpx

from academichub.ingestor.content_coding import (
    ACCEPT_ENCODING,
    BodyReader,
    BodyUnreadable,
    ResponseRefused,
    ResponseTooLarge,
    UnsupportedEncoding,
    content_coding,
)
from academichub.platform.errors import TransientError

__all__ = [
    "BodyUnreadable",
    "FakeFetcher",
    "FetchResult",
    "Fetcher",
    "HttpFetcher",
    "NetworkUnreachable",
    "ResponseRefused",
    "ResponseTooLarge",
    "ScriptedFetcher",
    "UnsupportedEncoding",
    "read_file_url",
]

# Hops a fetch follows before giving up (httpx's own default is 20).
MAX_REDIRECTS = 10


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
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self._client = client
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if url.startswith("file://"):
            return await read_file_url(url)
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request: httpx.Request | None = self._client.build_request("GET", url, headers=headers)
        try:
            for _ in range(self._max_redirects + 1):
                assert request is not None
                response = await self._client.send(request, stream=True, follow_redirects=False)
                try:
                    request = response.next_request
                    if request is None:
                        return await self._read(url, response)
                finally:
                    # A redirect's body is never read: closing drops it unread.
                    await response.aclose()
            raise TransientError(f"{url}: more than {self._max_redirects} redirects")
        except httpx.ConnectError as exc:
            raise NetworkUnreachable(f"{url}: cannot connect: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"{url}: timed out ({_phase(exc)}): {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{url}: {type(exc).__name__}: {exc}") from exc

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        # 204 and 304 have no body, so no coding to refuse.
        coding = (
            content_coding(response.headers.get_list("content-encoding"))
            if response.status_code not in (204, 304)
            else None
        )
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self._max_bytes:
            raise ResponseTooLarge(
                f"{url}: refused: Content-Length {announced} exceeds {self._max_bytes} bytes",
                received=0,
            )
        body = BodyReader(url, coding, self._max_bytes)
        async for chunk in response.aiter_raw():
            body.feed(chunk)
        return FetchResult(
            status=response.status_code,
            body=body.finish(),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            content_type=response.headers.get("content-type"),
            retry_after=response.headers.get("retry-after"),
        )


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
