"""What the matcher's two consumer loops do with their batches."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, PaperMatches, Radar, RadarChange, TopicName
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.handlers import PaperHandler, RadarHandler
from academichub.matcher.metrics import MatcherMetrics
from academichub.platform.errors import PoisonEvent
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)


def radar(rid: str, query: str, revision: int = 1) -> Radar:
    return Radar(
        id=rid, owner="u", name=rid, query=query, revision=revision, created_at=NOW, updated_at=NOW
    )


def upsert(r: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=r.id, revision=r.revision, radar=r)


def paper(n: int, title: str) -> Paper:
    return Paper(
        id=f"arxiv:2506.{n:05d}",
        version=1,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=title,
        categories=("quant-ph",),
        published=dt.date(2026, 6, 12),
    )


class Rig:
    def __init__(self) -> None:
        self.store = InMemoryStore()
        self.registry = RadarRegistry()
        self.pipeline = AsyncStore.inline(
            MatchingPipeline(
                papers=self.store.papers,
                matches=self.store.matches,
                registry=self.registry,
                corpus=self.store.corpus,
                clock=lambda: NOW,
            )
        )
        self.publisher = RecordingPublisher()
        self.metrics = MatcherMetrics(CollectorRegistry())

    def sample(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


async def test_radar_changes_are_applied_and_counted() -> None:
    rig = Rig()
    handle = RadarHandler(rig.pipeline, rig.metrics)
    qc = radar("qc", '"quantum circuit"')
    await handle([upsert(qc), upsert(qc)])  # the replay changes nothing
    assert set(rig.registry.radars) == {"qc"}
    assert rig.sample("academichub_matcher_radar_changes_total", kind="upsert") == 1
    assert rig.sample("academichub_matcher_radars") == 1


def test_a_radar_whose_query_does_not_parse_is_poison() -> None:
    with pytest.raises(PoisonEvent, match=r"radar bad has a query that does not parse"):
        RadarHandler.check(upsert(radar("bad", "quantum AND")))
    RadarHandler.check(upsert(radar("good", "quantum")))  # no complaint
    RadarHandler.check(RadarChange(kind="delete", radar_id="gone", revision=2))


async def test_papers_are_matched_published_then_marked_emitted() -> None:
    rig = Rig()
    await RadarHandler(rig.pipeline, rig.metrics)([upsert(radar("qc", '"quantum circuit"'))])
    handle = PaperHandler(rig.pipeline, rig.publisher, rig.metrics)
    batch = [paper(1, "Quantum circuit synthesis"), paper(2, "Protein folding")]
    await handle(batch)
    sent = rig.publisher.on(TopicName.MATCHES)
    assert [
        (m.radar_id, m.paper_id)
        for event in sent
        if isinstance(event, PaperMatches)
        for m in event.each()
    ] == [("qc", "arxiv:2506.00001")]
    assert rig.store.matches.emitted == {("qc", "arxiv:2506.00001", 1)}
    assert rig.sample("academichub_matcher_matches_total") == 1
    assert rig.sample("academichub_matcher_papers_total", outcome="new") == 2

    await handle(batch)  # a replay: stored, nothing emitted again
    assert len(rig.publisher.on(TopicName.MATCHES)) == 1


async def test_a_publish_that_fails_leaves_the_matches_unemitted() -> None:
    rig = Rig()
    await RadarHandler(rig.pipeline, rig.metrics)([upsert(radar("qc", '"quantum circuit"'))])
    rig.publisher.fail_with = ConnectionError("broker gone")
    with pytest.raises(ConnectionError):
        await PaperHandler(rig.pipeline, rig.publisher, rig.metrics)(
            [paper(1, "Quantum circuit synthesis")]
        )
    assert rig.store.matches.emitted == set()  # emitted again when the batch is consumed again
