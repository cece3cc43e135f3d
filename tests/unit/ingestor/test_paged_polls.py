"""Polls of paged sources: a window from the cursor, read to the end, the cursor moved on."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import FakeFetcher, FetchResult
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig, IngestorSettings, default_feeds
from academichub.source_defaults import DEFAULT_JOURNALS
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.support.paged import biorxiv_pages, oai_pages

NOW = dt.datetime(2026, 7, 18, 12, tzinfo=dt.UTC)
BASE = "https://api.biorxiv.org/details/biorxiv"
FEED = FeedConfig(name="biorxiv", format="biorxiv-json", url=BASE, lookback_days=3)


def make(fetcher: FakeFetcher, store: InMemoryStore) -> tuple[Poller, RecordingPublisher]:
    publisher = RecordingPublisher()
    poller = Poller(
        fetcher=fetcher,
        pacer=HostPacer({}, 0.0),
        state=AsyncStore.inline(store.ingest),
        publisher=publisher,
        formats=FORMATS,
        metrics=IngestorMetrics(CollectorRegistry()),
        clock=lambda: NOW,
    )
    return poller, publisher


async def test_a_biorxiv_poll_reads_the_window_page_by_page_and_moves_the_window() -> None:
    first, second = biorxiv_pages([2, 1])
    fetcher = FakeFetcher(
        {
            f"{BASE}/2026-07-15/2026-07-18/0/json": FetchResult(200, first),
            f"{BASE}/2026-07-15/2026-07-18/2/json": FetchResult(200, second),
        }
    )
    store = InMemoryStore()
    poller, publisher = make(fetcher, store)
    report = await poller.poll(FEED)
    assert (report.outcome, report.entries, report.published) == ("ok", 3, 3)
    assert len(publisher.sent) == 3
    cursor = store.ingest.get_cursor("biorxiv") or {}
    assert cursor["window_from"] == "2026-07-18"  # the next poll reads from today again
    assert cursor["last_items"] == "3"

    (again_page,) = biorxiv_pages([1])  # one record already published
    fetcher.responses[f"{BASE}/2026-07-18/2026-07-18/0/json"] = FetchResult(200, again_page)
    again = await poller.poll(FEED)
    assert (again.outcome, again.published, again.duplicates) == ("ok", 0, 1)

    # Later the same day the same window is read again: records keep arriving in it.
    fetcher.requests.clear()
    later = await poller.poll(FEED)
    assert [url for url, _ in fetcher.requests] == [f"{BASE}/2026-07-18/2026-07-18/0/json"]
    assert later.outcome == "ok"


async def test_an_oai_poll_starts_from_the_last_response_date() -> None:
    only = oai_pages([5])[0]
    url = "https://oaipmh.arxiv.org/oai"
    feed = FeedConfig(name="oai", format="arxiv-oai", url=f"{url}?set=cs:cs:AI")
    first = f"{url}?verb=ListRecords&metadataPrefix=arXivRaw&set=cs:cs:AI&from=2026-07-16"
    fetcher = FakeFetcher({first: FetchResult(200, only)})
    store = InMemoryStore()
    poller, _ = make(fetcher, store)
    report = await poller.poll(feed)
    assert report.published == 5
    # The recorded page was made on 2014-01-16: that is where the next harvest starts.
    assert (store.ingest.get_cursor("oai") or {})["oai_from"] == "2014-01-16"


def test_the_default_sources_are_arxiv_both_preprint_servers_and_the_major_journals() -> None:
    feeds = {f.name: f for f in default_feeds()}
    assert feeds["arxiv"].format == "arxiv-rss"
    assert feeds["medrxiv"].url == "https://api.biorxiv.org/details/medrxiv"
    assert feeds["biorxiv"].format == "biorxiv-json"
    journals = {name for name in feeds if name.startswith("journal:")}
    assert journals == {f"journal:{slug}" for slug, _ in DEFAULT_JOURNALS}
    assert {"journal:nature", "journal:science", "journal:cell", "journal:prl"} <= journals
    assert all(feeds[j].enrich and feeds[j].format == "rss" for j in journals)
    assert all(feeds[j].every_seconds for j in journals)  # their own, slower schedule


def test_sources_are_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "INGESTOR_FEEDS",
        '[{"name": "journal:plos-one", "format": "rss", "journal": "plos-one",'
        ' "url": "https://journals.plos.org/plosone/feed/atom", "every_seconds": 7200}]',
    )
    (feed,) = IngestorSettings().feeds
    assert (feed.journal, feed.every_seconds, feed.enabled) == ("plos-one", 7200.0, True)
