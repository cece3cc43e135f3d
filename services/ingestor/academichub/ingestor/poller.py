"""One poll of one feed: fetch politely, parse, publish each new (id, version) once
(see :mod:`academichub.ingestor.publishing` for the order that makes that safe)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from academichub.broker.publisher import EventPublisher
from academichub.ingestor.fetch import Fetcher, FetchResult
from academichub.ingestor.formats import FeedError, FeedParse
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.politeness import HostPacer
from academichub.ingestor.publishing import PaperPublisher
from academichub.ingestor.settings import FeedConfig
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollReport:
    feed: str
    outcome: str  # ok | not_modified | feed_error | http_error
    entries: int = 0
    published: int = 0
    duplicates: int = 0
    malformed: int = 0
    message: str | None = None


class Poller:
    def __init__(
        self,
        *,
        fetcher: Fetcher,
        pacer: HostPacer,
        state: IngestStateStore,
        publisher: EventPublisher,
        formats: Mapping[str, Callable[[bytes], FeedParse]],
        metrics: IngestorMetrics,
    ) -> None:
        self._fetcher = fetcher
        self._pacer = pacer
        self._state = state
        self._papers = PaperPublisher(state=state, publisher=publisher, metrics=metrics)
        self._formats = formats
        self._metrics = metrics

    async def poll(self, feed: FeedConfig) -> PollReport:
        parse = self._formats.get(feed.format)
        if parse is None:
            known = ", ".join(sorted(self._formats))
            raise ValueError(f"feed {feed.name}: unknown format {feed.format!r} (known: {known})")
        cursor = self._state.get_cursor(feed.name) or {}
        etag = cursor.get("etag") if cursor.get("url") == feed.url else None
        async with self._pacer.slot(feed.url):
            result = await self._fetcher.fetch(feed.url, etag=etag)
        if result.not_modified:
            self._metrics.polls.labels(source=feed.name, outcome="not_modified").inc()
            return PollReport(feed.name, "not_modified")
        try:
            parsed = parse(result.body)
        except FeedError as exc:
            return self._failed(feed, "feed_error", f"HTTP {result.status}: {exc}")
        if parsed.feed.is_error:
            return self._failed(
                feed, "feed_error", f"HTTP {result.status}: {parsed.feed.error_message}"
            )
        if result.status >= 400:
            return self._failed(feed, "http_error", f"HTTP {result.status}")
        report = await self._publish(feed, parsed)
        self._state.set_cursor(feed.name, _cursor(feed, result, parsed))
        self._metrics.polls.labels(source=feed.name, outcome="ok").inc()
        self._metrics.last_success.labels(source=feed.name).set(time.time())
        self._metrics.last_poll_items.labels(source=feed.name).set(report.entries)
        return report

    async def _publish(self, feed: FeedConfig, parsed: FeedParse) -> PollReport:
        counts = await self._papers.publish(feed.name, parsed)
        return PollReport(
            feed.name, "ok", counts.entries, counts.published, counts.duplicates, counts.malformed
        )

    def _failed(self, feed: FeedConfig, outcome: str, message: str) -> PollReport:
        log.error("%s: %s", feed.name, message)
        self._metrics.polls.labels(source=feed.name, outcome=outcome).inc()
        return PollReport(feed.name, outcome, message=message)


def _cursor(feed: FeedConfig, result: FetchResult, parsed: FeedParse) -> dict[str, str]:
    cursor = {"url": feed.url}
    # A document with skipped entries (a cut-off body, say) is not remembered as seen: with
    # its ETag stored, the next poll would get a 304 and the skipped entries never arrive.
    if parsed.errors:
        return cursor | _announce_date(parsed)
    if result.etag:
        cursor["etag"] = result.etag
    if result.last_modified:
        cursor["last_modified"] = result.last_modified
    return cursor | _announce_date(parsed)


def _announce_date(parsed: FeedParse) -> dict[str, str]:
    date = parsed.feed.announce_date
    return {"announce_date": date.isoformat()} if date else {}
