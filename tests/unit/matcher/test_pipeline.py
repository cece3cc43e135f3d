"""The matcher's pipeline: papers in, matches out, replays change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from academichub.contracts import Paper, Radar, RadarChange
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.radar.parser import QuerySyntaxError
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperWrite

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)


def radar(rid: str, query: str, revision: int = 1) -> Radar:
    return Radar(
        id=rid, owner="u", name=rid, query=query, revision=revision, created_at=NOW, updated_at=NOW
    )


def upsert(r: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=r.id, revision=r.revision, radar=r)


def paper(n: int, title: str, abstract: str = "", version: int = 1) -> Paper:
    return Paper(
        id=f"arxiv:2506.{n:05d}",
        version=version,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=abstract or title,
        categories=("quant-ph",),
        published=dt.date(2026, 6, 12),
    )


@pytest.fixture
def setup() -> tuple[MatchingPipeline, InMemoryStore]:
    store = InMemoryStore()
    registry = RadarRegistry()
    registry.load([radar("qc", '"quantum circuit"'), radar("rl", "reinforcement -survey")])
    return MatchingPipeline(
        papers=store.papers,
        matches=store.matches,
        registry=registry,
        corpus=store.corpus,
        clock=lambda: NOW,
    ), store


def test_matches_are_keyed_by_radar_and_explained(
    setup: tuple[MatchingPipeline, InMemoryStore],
) -> None:
    pipeline, store = setup
    out = pipeline.process(
        [
            paper(1, "Quantum circuit synthesis with reinforcement learning"),
            paper(2, "A survey of reinforcement learning"),
            paper(3, "Protein folding"),
        ]
    )
    assert out.writes == [PaperWrite.NEW] * 3
    got = sorted((m.radar_id, m.paper_id) for m in out.matches)
    assert got == [("qc", "arxiv:2506.00001"), ("rl", "arxiv:2506.00001")]
    qc = next(m for m in out.matches if m.radar_id == "qc")
    assert {(t.field, t.term) for t in qc.terms} >= {("title", "quantum circuit")}
    assert qc.score > 0
    assert store.papers.count_papers() == 3


def test_replay_produces_no_duplicate_match_or_document(
    setup: tuple[MatchingPipeline, InMemoryStore],
) -> None:
    pipeline, store = setup
    batch = [paper(1, "Quantum circuit compilation")]
    first = pipeline.process(batch)
    pipeline.emitted(first.to_emit)
    again = pipeline.process(batch)
    assert again.writes == [PaperWrite.UNCHANGED]
    assert again.to_emit == []
    assert store.papers.count_papers() == 1
    assert len(store.matches.recorded) == 1


def test_unemitted_matches_are_emitted_again_after_a_crash(
    setup: tuple[MatchingPipeline, InMemoryStore],
) -> None:
    pipeline, _ = setup
    batch = [paper(1, "Quantum circuit compilation")]
    first = pipeline.process(batch)  # crash before emitted() is called
    again = pipeline.process(batch)
    assert [m.key for m in again.matches] == [m.key for m in first.matches]


def test_stale_versions_are_not_matched(setup: tuple[MatchingPipeline, InMemoryStore]) -> None:
    pipeline, store = setup
    pipeline.process([paper(1, "Quantum circuit v2", version=2)])
    out = pipeline.process([paper(1, "Quantum circuit v1", version=1)])
    assert out.writes == [PaperWrite.STALE]
    assert out.to_emit == []
    assert store.papers.paper_versions("arxiv:2506.00001") == [1, 2]


def test_registry_applies_only_newer_revisions_and_remembers_deletes() -> None:
    registry = RadarRegistry()
    r1 = radar("a", "quantum", revision=1)
    assert registry.apply(upsert(r1))
    assert not registry.apply(upsert(r1))  # replay
    assert registry.apply(RadarChange(kind="delete", radar_id="a", revision=2))
    assert not registry.apply(upsert(r1))  # an old upsert replayed after the delete
    assert len(registry) == 0
    assert registry.apply(upsert(radar("a", "photon", revision=3)))
    assert registry.radars["a"].query == "photon"


def test_registry_refuses_an_unparsable_query() -> None:
    registry = RadarRegistry()
    with pytest.raises(QuerySyntaxError):
        registry.apply(upsert(radar("a", "quantum AND (")))
    assert registry.load([radar("b", "(unclosed")])[0][0] == "b"


def test_a_new_version_is_not_a_second_match_unless_the_radar_follows_updates() -> None:
    store = InMemoryStore()
    registry = RadarRegistry()
    registry.load([radar("plain", "quantum"), radar("updates", "quantum type:replace")])
    pipeline = MatchingPipeline(
        papers=store.papers,
        matches=store.matches,
        registry=registry,
        corpus=store.corpus,
        clock=lambda: NOW,
    )
    v1 = paper(7, "Quantum walks")
    v2 = Paper.model_validate({**v1.model_dump(), "version": 2, "announce_type": "replace"})
    first = pipeline.process([v1])
    pipeline.emitted(first.to_emit)
    assert [m.radar_id for m in first.matches] == ["plain"]
    second = pipeline.process([v2])
    assert [(m.radar_id, m.version) for m in second.matches] == [("updates", 2)]
    # Replaying v2 changes nothing, for either radar.
    pipeline.emitted(second.to_emit)
    assert pipeline.process([v2]).to_emit == []


def test_a_recorded_but_unemitted_new_version_is_emitted_on_replay() -> None:
    store = InMemoryStore()
    registry = RadarRegistry()
    registry.load([radar("plain", "photon")])
    pipeline = MatchingPipeline(
        papers=store.papers,
        matches=store.matches,
        registry=registry,
        corpus=store.corpus,
        clock=lambda: NOW,
    )
    pipeline.process([paper(8, "Entangled states", version=1)])  # v1 does not match
    v2 = paper(8, "Entangled photon states", version=2)
    first = pipeline.process([v2])  # crash before emitted()
    assert [m.version for m in pipeline.process([v2]).matches] == [m.version for m in first.matches]
    assert first.to_emit


def test_asks_for_updates_reads_the_query() -> None:
    from academichub.matcher.domain.registry import asks_for_updates
    from academichub.radar.parser import parse_query

    assert asks_for_updates(parse_query("quantum (type:replace OR type:new)"))
    assert not asks_for_updates(parse_query("quantum NOT type:replace"))
    assert not asks_for_updates(parse_query("quantum"))


def held_by_store(*radars: Radar) -> tuple[dict[str, int], Callable[[str], Radar | None]]:
    """What ``RadarRegistry.sync`` reads of a store holding ``radars``."""
    by_id = {r.id: r for r in radars}
    return {r.id: r.revision for r in radars}, by_id.get


def test_sync_makes_the_registry_hold_exactly_the_stores_radars() -> None:
    registry = RadarRegistry()
    registry.load([radar("kept", "quantum"), radar("gone", "photonics"), radar("old", "qubit")])
    registry.apply(RadarChange(kind="delete", radar_id="deleted", revision=4))
    report = registry.sync(
        *held_by_store(
            radar("kept", "quantum"),
            radar("old", "qubit OR atoms", revision=2),  # changed while the topic was lost
            radar("new", "entanglement"),  # created while the topic was lost
            radar("deleted", "anything", revision=3),  # older than the delete the topic gave
            radar("broken", "quantum AND ("),
        )
    )
    assert sorted(report.installed) == ["new", "old"]
    assert report.removed == ["gone"]
    assert [radar_id for radar_id, _ in report.problems] == ["broken"]
    assert sorted(registry.radars) == ["kept", "new", "old"]
    assert registry.radars["old"].revision == 2
    doc = PaperDocument.from_paper(paper(1, "Photonics meets entanglement in cold atoms"))
    assert sorted(hit.radar_id for hit in registry.index.match(doc)) == ["new", "old"]
    # An old upsert of the removed radar replayed later does not bring it back.
    assert not registry.apply(upsert(radar("gone", "photonics")))
    # Nothing lost: a second sync changes nothing.
    kept = held_by_store(radar("kept", "quantum"), radar("old", "qubit OR atoms", 2))
    again = registry.sync(*kept)
    assert (again.installed, again.removed) == ([], ["new"])
