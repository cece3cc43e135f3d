"""A preprint re-sent with its journal publication (PaperWrite.PUBLISHED) is recorded on the
stored paper and makes no new match: radars already had it."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Paper, Radar
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperWrite

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)
JOURNAL_DOI = "10.1103/physrevb.111.144313"


def radar(rid: str, query: str) -> Radar:
    return Radar(id=rid, owner="u", name=rid, query=query, created_at=NOW, updated_at=NOW)


def preprint(doi: str | None = None, journal_ref: str | None = None) -> Paper:
    return Paper(
        id="arxiv:2403.13790",
        version=2,
        source="arxiv",
        announce_type="replace",
        title="Quantum circuit compilation for spin chains",
        abstract="Quantum circuit compilation.",
        categories=("quant-ph",),
        published=dt.date(2025, 4, 28),
        doi=doi,
        journal_ref=journal_ref,
    )


def test_recorded_publication_makes_no_new_match() -> None:
    store = InMemoryStore()
    registry = RadarRegistry()
    registry.load([radar("qc", '"quantum circuit"'), radar("spin", "spin")])
    pipeline = MatchingPipeline(
        papers=store.papers,
        matches=store.matches,
        registry=registry,
        corpus=store.corpus,
        clock=lambda: NOW,
    )
    first = pipeline.process([preprint()])
    pipeline.emitted(first.to_emit)
    assert sorted(m.radar_id for m in first.matches) == ["qc", "spin"]

    published = preprint(JOURNAL_DOI, f"Phys. Rev. B 111, 144313 (2025), doi:{JOURNAL_DOI}")
    again = pipeline.process([published])
    assert again.writes == [PaperWrite.PUBLISHED]
    assert again.to_emit == []
    assert len(store.matches.recorded) == 2
    assert store.papers.get_paper(published.id) == published
    assert store.papers.count_papers() == 1


def test_publication_arriving_before_the_match_was_emitted_emits_it_once() -> None:
    # A crash between recording and emitting the match: the re-sent preprint emits it once.
    store = InMemoryStore()
    registry = RadarRegistry()
    registry.load([radar("qc", '"quantum circuit"')])
    pipeline = MatchingPipeline(
        papers=store.papers,
        matches=store.matches,
        registry=registry,
        corpus=store.corpus,
        clock=lambda: NOW,
    )
    first = pipeline.process([preprint()])
    again = pipeline.process([preprint(JOURNAL_DOI)])
    assert again.writes == [PaperWrite.PUBLISHED]
    assert [m.key for m in again.matches] == [m.key for m in first.matches]
    pipeline.emitted(again.to_emit)
    assert pipeline.process([preprint(JOURNAL_DOI)]).to_emit == []
