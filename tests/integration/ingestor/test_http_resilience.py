"""The HTTP fetcher and the retrying fetcher against a real server on 127.0.0.1 that is busy,
slow, cuts bodies short or answers with an HTML page -- and real httpx underneath.

Waits between retries are recorded (and yield to the loop) rather than slept; the read
timeouts are real and short."""

from __future__ import annotations

import asyncio
import email.utils
import socket

import httpx
import pytest

from academichub.ingestor.content import WrongContentType, check_document
from academichub.ingestor.fetch import HttpFetcher, NetworkUnreachable
from academichub.ingestor.retry import RetryAfterTooLong, RetryingFetcher, RetryPolicy
from academichub.platform.errors import TransientError
from tests.conftest import FIXTURES, QUANT_PH_RSS
from tests.support.feed_server import Route, serve_feeds

pytestmark = pytest.mark.integration

FEED = QUANT_PH_RSS.read_bytes()
USER_AGENT = "AcademicHub-test/0 (mailto:test@example.org)"
NOW = 1_780_000_000.0


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


def client(read_timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT}, timeout=httpx.Timeout(read_timeout)
    )


def retrying(
    http: httpx.AsyncClient, sleeps: Sleeps, policy: RetryPolicy | None = None
) -> RetryingFetcher:
    return RetryingFetcher(
        HttpFetcher(http, max_bytes=10_000_000),
        policy or RetryPolicy(),
        sleep=sleeps,
        random=lambda: 0.5,
        clock=lambda: NOW,
    )


async def test_a_503_with_retry_after_is_waited_out_and_the_feed_arrives() -> None:
    route = Route(FEED, fail_first=1, fail_status=503, retry_after="1")
    sleeps = Sleeps()
    with serve_feeds({"/rss/quant-ph": route}) as server:
        async with client() as http:
            result = await retrying(http, sleeps).fetch(server.url("/rss/quant-ph"))

    assert result.status == 200
    assert result.body == FEED
    assert result.etag == route.etag
    assert sleeps.delays == [1.0]
    assert len(server.requests) == 2
    assert all(user_agent == USER_AGENT for _, _, user_agent in server.requests)


async def test_the_http_fetcher_passes_retry_after_on_to_the_caller() -> None:
    route = Route(FEED, fail_first=1, fail_status=503, retry_after="120")
    with serve_feeds({"/rss/quant-ph": route}) as server:
        async with client() as http:
            result = await HttpFetcher(http, max_bytes=10_000_000).fetch(
                server.url("/rss/quant-ph")
            )

    assert (result.status, result.retry_after) == (503, "120")


async def test_a_429_with_an_http_date_waits_until_that_date() -> None:
    date = email.utils.formatdate(NOW + 30, usegmt=True)
    route = Route(FEED, fail_first=2, fail_status=429, retry_after=date)
    sleeps = Sleeps()
    with serve_feeds({"/works": route}) as server:
        async with client() as http:
            result = await retrying(http, sleeps).fetch(server.url("/works"))

    assert result.status == 200
    assert sleeps.delays == [30.0, 30.0]
    assert len(server.requests) == 3


async def test_a_server_still_busy_after_every_attempt_returns_its_status() -> None:
    route = Route(FEED, fail_first=10, fail_status=502)
    sleeps = Sleeps()
    with serve_feeds({"/rss/quant-ph": route}) as server:
        async with client() as http:
            fetcher = retrying(http, sleeps, RetryPolicy(max_attempts=3, base_delay=2.0))
            result = await fetcher.fetch(server.url("/rss/quant-ph"))

    assert result.status == 502
    assert sleeps.delays == [1.0, 2.0]  # 0.5 of 2 s, then of 4 s
    assert len(server.requests) == 3


async def test_a_retry_after_of_two_hours_gives_up_at_once() -> None:
    route = Route(FEED, fail_first=1, fail_status=503, retry_after="7200")
    sleeps = Sleeps()
    with serve_feeds({"/rss/quant-ph": route}) as server:
        async with client() as http:
            with pytest.raises(RetryAfterTooLong, match="Retry-After 7200 s"):
                await retrying(http, sleeps).fetch(server.url("/rss/quant-ph"))

    assert sleeps.delays == []
    assert len(server.requests) == 1


async def test_a_server_slower_than_the_read_timeout_is_a_transient_error() -> None:
    route = Route(FEED, delay_seconds=1.0)
    sleeps = Sleeps()
    with serve_feeds({"/rss/quant-ph": route}) as server:
        url = server.url("/rss/quant-ph")
        async with client(read_timeout=0.2) as http:
            with pytest.raises(TransientError) as raised:
                await retrying(http, sleeps, RetryPolicy(max_attempts=3)).fetch(url)

    message = str(raised.value)
    assert message.startswith(f"{url}: gave up after 3 attempts; last: timed out (read)")
    assert type(raised.value) is TransientError
    assert isinstance(raised.value.__cause__, TransientError)
    assert isinstance(raised.value.__cause__.__cause__, httpx.ReadTimeout)
    assert len(sleeps.delays) == 2
    assert len(server.requests) == 3


async def test_a_body_cut_short_is_a_transient_error_naming_the_missing_bytes() -> None:
    route = Route(FEED, truncate_at=1000)
    with serve_feeds({"/rss/quant-ph": route}) as server:
        url = server.url("/rss/quant-ph")
        async with client() as http:
            with pytest.raises(TransientError) as raised:
                await HttpFetcher(http, max_bytes=10_000_000).fetch(url)

    # httpx (h11) notices the short body against Content-Length and says so.
    assert f"received 1000 bytes, expected {len(FEED)}" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)


async def test_a_body_cut_short_every_time_is_retried_then_given_up() -> None:
    route = Route(FEED, truncate_at=1000)
    sleeps = Sleeps()
    with serve_feeds({"/rss/quant-ph": route}) as server:
        async with client() as http:
            fetcher = retrying(http, sleeps, RetryPolicy(max_attempts=2))
            with pytest.raises(TransientError, match="gave up after 2 attempts"):
                await fetcher.fetch(server.url("/rss/quant-ph"))

    assert len(server.requests) == 2


async def test_the_arxiv_error_feed_http_400_is_returned_without_a_retry() -> None:
    body = (FIXTURES / "feeds/arxiv_rss/rss_2024-11-28_error_bad_archive_astroph.xml").read_bytes()
    sleeps = Sleeps()
    with serve_feeds({"/rss/astroph": Route(body, status=400)}) as server:
        url = server.url("/rss/astroph")
        async with client() as http:
            result = await retrying(http, sleeps).fetch(url)

    assert (result.status, result.body) == (400, body)
    assert sleeps.delays == []
    assert len(server.requests) == 1
    check_document(url, result, "xml")  # the error feed still goes to the parser


async def test_nothing_listening_is_unreachable_at_once() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    async with client() as http:
        with pytest.raises(NetworkUnreachable):
            await retrying(http, sleeps).fetch(f"http://127.0.0.1:{port}/rss/quant-ph")

    assert sleeps.delays == []


async def test_an_html_page_with_status_200_is_caught_before_parsing() -> None:
    page = b"<!DOCTYPE html><html><body>Please verify you are a human</body></html>"
    route = Route(page, content_type="text/html; charset=utf-8")
    with serve_feeds({"/rss/cs.AI": route}) as server:
        url = server.url("/rss/cs.AI")
        async with client() as http:
            result = await retrying(http, Sleeps()).fetch(url)

    assert result.status == 200
    with pytest.raises(WrongContentType, match="got text/html; charset=utf-8"):
        check_document(url, result, "xml")


async def test_a_feed_without_a_content_type_is_sniffed() -> None:
    with serve_feeds({"/rss/quant-ph": Route(FEED, content_type=None)}) as server:
        url = server.url("/rss/quant-ph")
        async with client() as http:
            result = await HttpFetcher(http, max_bytes=10_000_000).fetch(url)

    assert result.content_type is None
    check_document(url, result, "xml")
