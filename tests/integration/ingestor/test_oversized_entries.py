"""One oversized feed entry over real HTTP and the real Tansu broker: the ingestor truncates
it to the contract's bounds and goes on; an event the broker refuses fails that entry alone.

The reproduction (issue 13): one entry with a 1 MB abstract made a ``papers`` event over the
producer's 1 MiB limit; the size error was not a TransientError, so the ingestor exited,
and exited again at the same entry after every restart; the good entries after it and every
feed listed after it were never polled.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import KafkaPublisher, PublishRefused
from academichub.contracts import Paper, TopicName, encode_event
from academichub.contracts.bounds import MAX_EVENT_BYTES, PAPER_BOUNDS, TRUNCATION_MARKER
from academichub.ingestor.bootstrap import poll_round
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import HttpFetcher
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig
from academichub.source_status import read_status
from academichub.store.door import AsyncStore
from academichub.store.embedded import EmbeddedStore
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.kafka import read_topic
from tests.support.store_doors import on_its_thread

pytestmark = pytest.mark.integration

RSS = "application/rss+xml; charset=utf-8"
BIG_ID = "arxiv:2504.17830"  # the first item of the recorded feed
MORNING = dt.datetime(2025, 4, 28, 9, tzinfo=dt.UTC)  # the recording is current then


def feed_with_a_huge_abstract() -> bytes:
    """The recorded quant-ph feed, its first item's abstract grown to 1 MB."""
    data = QUANT_PH_RSS.read_bytes()
    huge = b"We show that the operator is self-adjoint. " * 25_000  # 1.1 MB
    return re.sub(rb"(Abstract: )", lambda m: m.group(1) + huge, data, count=1)


def other_feed() -> bytes:
    """A second, different feed listed after the first: the same papers, other ids."""
    return re.sub(rb"\b\d{2}(\d{2})\.(\d{4,5})", rb"26\1.\2", QUANT_PH_RSS.read_bytes())


def poller(
    store: AsyncStore[EmbeddedStore], publisher: KafkaPublisher, client: httpx.AsyncClient
) -> Poller:
    return Poller(
        fetcher=HttpFetcher(client, max_bytes=10_000_000),
        pacer=HostPacer({}, 0.0),
        state=store.part(lambda s: s.ingest),
        publisher=publisher,
        formats=FORMATS,
        metrics=IngestorMetrics(CollectorRegistry()),
        clock=lambda: MORNING,
    )


async def test_a_one_megabyte_abstract_is_truncated_and_nothing_after_it_is_lost(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    publisher = KafkaPublisher(broker.bootstrap_servers, client_id="ingestor-test")
    await publisher.start()
    routes = {"/big": Route(feed_with_a_huge_abstract(), RSS), "/next": Route(other_feed(), RSS)}
    try:
        with (
            on_its_thread(lambda: EmbeddedStore(tmp_path, index_writer=False)) as store,
            serve_feeds(routes) as server,
        ):
            feeds = [
                FeedConfig(name="arxiv-big", format="arxiv-rss", url=server.url("/big")),
                FeedConfig(name="arxiv-next", format="arxiv-rss", url=server.url("/next")),
            ]
            async with httpx.AsyncClient() as client:
                reports = await poll_round(poller(store, publisher, client), feeds)
            cursor = await store.run(lambda s: s.ingest.get_cursor("arxiv-big"))
    finally:
        await publisher.stop()

    assert [(r.outcome, r.published) for r in reports] == [("ok", 81), ("ok", 81)]
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=162, within=20)
    assert len(events) == 162
    big = next(e for _, e in events if isinstance(e, Paper) and e.id == BIG_ID)
    assert isinstance(big, Paper)
    assert len(big.abstract) <= PAPER_BOUNDS["abstract"].limit
    assert big.abstract.startswith("We show that the operator is self-adjoint.")
    assert big.abstract.endswith(TRUNCATION_MARKER)
    assert len(encode_event(big)) < MAX_EVENT_BYTES
    notes = read_status(cursor).last_poll_notes
    assert notes is not None
    assert "truncated: abstract 1" in notes


async def test_an_event_the_broker_refuses_fails_that_entry_and_the_rest_goes_on(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    """The refusal path with the real client and broker: a publisher whose event limit is
    below the big paper's size refuses it; every other paper, and the next feed, publish."""
    small = KafkaPublisher(
        broker.bootstrap_servers, client_id="ingestor-test", max_event_bytes=9_000
    )
    await small.start()
    routes = {"/big": Route(feed_with_a_huge_abstract(), RSS), "/next": Route(other_feed(), RSS)}
    try:
        with (
            on_its_thread(lambda: EmbeddedStore(tmp_path, index_writer=False)) as store,
            serve_feeds(routes) as server,
        ):
            feeds = [
                FeedConfig(name="arxiv-big", format="arxiv-rss", url=server.url("/big")),
                FeedConfig(name="arxiv-next", format="arxiv-rss", url=server.url("/next")),
            ]
            async with httpx.AsyncClient() as client:
                polling = poller(store, small, client)
                first = await poll_round(polling, feeds)
                again = await polling.poll(feeds[0])  # the refused entry is offered again
            cursor = await store.run(lambda s: s.ingest.get_cursor("arxiv-big"))
    finally:
        await small.stop()

    assert [(r.outcome, r.published, r.refused) for r in first] == [("ok", 80, 1), ("ok", 81, 0)]
    assert (again.outcome, again.published, again.duplicates, again.refused) == ("ok", 0, 80, 1)
    # Not remembered as seen: the next poll fetched the whole document, not a 304.
    assert [path for path, _, _ in server.requests] == ["/big", "/next", "/big"]
    assert server.requests[2][1] is None
    status = read_status(cursor)
    assert status.last_poll_notes is not None
    assert f"refused by the broker: 1 ({BIG_ID}: the event is" in status.last_poll_notes
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=161, within=20)
    assert len(events) == 161
    assert BIG_ID not in {key for key, _ in events}


async def test_the_clients_own_size_refusal_is_a_refusal_not_a_crash(
    broker: BrokerUnderTest,
) -> None:
    """Past our limit, aiokafka's own check (max_request_size, 1 MiB) refuses the event: it
    is classified as a refusal of that event, and the others of the call are acknowledged."""
    lenient = KafkaPublisher(
        broker.bootstrap_servers, client_id="ingestor-test", max_event_bytes=10_000_000
    )
    await lenient.start()
    ok = Paper(
        id="arxiv:2606.00001", version=1, source="arxiv", title="Fine", abstract="Short.",
        published=dt.date(2026, 6, 1),
    )  # fmt: skip
    huge = ok.model_copy(update={"id": "arxiv:2606.00002", "abstract": "x" * 1_200_000})
    try:
        with pytest.raises(PublishRefused) as refused:
            await lenient.publish_many(TopicName.PAPERS, [(huge.id, huge), (ok.id, ok)])
    finally:
        await lenient.stop()

    assert [r.key for r in refused.value.refused] == ["arxiv:2606.00002"]
    assert "MessageSizeTooLargeError" in refused.value.refused[0].reason
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=1, within=10)
    assert [key for key, _ in events] == ["arxiv:2606.00001"]
