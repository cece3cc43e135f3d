"""The matcher's embedding role: papers embedded once, semantic radars matched and
explained, radars learning from 👍/👎, seeds that arrive later, described interests,
thresholds, and an embedding endpoint that is away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Match, Paper, PaperMatches, Radar, RadarChange, TopicName
from academichub.embedding.fake import FakeEmbedder
from academichub.embedding.port import EmbeddingUnavailable
from academichub.embedding.text import paper_text
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.domain.semantic import SemanticPipeline, SemanticRadars
from academichub.matcher.handlers import Embedding, EmbedHandler, EmbedRadarHandler, install
from academichub.matcher.metrics import MatcherMetrics
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperVector

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 6, 12)

TITLES = {
    1: "Bosonic cat qubits protect quantum information",
    2: "Cat qubits and bosonic codes for fault tolerant quantum memories",
    3: "Protein folding with deep networks",
    4: "Bosonic cat codes stabilised by two photon dissipation",
    5: "Deep networks predict protein structures",
    6: "Dissipation engineering of bosonic cat states",
}


def paper(n: int, version: int = 1, title: str | None = None) -> Paper:
    text = title or TITLES[n]
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=version,
        source="arxiv",
        announce_type="new",
        title=text,
        abstract=text,
        categories=("quant-ph",),
        published=DAY,
    )


def radar(radar_id: str = "r1", revision: int = 1, **fields: Any) -> Radar:
    base: dict[str, Any] = {
        "id": radar_id,
        "owner": "u",
        "name": radar_id,
        "query": "",
        "revision": revision,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Radar.model_validate({**base, **fields})


def upsert(r: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=r.id, revision=r.revision, radar=r)


class Rig:
    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()
        self.embedder = FakeEmbedder(dimension=64)
        self.metrics = MatcherMetrics(CollectorRegistry())
        self.pauses: list[float] = []
        self.embedding = Embedding(self.embedder, self.metrics, attempts=3, pause=self._pause)
        self.radars = SemanticRadars(self.embedder.model)
        self.pipeline = AsyncStore.inline(
            SemanticPipeline(
                model=self.embedder.model,
                vectors=self.store.vectors,
                matches=self.store.matches,
                radars=self.radars,
                clock=lambda: NOW,
            )
        )
        self.publisher = RecordingPublisher()
        self.papers = EmbedHandler(self.pipeline, self.embedding, self.publisher, self.metrics)
        self.changes = EmbedRadarHandler(self.pipeline, self.embedding, self.metrics)

    async def _pause(self, seconds: float) -> None:
        self.pauses.append(seconds)

    def matches(self) -> list[Match]:
        return [
            m
            for event in self.publisher.on(TopicName.MATCHES)
            if isinstance(event, PaperMatches)
            for m in event.each()
        ]

    async def seed_papers(self, *numbers: int) -> None:
        await self.papers([paper(n) for n in numbers])


async def test_papers_are_embedded_once_and_replays_embed_nothing() -> None:
    rig = Rig()
    await rig.papers([paper(1), paper(2), paper(1)])
    assert rig.embedder.texts_embedded == 2
    await rig.papers([paper(1), paper(2)])  # a replay
    assert rig.embedder.texts_embedded == 2
    await rig.papers([paper(1, version=2, title="A new version")])
    assert rig.embedder.texts_embedded == 3
    stored = rig.store.vectors.paper_vectors(rig.embedder.model, ["arxiv:2606.00001"])
    assert stored["arxiv:2606.00001"].version == 2
    expected = rig.embedder.embed([paper_text(paper(1, 2, "A new version"))])[0]
    assert np.allclose(stored["arxiv:2606.00001"].vector, expected)


async def test_a_seed_radar_matches_by_meaning_explained_by_its_nearest_seed() -> None:
    rig = Rig()
    await rig.seed_papers(1, 3)
    await rig.changes([upsert(radar(seeds=["arxiv:2606.00001"], per_day=1, threshold=0.3))])
    await rig.papers([paper(2), paper(4), paper(5), paper(6)])
    found = {m.paper_id: m for m in rig.matches()}
    assert set(found) == {"arxiv:2606.00002", "arxiv:2606.00006"}
    match = found["arxiv:2606.00006"]
    assert match.score_kind == "similarity"
    assert match.nearest[0].paper_id == "arxiv:2606.00001"
    assert match.nearest[0].similarity == pytest.approx(match.score, abs=1e-3)
    assert match.terms == ()
    # A replay of the papers emits nothing again; the seed never matches its own radar.
    before = len(rig.matches())
    await rig.papers([paper(1), paper(2), paper(4), paper(5), paper(6)])
    assert len(rig.matches()) == before


async def test_a_query_narrows_a_semantic_radar() -> None:
    rig = Rig()
    await rig.seed_papers(1)
    await rig.changes(
        [upsert(radar(query="dissipation", seeds=["arxiv:2606.00001"], per_day=1, threshold=0.1))]
    )
    await rig.papers([paper(2), paper(4), paper(6)])
    found = {m.paper_id: m for m in rig.matches()}
    assert set(found) == {"arxiv:2606.00004", "arxiv:2606.00006"}
    assert {t.term for t in found["arxiv:2606.00004"].terms} == {"dissipation"}


async def test_a_stale_version_is_not_matched() -> None:
    rig = Rig()
    await rig.seed_papers(1)
    await rig.changes([upsert(radar(seeds=["arxiv:2606.00001"], per_day=1, threshold=0.1))])
    await rig.papers([paper(2, version=2)])
    await rig.papers([paper(2, version=1)])
    assert [(m.paper_id, m.version) for m in rig.matches()] == [("arxiv:2606.00002", 2)]


async def test_a_seed_embedded_later_completes_the_radar() -> None:
    rig = Rig()
    await rig.changes([upsert(radar(seeds=["arxiv:2606.00001"], per_day=1, threshold=0.3))])
    assert rig.radars.scored == 0  # the seed has no vector yet
    await rig.papers([paper(1)])
    assert rig.radars.scored == 1
    await rig.papers([paper(2), paper(5)])
    # The seed itself, in the batch that brought its vector, is not its radar's match.
    assert [m.paper_id for m in rig.matches()] == ["arxiv:2606.00002"]


async def test_a_described_interest_is_embedded_once() -> None:
    store = InMemoryStore()
    rig = Rig(store)
    interest = "bosonic cat qubits"
    await rig.changes([upsert(radar(interest=interest, per_day=1, threshold=0.3))])
    assert rig.embedder.batches == [(interest,)]
    await rig.papers([paper(2), paper(5)])
    assert [m.paper_id for m in rig.matches()] == ["arxiv:2606.00002"]
    # A restarted role finds the interest's vector in the store.
    again = Rig(store)
    held, _ = again.radars.load(store.radars.list_radars() or [radar(interest=interest, per_day=1)])
    await install(again.pipeline, again.embedding, held, again.metrics)
    assert again.embedder.batches == []
    assert again.radars.scored == 1


async def test_a_keyword_radar_learns_from_its_second_rating() -> None:
    rig = Rig()
    keyword = RadarRegistry()
    await rig.seed_papers(1, 3)
    plain = radar(query="qubits OR networks", revision=1)
    for registry in (keyword, rig.radars.registry):
        registry.load([plain])
    assert "r1" in keyword.radars
    assert "r1" not in rig.radars.registry.radars
    rated = radar(
        query="qubits OR networks",
        revision=2,
        liked=["arxiv:2606.00001"],
        disliked=["arxiv:2606.00003"],
    )
    assert keyword.apply(upsert(rated))
    assert "r1" not in keyword.radars  # the keyword role lets it go ...
    await rig.changes([upsert(rated)])  # ... as the embedding role takes it
    await rig.papers([paper(2), paper(5), paper(4)])
    found = {m.paper_id: m for m in rig.matches()}
    # Its query decides (paper 4 has neither word); its model orders.
    assert set(found) == {"arxiv:2606.00002", "arxiv:2606.00005"}
    assert {m.score_kind for m in found.values()} == {"learned"}
    assert found["arxiv:2606.00002"].score > 0.5 > found["arxiv:2606.00005"].score
    assert found["arxiv:2606.00002"].nearest[0].paper_id == "arxiv:2606.00001"


async def test_thresholds_refresh_from_about_n_a_day() -> None:
    rig = Rig()
    await rig.seed_papers(1, 2, 3, 4, 5, 6)
    await rig.changes([upsert(radar(seeds=["arxiv:2606.00001"], per_day=2, threshold=-1.0))])
    assert rig.radars.refresh_thresholds(rig.store.vectors, DAY) == 1
    window = rig.store.vectors.window(rig.embedder.model, DAY, DAY)
    scores = rig.radars.open_bank.scores_of(["r1"], window.vectors)[0]
    hits = rig.radars.open_bank.match(window.vectors)
    assert len(hits) == 2  # about two a day, on the one day of the window
    assert {window.paper_ids[i] for i in hits.paper_index} == {
        window.paper_ids[i] for i in np.argsort(-scores)[:2]
    }


async def test_an_unavailable_endpoint_is_tried_again_then_the_failure_ends_the_batch() -> None:
    rig = Rig()
    rig.embedder.failures = [EmbeddingUnavailable("503"), EmbeddingUnavailable("503")]
    await rig.papers([paper(1)])
    assert rig.pauses == [2.0, 4.0]
    assert rig.embedder.texts_embedded == 3  # two failed tries, then the batch
    rig.embedder.failures = [EmbeddingUnavailable("503")] * 3
    with pytest.raises(EmbeddingUnavailable):
        await rig.papers([paper(2)])
    assert rig.store.vectors.count_vectors(rig.embedder.model) == 1


async def test_deleting_a_radar_takes_it_out_of_the_banks() -> None:
    rig = Rig()
    await rig.seed_papers(1)
    await rig.changes([upsert(radar(seeds=["arxiv:2606.00001"], per_day=1, threshold=0.1))])
    assert rig.radars.scored == 1
    await rig.changes([RadarChange(kind="delete", radar_id="r1", revision=2)])
    assert rig.radars.scored == 0
    await rig.papers([paper(2)])
    assert rig.matches() == []


def test_vectors_of_another_model_are_never_used() -> None:
    rig = Rig()
    other = FakeEmbedder(dimension=64, name="another-model")
    rig.store.vectors.put_vectors(other.model, [PaperVector.of(paper(1), other.embed(["x"])[0])])
    assert rig.pipeline.call(lambda p: p.to_embed([paper(1)])) == [paper(1)]
