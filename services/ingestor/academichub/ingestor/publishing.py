"""Publishing parsed papers once per (id, version), for every way papers come in.

Polls, paged harvests and backfills all end here. The steps, in order:

1. dedup: keys the store has not marked published are *fresh*;
2. enrich (``enrich=True`` and an enricher): fresh journal papers lacking an abstract or
   authors get them from Crossref (:mod:`academichub.ingestor.enrich`);
3. link (with a link store): a fresh journal paper that is the publication of a remembered
   preprint is recorded on the preprint, which is sent again, instead of being published
   as a second paper (:mod:`academichub.ingestor.linking`);
4. publish, and return once the broker acknowledged;
5. remember the preprints just published, by DOI;
6. mark published: the fresh keys, linked journal entries' included, and, in the same
   store write, keep the papers just sent in the sent outbox until the store is seen to
   hold them (a broker that loses the ``papers`` topic loses them; the reconciler of
   :mod:`academichub.ingestor.reconcile` publishes them again after ``check_after``).

A paper the broker refuses for good (:class:`~academichub.broker.publisher.PublishRefused`:
over the event size, or an error the broker answered for it) fails alone: it is logged and
counted (``outcome="refused"``), left unmarked so the next poll offers it again, and every
other paper is published and marked as usual. A broker that cannot be reached fails the
whole call (:class:`~academichub.broker.publisher.BrokerUnavailable`, a TransientError: the
poll is retried later) and nothing is marked. What the parser repaired in the document and
its entries (:class:`~academichub.ingestor.formats.Repair`) is counted here too.

Order matters for at-least-once without loss: papers are marked published only after the
broker acknowledged them. A crash in between publishes them again next time; the matcher's
store ignores the replay. Preprints are remembered before their keys are marked, so a crash
can never leave a published, marked preprint that a later journal entry cannot find.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from academichub.broker.publisher import EventPublisher, PublishRefused, Refusal
from academichub.contracts import Paper, TopicName
from academichub.ingestor.enrich import CrossrefEnricher
from academichub.ingestor.formats import FeedParse, Repair
from academichub.ingestor.formats.crossref_json import WorkRelations
from academichub.ingestor.linking import NO_RELATIONS, LinkPlan, PreprintLinker
from academichub.ingestor.metrics import IngestorMetrics
from academichub.store.door import AsyncStore
from academichub.store.port import IngestStateStore, PreprintLinkStore

log = logging.getLogger(__name__)

# When the store is first checked for a paper just sent (the matcher stores it within
# seconds; a matcher down for a while leaves it on the topic, where it waits safely).
DEFAULT_CHECK_AFTER = dt.timedelta(minutes=5)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PublishCounts:
    entries: int  # papers the document held (every version listed)
    published: int  # (id, version) keys published now as papers of their own
    duplicates: int  # already published before, or repeated within the document
    malformed: int  # entries skipped with a reason
    enriched: int = 0  # fresh journal papers Crossref filled in
    linked: int = 0  # fresh journal entries recorded on their preprint instead
    republished: int = 0  # preprints sent again (same key) with a publication merged
    refused: tuple[Refusal, ...] = ()  # papers the broker refused for good (not marked)
    repairs: tuple[Repair, ...] = ()  # what parsing changed to read and bound the document


class PaperPublisher:
    def __init__(
        self,
        *,
        state: AsyncStore[IngestStateStore],
        publisher: EventPublisher,
        metrics: IngestorMetrics,
        enricher: CrossrefEnricher | None = None,
        links: AsyncStore[PreprintLinkStore] | None = None,
        check_after: dt.timedelta = DEFAULT_CHECK_AFTER,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._state = state
        self._publisher = publisher
        self._metrics = metrics
        self._enricher = enricher
        self._linker = PreprintLinker(links) if links is not None else None
        self._check_after = check_after
        self._clock = clock

    async def publish(
        self,
        source: str,
        parsed: FeedParse,
        *,
        enrich: bool = False,
        relations: Mapping[str, WorkRelations] = NO_RELATIONS,
    ) -> PublishCounts:
        """Publish the fresh papers of ``parsed`` (see the module docstring for the steps).

        ``relations`` are the Crossref preprint relations of the document's works by
        lower-cased DOI (``crossref_relations`` of the same bytes) for a Crossref source;
        relations of the works the enricher fetches are added to them.
        """
        for error in parsed.errors:
            log.warning(
                "%s: skipped entry %d (%s): %s", source, error.index, error.entry_id, error.reason
            )
        unique: dict[tuple[str, int | None], Paper] = {p.key: p for p in parsed.papers}
        todo = await self._state.run(lambda s: s.unpublished(unique))
        fresh_keys = [key for key in unique if key in todo]
        duplicates = len(parsed.papers) - len(fresh_keys)

        enriched = 0
        if enrich and self._enricher is not None and fresh_keys:
            result = await self._enricher.enrich([unique[key] for key in fresh_keys])
            unique.update((p.key, p) for p in result.papers)
            enriched = result.enriched
            relations = {**relations, **result.relations}

        if self._linker is not None:
            plan = await self._linker.plan(list(unique.values()), set(fresh_keys), relations)
        else:
            fresh = tuple(unique[key] for key in fresh_keys)
            plan = LinkPlan(papers=fresh, linked=(), republished=())

        refused: tuple[Refusal, ...] = ()
        sent: list[Paper] = []
        if plan.papers:
            try:
                await self._publisher.publish_many(
                    TopicName.PAPERS, [(p.id, p) for p in plan.papers]
                )
            except PublishRefused as exc:
                refused = exc.refused
            refused_ids = {r.key for r in refused}
            for refusal in refused:
                log.error("%s: %s was not published: %s", source, refusal.key, refusal.reason)
            if self._linker is not None:
                await self._linker.remember([p for p in plan.papers if p.id not in refused_ids])
            if refused_ids:
                # A journal entry recorded on a refused preprint waits with it.
                held = {link.journal_key for link in plan.linked if link.preprint_id in refused_ids}
                fresh_keys = [k for k in fresh_keys if k[0] not in refused_ids and k not in held]
            sent = [p for p in plan.papers if p.id not in refused_ids]
        if fresh_keys or sent:
            check_at = self._clock() + self._check_after
            await self._state.run(lambda s: s.mark_published(fresh_keys, sent, check_at))

        marked = set(fresh_keys)
        linked = sum(1 for link in plan.linked if link.journal_key in marked)
        published = len(fresh_keys) - linked
        m = self._metrics.entries
        m.labels(source=source, outcome="published").inc(published)
        m.labels(source=source, outcome="duplicate").inc(duplicates)
        m.labels(source=source, outcome="malformed").inc(len(parsed.errors))
        m.labels(source=source, outcome="linked").inc(linked)
        m.labels(source=source, outcome="refused").inc(len(refused))
        for repair in parsed.repairs:
            self._metrics.repairs.labels(source=source, field=repair.field, kind=repair.kind).inc(
                repair.count
            )
        if parsed.repairs:
            log.warning("%s: repaired %s", source, describe_repairs(parsed.repairs))
        for link in plan.linked:
            journal_id = link.journal_key[0]
            log.info("%s: %s recorded on preprint %s", source, journal_id, link.preprint_id)
        log.info(
            "%s: %d entries, %d published, %d already published, %d malformed, %d refused, "
            "%d enriched, %d linked to preprints, %d preprints re-sent with a publication",
            source,
            len(parsed.papers),
            published,
            duplicates,
            len(parsed.errors),
            len(refused),
            enriched,
            linked,
            len(plan.republished),
        )
        return PublishCounts(
            len(parsed.papers),
            published,
            duplicates,
            len(parsed.errors),
            enriched=enriched,
            linked=linked,
            republished=len(plan.republished),
            refused=refused,
            repairs=parsed.repairs,
        )


def describe_repairs(repairs: Iterable[Repair]) -> str:
    """``undecodable: document 3, title 2; truncated: abstract 1``: counts by kind and field."""
    totals: dict[str, dict[str, int]] = {}
    for repair in repairs:
        by_field = totals.setdefault(repair.kind, {})
        by_field[repair.field] = by_field.get(repair.field, 0) + repair.count
    return "; ".join(
        f"{kind}: " + ", ".join(f"{field} {count}" for field, count in by_field.items())
        for kind, by_field in totals.items()
    )
