"""The real poller against a real HTTP server and the real broker: the recorded
quant-ph feed is published once, keyed by id; polling again publishes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import TopicName
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import HttpFetcher
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig, IngestorSettings
from academichub.store.embedded import EmbeddedStore
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.kafka import read_topic
from tests.support.store_doors import on_its_thread

pytestmark = pytest.mark.integration


async def test_feed_is_published_once_over_real_http(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    publisher = KafkaPublisher(broker.bootstrap_servers, client_id="ingestor-test")
    await publisher.start()
    user_agent = IngestorSettings().user_agent
    try:
        with (
            on_its_thread(lambda: EmbeddedStore(tmp_path, index_writer=False)) as store,
            serve_feeds({"/rss/quant-ph": Route(QUANT_PH_RSS.read_bytes())}) as server,
        ):
            feed = FeedConfig(name="arxiv", format="arxiv-rss", url=server.url("/rss/quant-ph"))
            async with httpx.AsyncClient(headers={"User-Agent": user_agent}) as client:
                poller = Poller(
                    fetcher=HttpFetcher(client, max_bytes=10_000_000),
                    pacer=HostPacer({}, 0.0),
                    state=store.part(lambda s: s.ingest),
                    publisher=publisher,
                    formats=FORMATS,
                    metrics=IngestorMetrics(CollectorRegistry()),
                    # The morning the recording was made: the feed is current, not stale.
                    clock=lambda: dt.datetime(2025, 4, 28, 9, tzinfo=dt.UTC),
                )
                first = await poller.poll(feed)
                second = await poller.poll(feed)  # conditional GET: 304
                server.routes["/rss/quant-ph"] = Route(QUANT_PH_RSS.read_bytes() + b"\n")
                third = await poller.poll(feed)  # changed bytes, same papers
    finally:
        await publisher.stop()

    assert (first.outcome, first.entries, first.published) == ("ok", 81, 81)
    assert second.outcome == "not_modified"
    assert (third.outcome, third.published, third.duplicates) == ("ok", 0, 81)
    assert server.requests[0][2] is not None
    assert "AcademicHub" in server.requests[0][2]
    assert server.requests[1][1] is not None  # If-None-Match sent on the second poll
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=82, within=8)
    assert len(events) == 81
    assert all(key == event.id for key, event in events)  # type: ignore[attr-defined]
    assert len({key for key, _ in events}) == 81
