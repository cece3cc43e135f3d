"""Compressed bodies over real HTTP on 127.0.0.1: read when sane, refused before they grow.

The server sends what a hostile or broken provider would: a gzip bomb, the same body
gzipped twice (``Content-Encoding: gzip, gzip``), a coding nobody offered, a redirect whose
own body is a bomb. The fetcher inflates with a running cap, so what it holds is bounded by
construction; the refusals land in the source's status, where ``GET /api/sources`` shows them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib

import httpx
import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import TopicName
from academichub.ingestor.bootstrap import poll_round
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import (
    HttpFetcher,
    ResponseTooLarge,
    UnsupportedEncoding,
)
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig
from academichub.platform.errors import TransientError
from academichub.source_status import read_status
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.conftest import QUANT_PH_RSS
from tests.support.feed_server import Route, serve_feeds

pytestmark = pytest.mark.integration

CAP = 1_000_000
RSS = "application/rss+xml; charset=utf-8"


def zeros_gzip(inflated: int) -> bytes:
    """``inflated`` zero bytes gzipped: about a thousandth of that on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(inflated >> 20)), packer.flush()])


def fetcher(client: httpx.AsyncClient) -> HttpFetcher:
    return HttpFetcher(client, max_bytes=CAP)


async def test_a_gzipped_feed_is_read_and_only_what_is_inflated_is_offered() -> None:
    feed = QUANT_PH_RSS.read_bytes()
    route = Route(gzip.compress(feed), RSS, headers={"Content-Encoding": "gzip"})
    with serve_feeds({"/rss": route}) as server:
        async with httpx.AsyncClient() as client:
            result = await HttpFetcher(client, max_bytes=len(feed)).fetch(server.url("/rss"))

    assert (result.status, result.body) == (200, feed)
    assert server.accept_encodings == ["gzip, deflate"]


async def test_a_gzip_bomb_is_refused_with_at_most_the_cap_plus_one_byte_held() -> None:
    bomb = zeros_gzip(256 << 20)  # 256 MiB inflated, about 250 KB on the wire
    with serve_feeds({"/bomb": Route(bomb, RSS, headers={"Content-Encoding": "gzip"})}) as server:
        async with httpx.AsyncClient() as client:
            with pytest.raises(ResponseTooLarge, match="the body inflated exceeds 1000000") as err:
                await fetcher(client).fetch(server.url("/bomb"))

    assert err.value.received == CAP + 1


async def test_a_body_announced_over_the_cap_is_refused_unread() -> None:
    with serve_feeds({"/big": Route(b"<rss/>" * (CAP // 5), RSS)}) as server:
        async with httpx.AsyncClient() as client:
            with pytest.raises(ResponseTooLarge, match=r"Content-Length \d+ exceeds") as err:
                await fetcher(client).fetch(server.url("/big"))

    assert err.value.received == 0


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        # The reproduction in small: 2.3 KB on the wire was 1 GiB inflated.
        ("gzip, gzip", gzip.compress(zeros_gzip(64 << 20)), "encoded 2 times over"),
        ("br", b"\x0b\x02\x80hello\x03", "'br' is not one this fetcher inflates"),
    ],
)
async def test_a_refused_encoding_is_shown_in_the_sources_status(
    encoding: str, body: bytes, reason: str
) -> None:
    route = Route(body, RSS, headers={"Content-Encoding": encoding})
    store, registry = InMemoryStore(), CollectorRegistry()
    with serve_feeds({"/rss": route, "/next": Route(QUANT_PH_RSS.read_bytes(), RSS)}) as server:
        feeds = [
            FeedConfig(name="hostile", format="arxiv-rss", url=server.url("/rss")),
            FeedConfig(name="next", format="arxiv-rss", url=server.url("/next")),
        ]
        async with httpx.AsyncClient() as client:
            with pytest.raises(UnsupportedEncoding):
                await fetcher(client).fetch(feeds[0].url)
            publisher = RecordingPublisher()
            poller = Poller(
                fetcher=fetcher(client),
                pacer=HostPacer({}, 0.0),
                state=AsyncStore.inline(store.ingest),
                publisher=publisher,
                formats=FORMATS,
                metrics=IngestorMetrics(registry),
                clock=lambda: dt.datetime(2025, 4, 28, 9, tzinfo=dt.UTC),
            )
            reports = await poll_round(poller, feeds)

    assert [r.outcome for r in reports] == ["refused", "ok"]
    status = read_status(store.ingest.get_cursor("hostile"))
    assert status.last_error is not None
    assert reason in status.last_error
    assert status.consecutive_failures == 1
    polls = registry.get_sample_value(
        "academichub_ingestor_polls_total", {"source": "hostile", "outcome": "refused"}
    )
    assert polls == 1.0
    # The feed listed after the hostile one is polled and published as ever.
    assert len(publisher.on(TopicName.PAPERS)) == 81


async def test_a_redirects_own_body_is_never_read_or_inflated() -> None:
    feed = QUANT_PH_RSS.read_bytes()
    with serve_feeds({}) as server:
        server.routes["/old"] = Route(
            zeros_gzip(256 << 20),
            RSS,
            status=302,
            headers={"Content-Encoding": "gzip", "Location": server.url("/new")},
        )
        server.routes["/new"] = Route(feed, RSS)
        async with httpx.AsyncClient() as client:
            result = await HttpFetcher(client, max_bytes=len(feed)).fetch(server.url("/old"))

    assert (result.status, result.body) == (200, feed)
    assert [path for path, _, _ in server.requests] == ["/old", "/new"]


async def test_redirects_are_followed_a_bounded_number_of_times() -> None:
    with serve_feeds({}) as server:
        server.routes["/loop"] = Route(
            b"", RSS, status=302, headers={"Location": server.url("/loop")}
        )
        async with httpx.AsyncClient() as client:
            with pytest.raises(TransientError, match="more than 3 redirects"):
                await HttpFetcher(client, max_bytes=CAP, max_redirects=3).fetch(server.url("/loop"))

    assert len(server.requests) == 4
