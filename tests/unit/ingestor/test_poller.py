"""The poller publishes each (id, version) once, keyed by id, and reports bad feeds."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, TopicName
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import FakeFetcher, FetchResult
from academichub.ingestor.formats import EntryError, FeedError, FeedInfo, FeedParse
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

URL = "https://rss.arxiv.org/rss/quant-ph"
FEED = FeedConfig(name="arxiv", format="test", url=URL)


def paper(n: int, version: int = 1) -> Paper:
    return Paper(
        id=f"arxiv:2504.{n:05d}",
        version=version,
        source="arxiv",
        announce_type="new" if version == 1 else "replace",
        title=f"Paper {n}",
        abstract="An abstract.",
        published=dt.date(2025, 4, 28),
    )


def fake_format(body: bytes) -> FeedParse:
    """A stand-in parser: the body lists 'n:v' pairs, 'bad' is a malformed entry."""
    if body == b"<html>":
        raise FeedError("not an RSS/Atom feed")
    if body == b"ERROR":
        return FeedParse((), (), FeedInfo("Feed error", None, True, "bad archive", ()))
    papers, errors = [], []
    for i, item in enumerate(body.decode().split()):
        if item == "bad":
            errors.append(EntryError(i, None, "no guid"))
            continue
        n, v = item.split(":")
        papers.append(paper(int(n), int(v)))
    return FeedParse(
        tuple(papers), tuple(errors), FeedInfo("t", dt.date(2025, 4, 28), False, None, ())
    )


def make(
    responses: dict[str, FetchResult | Exception],
) -> tuple[Poller, RecordingPublisher, InMemoryStore, FakeFetcher]:
    fetcher = FakeFetcher(responses)
    publisher = RecordingPublisher()
    store = InMemoryStore()
    poller = Poller(
        fetcher=fetcher,
        pacer=HostPacer({}, 0.0),
        state=AsyncStore.inline(store.ingest),
        publisher=publisher,
        formats={"test": fake_format},
        metrics=IngestorMetrics(CollectorRegistry()),
    )
    return poller, publisher, store, fetcher


async def test_publishes_each_id_version_once_keyed_by_id() -> None:
    poller, publisher, _, _ = make({URL: FetchResult(200, b"1:1 2:1 2:1 bad 3:2")})
    report = await poller.poll(FEED)
    assert (report.entries, report.published, report.duplicates, report.malformed) == (4, 3, 1, 1)
    sent = publisher.sent
    assert [(t, k) for t, k, _ in sent] == [
        (TopicName.PAPERS, "arxiv:2504.00001"),
        (TopicName.PAPERS, "arxiv:2504.00002"),
        (TopicName.PAPERS, "arxiv:2504.00003"),
    ]


async def test_a_replayed_feed_publishes_nothing_and_a_new_version_is_published() -> None:
    poller, publisher, _, fetcher = make({URL: FetchResult(200, b"1:1 2:1")})
    await poller.poll(FEED)
    await poller.poll(FEED)
    assert len(publisher.sent) == 2
    fetcher.responses[URL] = FetchResult(200, b"1:1 2:1 2:2")
    report = await poller.poll(FEED)
    assert report.published == 1
    assert publisher.sent[-1][2] == paper(2, 2)


async def test_conditional_get_uses_the_stored_etag() -> None:
    poller, _publisher, store, fetcher = make({URL: FetchResult(200, b"1:1", etag='"abc"')})
    await poller.poll(FEED)
    report = await poller.poll(FEED)
    assert report.outcome == "not_modified"
    assert fetcher.requests == [(URL, None), (URL, '"abc"')]
    cursor = store.ingest.get_cursor("arxiv") or {}
    assert {k: cursor[k] for k in ("url", "etag", "announce_date")} == {
        "url": URL,
        "etag": '"abc"',
        "announce_date": "2025-04-28",
    }


async def test_nothing_is_marked_published_when_publishing_fails() -> None:
    poller, publisher, store, _ = make({URL: FetchResult(200, b"1:1")})
    publisher.fail_with = ConnectionError("broker down")
    with pytest.raises(ConnectionError):
        await poller.poll(FEED)
    assert store.ingest.unpublished([("arxiv:2504.00001", 1)]) == {("arxiv:2504.00001", 1)}
    assert store.ingest.get_cursor("arxiv") is None


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (FetchResult(200, b"<html>"), "not an RSS/Atom feed"),
        (FetchResult(400, b"ERROR"), "HTTP 400: bad archive"),
        (FetchResult(503, b""), "HTTP 503"),
    ],
)
async def test_bad_feeds_are_reported_not_published(result: FetchResult, message: str) -> None:
    poller, publisher, _, _ = make({URL: result})
    report = await poller.poll(FEED)
    assert report.outcome in ("feed_error", "http_error")
    assert message in (report.message or "")
    assert publisher.sent == []


async def test_a_feed_with_skipped_entries_is_fetched_whole_again() -> None:
    poller, _publisher, store, fetcher = make({URL: FetchResult(200, b"1:1 bad", etag='"cut"')})
    await poller.poll(FEED)
    fetcher.responses[URL] = FetchResult(200, b"1:1 2:1", etag='"whole"')
    report = await poller.poll(FEED)
    assert fetcher.requests[1] == (URL, None)  # no If-None-Match for the damaged copy
    assert report.published == 1
    cursor = store.ingest.get_cursor("arxiv") or {}
    assert {k: cursor.get(k) for k in ("url", "etag", "announce_date")} == {
        "url": URL,
        "etag": '"whole"',
        "announce_date": "2025-04-28",
    }
