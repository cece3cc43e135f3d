"""One poll of one feed: fetch politely, parse, publish each new (id, version) once.

Order matters for at-least-once without loss: papers are published first and marked
published in the store only after the broker acknowledged them. A crash in between
publishes them again on the next poll; the matcher's store ignores the replay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from academichub.broker.publisher import EventPublisher
from academichub.contracts import Paper, TopicName
from academichub.ingestor.fetch import Fetcher, FetchResult
from academichub.ingestor.formats import FeedError, FeedParse
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.politeness import HostPacer
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
        self._publisher = publisher
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
        for error in parsed.errors:
            log.warning(
                "%s: skipped entry %d (%s): %s",
                feed.name,
                error.index,
                error.entry_id,
                error.reason,
            )
        unique: dict[tuple[str, int | None], Paper] = {p.key: p for p in parsed.papers}
        todo = self._state.unpublished(unique)
        fresh = [p for key, p in unique.items() if key in todo]
        if fresh:
            await self._publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in fresh])
            self._state.mark_published(p.key for p in fresh)
        duplicates = len(parsed.papers) - len(fresh)
        m = self._metrics.entries
        m.labels(source=feed.name, outcome="published").inc(len(fresh))
        m.labels(source=feed.name, outcome="duplicate").inc(duplicates)
        m.labels(source=feed.name, outcome="malformed").inc(len(parsed.errors))
        log.info(
            "%s: %d entries, %d published, %d already published, %d malformed",
            feed.name,
            len(parsed.papers),
            len(fresh),
            duplicates,
            len(parsed.errors),
        )
        return PollReport(
            feed.name, "ok", len(parsed.papers), len(fresh), duplicates, len(parsed.errors)
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
