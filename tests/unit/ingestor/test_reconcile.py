"""The sent outbox: what the ingestor published is kept until the store holds it; what the
broker lost is published again, checked later each time, and the outbox stays bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import BrokerUnavailable, RecordingPublisher
from academichub.contracts import Paper, TopicName
from academichub.contracts.examples import PAPER
from academichub.ingestor.formats import FeedInfo, FeedParse
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.publishing import PaperPublisher
from academichub.ingestor.reconcile import SentReconciler
from academichub.platform.errors import TransientError
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

T0 = dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(minutes=5)


def parsed(*papers: Paper) -> FeedParse:
    return FeedParse(papers, (), FeedInfo("feed", None, False, None, ()))


def paper(n: int, version: int = 1) -> Paper:
    return Paper.model_validate({**PAPER, "id": f"arxiv:2606.{n:05d}", "version": version})


@dataclass
class Clock:
    now: dt.datetime = T0

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Rig:
    store: InMemoryStore = field(default_factory=InMemoryStore)
    sent: RecordingPublisher = field(default_factory=RecordingPublisher)
    metrics: IngestorMetrics = field(default_factory=lambda: IngestorMetrics(CollectorRegistry()))
    clock: Clock = field(default_factory=Clock)

    def publishing(self) -> PaperPublisher:
        return PaperPublisher(
            state=AsyncStore.inline(self.store.ingest),
            publisher=self.sent,
            metrics=self.metrics,
            check_after=GRACE,
            clock=self.clock,
        )

    def reconciler(self, keep: int = 1000) -> SentReconciler:
        return SentReconciler(
            state=AsyncStore.inline(self.store.ingest),
            papers=AsyncStore.inline(self.store.papers),
            publisher=self.sent,
            metrics=self.metrics,
            check_after=GRACE,
            retry_max=dt.timedelta(minutes=30),
            keep=keep,
            clock=self.clock,
        )

    def papers_sent(self) -> list[str]:
        return [p.id for p in self.sent.on(TopicName.PAPERS) if isinstance(p, Paper)]

    def metric(self, name: str) -> float:
        return self.metrics.registry.get_sample_value(f"academichub_ingestor_{name}") or 0.0


@pytest.fixture
def rig() -> Rig:
    return Rig()


async def test_papers_published_are_kept_until_the_store_holds_them(rig: Rig) -> None:
    await rig.publishing().publish("feed", parsed(paper(1), paper(2)))
    assert rig.store.ingest.count_sent() == 2
    reconcile = rig.reconciler()
    assert (await reconcile.reconcile_once()).due == 0  # not due yet: the matcher is at it
    rig.store.papers.upsert_papers([paper(1), paper(2)])  # the matcher stored both
    rig.clock.now += GRACE
    report = await reconcile.reconcile_once()
    assert (report.due, report.stored, report.republished) == (2, 2, 0)
    assert rig.store.ingest.count_sent() == 0
    assert rig.papers_sent() == [paper(1).id, paper(2).id]  # nothing sent again


async def test_what_the_broker_lost_is_published_again_and_checked_later_each_time(
    rig: Rig,
) -> None:
    await rig.publishing().publish("feed", parsed(paper(1), paper(2)))
    rig.store.papers.upsert_papers([paper(1)])  # paper 2 was lost with the topic
    reconcile = rig.reconciler()
    rig.clock.now += GRACE
    report = await reconcile.reconcile_once()
    assert (report.stored, report.republished) == (1, 1)
    assert rig.papers_sent() == [paper(1).id, paper(2).id, paper(2).id]
    assert rig.metric("republished_papers_total") == 1
    assert rig.metric("unstored_papers") == 1
    assert rig.metric("sent_papers") == 1
    # Lost again (the matcher is down): the next check waits twice as long.
    rig.clock.now += GRACE
    assert (await reconcile.reconcile_once()).republished == 1
    rig.clock.now += GRACE
    assert (await reconcile.reconcile_once()).due == 0
    rig.clock.now += GRACE
    assert (await reconcile.reconcile_once()).republished == 1
    rig.store.papers.upsert_papers([paper(2)])
    rig.clock.now += 4 * GRACE
    assert (await reconcile.reconcile_once()).stored == 1
    assert rig.metric("unstored_papers") == 0
    assert rig.store.ingest.count_sent() == 0


async def test_a_broker_that_is_away_leaves_the_outbox_as_it_was(rig: Rig) -> None:
    await rig.publishing().publish("feed", parsed(paper(1)))
    rig.sent.fail_with = BrokerUnavailable("papers: the broker is unavailable")
    rig.clock.now += GRACE
    with pytest.raises(TransientError):
        await rig.reconciler().reconcile_once()
    assert [s.attempts for s in rig.store.ingest.sent_papers_due(rig.clock.now)] == [0]
    rig.sent.fail_with = None
    assert (await rig.reconciler().reconcile_once()).republished == 1


async def test_a_paper_refused_for_good_is_forgotten(rig: Rig) -> None:
    await rig.publishing().publish("feed", parsed(paper(1), paper(2)))
    rig.sent.refuse[paper(2).id] = "over the limit"
    rig.clock.now += GRACE
    report = await rig.reconciler().reconcile_once()
    assert (report.republished, report.refused) == (1, 1)
    assert [s.paper.id for s in rig.store.ingest.sent_papers_due(rig.clock.now + GRACE)] == [
        paper(1).id
    ]


async def test_the_outbox_is_kept_within_its_bound(rig: Rig) -> None:
    await rig.publishing().publish("feed", parsed(*(paper(n) for n in range(5))))
    report = await rig.reconciler(keep=3).reconcile_once()
    assert report.evicted == 2
    assert rig.store.ingest.count_sent() == 3
    assert rig.metric("sent_evicted_total") == 2
