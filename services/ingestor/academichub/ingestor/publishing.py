"""Publishing parsed papers once per (id, version), for every way papers come in.

Polls, paged harvests and backfills all end here. Order matters for at-least-once without
loss: papers are published first and marked published in the store only after the broker
acknowledged them. A crash in between publishes them again next time; the matcher's store
ignores the replay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from academichub.broker.publisher import EventPublisher
from academichub.contracts import Paper, TopicName
from academichub.ingestor.formats import FeedParse
from academichub.ingestor.metrics import IngestorMetrics
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishCounts:
    entries: int  # papers the document held (every version listed)
    published: int  # (id, version) keys published now
    duplicates: int  # already published before, or repeated within the document
    malformed: int  # entries skipped with a reason


class PaperPublisher:
    def __init__(
        self, *, state: IngestStateStore, publisher: EventPublisher, metrics: IngestorMetrics
    ) -> None:
        self._state = state
        self._publisher = publisher
        self._metrics = metrics

    async def publish(self, source: str, parsed: FeedParse) -> PublishCounts:
        for error in parsed.errors:
            log.warning(
                "%s: skipped entry %d (%s): %s", source, error.index, error.entry_id, error.reason
            )
        unique: dict[tuple[str, int | None], Paper] = {p.key: p for p in parsed.papers}
        todo = self._state.unpublished(unique)
        fresh = [p for key, p in unique.items() if key in todo]
        if fresh:
            await self._publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in fresh])
            self._state.mark_published(p.key for p in fresh)
        duplicates = len(parsed.papers) - len(fresh)
        m = self._metrics.entries
        m.labels(source=source, outcome="published").inc(len(fresh))
        m.labels(source=source, outcome="duplicate").inc(duplicates)
        m.labels(source=source, outcome="malformed").inc(len(parsed.errors))
        log.info(
            "%s: %d entries, %d published, %d already published, %d malformed",
            source,
            len(parsed.papers),
            len(fresh),
            duplicates,
            len(parsed.errors),
        )
        return PublishCounts(len(parsed.papers), len(fresh), duplicates, len(parsed.errors))
