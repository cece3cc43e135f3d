"""The embedding role's work: papers' vectors in, semantic matches out, through three store
parts (vectors, matches; radars when loading).

:class:`SemanticRadars` holds the radars this role matches (a
:class:`~academichub.matcher.domain.registry.RadarRegistry` of those
:func:`~academichub.semantic.radars.decided_by_meaning`) and their profiles, in two
:class:`~academichub.semantic.bank.RadarBank`\\ s:

* radars without a query are scored against every paper, one matrix product per batch;
* radars with a query are scored only against the papers their query lets through (the
  registry's inverted index finds those), a dot product per pair.

A profile is built from the stored vectors of the radar's papers (seeds, 👍, 👎) and of
its described interest; a paper without a vector yet is left out and the radar is
rebuilt when the vector arrives (``waiting``). Thresholds are the radars' own (chosen
when they were saved) and refreshed daily over the last 30 days for radars without a
query (:meth:`SemanticRadars.refresh_thresholds`).

:class:`SemanticPipeline` is one batch: store the vectors just made (an older or equal
version than stored is not written: a replay), read back the vector of every paper of
the batch (a paper whose newer version is stored is stale: not matched), score, record
the matches (idempotent, as in the keyword pipeline); the handler publishes them. Every
method runs on the store's one thread, where the banks and the index live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from academichub.contracts import Match, MatchedTerm, NearestPaper, Paper, Radar, RadarChange
from academichub.contracts.match_groups import FoundMatches, flatten, regroup
from academichub.embedding.port import EmbeddingModel, Vectors
from academichub.matcher.domain.pipeline import dedupe_keep_last, offered
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.semantic.bank import BatchHits, RadarBank
from academichub.semantic.radars import (
    decided_by_meaning,
    profile_of,
    references,
)
from academichub.semantic.threshold import WINDOW_DAYS, thresholds_for_rates
from academichub.store.port import MatchStore, PaperVector, VectorStore

Key = tuple[str, int | None]
REFRESH_BLOCK: Final = 2048  # radars whose window scores are held at once


def _rank(version: int | None) -> int:
    return 0 if version is None else version


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class SemanticRadars:
    model: EmbeddingModel
    dtype: Literal["float32", "int8"] = "float32"
    # Models, not JSON: every match reads its radar (rate, seeds, ratings).
    registry: RadarRegistry = field(
        default_factory=lambda: RadarRegistry(radars={}, wants=decided_by_meaning)
    )
    open_bank: RadarBank = field(init=False)
    query_bank: RadarBank = field(init=False)
    waiting: dict[str, set[str]] = field(default_factory=dict)  # paper id -> radar ids

    def __post_init__(self) -> None:
        self.open_bank = RadarBank(self.model.dimension, dtype=self.dtype)
        self.query_bank = RadarBank(self.model.dimension, dtype=self.dtype)

    def __len__(self) -> int:
        return len(self.registry)

    @property
    def scored(self) -> int:
        """Radars with a profile (the others wait for their papers' vectors)."""
        return len(self.open_bank) + len(self.query_bank)

    def nbytes(self) -> int:
        return self.open_bank.nbytes() + self.query_bank.nbytes()

    # --- radars ---------------------------------------------------------------------
    def load(self, radars: Iterable[Radar]) -> tuple[list[str], list[tuple[str, str]]]:
        """Take the radars read from the store; return the ids held and the unusable."""
        problems = self.registry.load(radars)
        return list(self.registry.radars), problems

    def apply(self, changes: Sequence[RadarChange]) -> list[str]:
        """Apply radar changes (revision rules of the registry); the ids whose profile
        must be (re)built or dropped."""
        return [c.radar_id for c in changes if self.registry.apply(c)]

    def missing_interests(self, vectors: VectorStore, radar_ids: Iterable[str]) -> list[str]:
        """Described interests of these radars that have no stored vector yet."""
        wanted = {
            radar.interest
            for radar_id in radar_ids
            if (radar := self.registry.radars.get(radar_id)) is not None
            and radar.interest is not None
        }
        if not wanted:
            return []
        return sorted(wanted - set(vectors.text_vectors(self.model, wanted)))

    def install(self, vectors: VectorStore, radar_ids: Iterable[str]) -> None:
        """(Re)build the profiles of ``radar_ids`` from the stored vectors; a radar no
        longer held (deleted, or a keyword radar now) leaves the banks."""
        ids = list(dict.fromkeys(radar_ids))
        for radar_id in ids:
            self.open_bank.remove(radar_id)
            self.query_bank.remove(radar_id)
            for waiting in self.waiting.values():
                waiting.discard(radar_id)
        radars = [r for i in ids if (r := self.registry.radars.get(i)) is not None]
        needed = {p for r in radars for p in references(r)}
        papers = {
            paper_id: row.vector
            for paper_id, row in vectors.paper_vectors(self.model, sorted(needed)).items()
        }
        interests = vectors.text_vectors(
            self.model, {r.interest for r in radars if r.interest is not None}
        )
        for radar in radars:
            for paper_id in references(radar):
                if paper_id not in papers:
                    self.waiting.setdefault(paper_id, set()).add(radar.id)
            interest = interests.get(radar.interest) if radar.interest is not None else None
            profile = profile_of(radar, self.model.dimension, papers, interest)
            if profile is not None:
                (self.query_bank if radar.has_query else self.open_bank).put(profile)
        self.waiting = {p: r for p, r in self.waiting.items() if r}

    def arrived(self, vectors: VectorStore, paper_ids: Iterable[str]) -> None:
        """Vectors of these papers were just stored: rebuild the radars waiting on them."""
        ready = {r for p in paper_ids for r in self.waiting.pop(p, ())}
        if ready:
            self.install(vectors, ready)

    def refresh_thresholds(self, vectors: VectorStore, today: dt.date) -> int:
        """Thresholds of the radars without a query from "about N a day" over the 30 days
        ending ``today``; how many were refreshed. (Radars with a query keep the one
        chosen when they were saved, over the papers their query let through.)"""
        since = today - dt.timedelta(days=WINDOW_DAYS - 1)
        window = vectors.window(self.model, since, today)
        days = len(set(window.published))
        ids = [
            r
            for r in self.open_bank.radar_ids()
            if (radar := self.registry.radars.get(r)) is not None and radar.per_day is not None
        ]
        if not days or not ids:
            return 0
        for start in range(0, len(ids), REFRESH_BLOCK):
            block = ids[start : start + REFRESH_BLOCK]
            rates = [self.registry.radars[r].per_day or 1.0 for r in block]
            scores = self.open_bank.scores_of(block, window.vectors)
            chosen = thresholds_for_rates(scores, days, rates)
            self.open_bank.set_thresholds(dict(zip(block, map(float, chosen), strict=True)))
        return len(ids)

    # --- matching -------------------------------------------------------------------
    def match(
        self,
        papers: Sequence[Paper],
        matrix: Vectors,
        offer: Callable[[str, Paper], bool],
        now: dt.datetime,
    ) -> list[Match]:
        """The matches of ``papers`` (their unit vectors are ``matrix``'s rows)."""
        found: list[Match] = []
        hits = self.open_bank.match(matrix)
        found += self._matches(papers, hits, {}, offer, now)
        index, radar_ids, fired, unscored = [], [], {}, []
        for i, paper in enumerate(papers):
            for hit in self.registry.index.match(PaperDocument.from_paper(paper)):
                if hit.radar_id in self.query_bank:
                    index.append(i)
                    radar_ids.append(hit.radar_id)
                    fired[(i, hit.radar_id)] = hit.terms
                elif not self.registry.radars[hit.radar_id].semantic:
                    # A learning keyword radar whose rated papers have no vectors yet:
                    # its query decides alone, unranked.
                    unscored.append((i, hit.radar_id, hit.terms))
        if index:
            pairs = self.query_bank.score(np.array(index, dtype=np.int64), radar_ids, matrix)
            found += self._matches(papers, pairs, fired, offer, now)
        for i, radar_id, terms in unscored:
            known = papers[i].id in references(self.registry.radars[radar_id])
            if not known and offer(radar_id, papers[i]):
                found.append(_match(radar_id, papers[i], 0.0, "keyword", terms, (), now))
        return found

    def _matches(
        self,
        papers: Sequence[Paper],
        hits: BatchHits,
        fired: Mapping[tuple[int, str], tuple[MatchedTerm, ...]],
        offer: Callable[[str, Paper], bool],
        now: dt.datetime,
    ) -> list[Match]:
        found = []
        for k in range(len(hits)):
            i = int(hits.paper_index[k])
            hit = hits.hit(k)
            # A radar's own seeds and rated papers are known to it: never its matches.
            if papers[i].id in references(self.registry.radars[hit.radar_id]):
                continue
            if not offer(hit.radar_id, papers[i]):
                continue
            nearest = tuple(
                NearestPaper(paper_id=p, similarity=round(s, 4)) for p, s in hit.nearest
            )
            terms = fired.get((i, hit.radar_id), ())
            found.append(_match(hit.radar_id, papers[i], hit.score, hit.kind, terms, nearest, now))
        return found


def _match(
    radar_id: str,
    paper: Paper,
    score: float,
    kind: Literal["keyword", "similarity", "learned"],
    terms: tuple[MatchedTerm, ...],
    nearest: tuple[NearestPaper, ...],
    now: dt.datetime,
) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=paper.id,
        version=paper.version,
        score=round(float(score), 6),
        score_kind=kind,
        terms=terms,
        nearest=nearest,
        matched_at=now,
    )


@dataclass
class SemanticOutcome:
    written: int  # vectors stored by this batch
    stale: int  # papers of the batch whose newer version has a vector
    to_emit: list[FoundMatches]  # per paper version, what the store had not yet emitted

    @property
    def matches(self) -> list[Match]:
        """``to_emit`` one match at a time, as models."""
        return flatten(self.to_emit)


@dataclass
class SemanticPipeline:
    model: EmbeddingModel
    vectors: VectorStore
    matches: MatchStore
    radars: SemanticRadars
    clock: Callable[[], dt.datetime] = _utcnow

    def to_embed(self, papers: Sequence[Paper]) -> list[Paper]:
        """The papers of a batch whose vector (or a newer version's) is not stored yet:
        the only ones to embed (a replay embeds nothing)."""
        papers = dedupe_keep_last(papers)
        held = self.vectors.vectors_held(self.model, [p.key for p in papers])
        return [p for p in papers if p.key not in held]

    def process(self, papers: Sequence[Paper], made: Mapping[Key, Vectors]) -> SemanticOutcome:
        """Store the vectors ``made`` for some of ``papers``, then match every paper of the
        batch that has its vector (made now or stored before) and is not stale."""
        papers = dedupe_keep_last(papers)
        rows = [PaperVector.of(p, made[p.key]) for p in papers if p.key in made]
        written = self.vectors.put_vectors(self.model, rows)
        self.radars.arrived(
            self.vectors, [r.paper_id for r, w in zip(rows, written, strict=True) if w]
        )
        stored = self.vectors.paper_vectors(self.model, [p.id for p in papers])
        current = [
            p for p in papers if p.id in stored and _rank(stored[p.id].version) == _rank(p.version)
        ]
        if not current:
            return SemanticOutcome(sum(written), len(papers), [])
        matrix = np.stack([stored[p.id].vector for p in current]).astype(np.float32)
        found = self.radars.match(
            current,
            matrix,
            lambda radar_id, paper: offered(self.matches, self.radars.registry, radar_id, paper),
            self.clock(),
        )
        to_emit = self.matches.record_found(regroup(found)) if found else []
        return SemanticOutcome(sum(written), len(papers) - len(current), to_emit)

    def emitted(self, found: Sequence[FoundMatches]) -> None:
        self.matches.mark_emitted(found)
