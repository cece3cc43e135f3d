"""The gateway's semantic side: seeds found in the store, thresholds from "about N a day",
the preview of a semantic radar, its matches ranked by its current profile, a paper's
nearest papers, and search by meaning.

Everything reads the vectors the matcher's embedding role stored (the ``vectors`` part);
the gateway embeds only what a person typed: a radar's described interest (stored, by
its text, so that the matcher finds it) and a ``~"…"`` search (not stored). The embedder
is CPU-bound: it runs on a worker thread, never on the event loop. Profiles and
thresholds are the matcher's own functions (:mod:`academichub.semantic.radars`), so a
preview means what matching will do.

The window of "about N a day" is the 30 days that end with the newest stored paper
(never after today): on a replayed feed or a quiet weekend it still covers days with
papers, as the keyword preview does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from academichub.contracts import Match, Paper, Radar
from academichub.embedding.port import Embedder, EmbeddingModel, Vectors
from academichub.embedding.text import interest_text
from academichub.gateway.domain.seeds import (
    SeedCandidate,
    SeedReading,
    read_references,
    read_seed_entries,
)
from academichub.gateway.errors import InvalidRequest, NotReady
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.problems import Problem
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.semantic.profile import SemanticProfile
from academichub.semantic.radars import profile_of, radar_threshold, references
from academichub.semantic.threshold import WINDOW_DAYS
from academichub.store.door import AsyncStore
from academichub.store.port import SearchFilters, SearchHit, SearchPage, VectorWindow

SIMILAR: Final = 10  # nearest papers on a paper's page
SEARCH_DEPTH: Final = 200  # papers a search by meaning ranks (its pages go this deep)
QUERY_CANDIDATES: Final = 2000  # nearest papers a query then filters, in a combined search


@dataclass(frozen=True)
class Ranked:
    """A match as its radar ranks it now: its current score (None: no vector yet)."""

    match: Match
    score: float | None
    kind: str


@dataclass(frozen=True)
class SemanticPreview:
    threshold: float | None
    kind: str  # "similarity" or "learned"
    first_day: dt.date
    last_day: dt.date
    per_day: tuple[tuple[dt.date, int], ...]
    total: int
    top: tuple[tuple[Paper, float], ...]
    waiting: tuple[str, ...]  # references without a vector yet


def seeds_problem(message: str) -> Problem:
    return Problem("body field 'seeds'", message, "seeds", "seeds", {})


class SemanticService:
    def __init__(
        self,
        store: AsyncStore[GatewayStore],
        embedder: Embedder | None,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._clock = clock

    def _model(self) -> tuple[Embedder, EmbeddingModel]:
        if self._embedder is None:
            raise NotReady("semantic radars and search need an embedding model (EMBEDDING_*)")
        return self._embedder, self._embedder.model

    async def _embed(self, texts: list[str]) -> Vectors:
        embedder, _ = self._model()
        return await asyncio.to_thread(embedder.embed, texts)

    # --- seeds ------------------------------------------------------------------------
    async def resolve_seeds(self, entries: Sequence[str], pasted: str | None) -> list[str]:
        """The stored papers named by ``entries`` and a pasted BibTeX/RIS export, in the
        order given; a 422 naming every entry that names no stored paper."""
        reading = read_seed_entries(entries)
        if pasted and pasted.strip():
            more = read_references(pasted)
            reading = SeedReading(
                reading.candidates + more.candidates, reading.problems + more.problems
            )
        found, missing = await self._store.run(lambda s: _find(s, reading.candidates))
        problems = [seeds_problem(p) for p in reading.problems]
        if missing:
            ids = " ".join(c.paper_ids[0] for c in missing)
            problems.append(
                seeds_problem(
                    f"not stored yet: {', '.join(c.given for c in missing)}; an operator can "
                    f"fetch arXiv papers with `academichub backfill arxiv --ids {ids}`"
                )
            )
        if problems:
            raise InvalidRequest(
                "some seed papers could not be used: " + "; ".join(p.message for p in problems),
                problems=problems,
            )
        return list(dict.fromkeys(found))

    # --- profiles and thresholds ----------------------------------------------------
    async def profile(self, radar: Radar) -> tuple[SemanticProfile | None, tuple[str, ...]]:
        """The radar's profile now (its interest embedded and stored if it had no vector),
        and its references that have no vector yet."""
        _, model = self._model()
        wanted = references(radar)

        def read(s: GatewayStore) -> tuple[dict[str, Vectors], dict[str, Vectors]]:
            papers = {p: v.vector for p, v in s.vectors.paper_vectors(model, wanted).items()}
            texts = s.vectors.text_vectors(model, [radar.interest] if radar.interest else [])
            return papers, texts

        papers, texts = await self._store.run(read)
        interest = None
        if radar.interest is not None:
            interest = texts.get(radar.interest)
            if interest is None:
                interest = (await self._embed([interest_text(radar.interest)]))[0]
                text = radar.interest
                stored = interest
                await self._store.run(lambda s: s.vectors.put_text_vectors(model, {text: stored}))
        profile = profile_of(radar, model.dimension, papers, interest)
        return profile, tuple(p for p in wanted if p not in papers)

    async def settle(self, radar: Radar) -> Radar:
        """The radar with the threshold its "about N a day" gives over the last 30 days
        (a keyword radar unchanged)."""
        if not radar.semantic or radar.per_day is None:
            return radar
        preview = await self.preview(radar, top=0)
        return radar.model_copy(update={"threshold": preview.threshold})

    async def preview(self, radar: Radar, *, top: int = 5) -> SemanticPreview:
        """What the radar would have matched over the last 30 days at the threshold its
        rate gives: per day, in all, and its best papers."""
        _, model = self._model()
        profile, waiting = await self.profile(radar)
        today = self._clock().date()
        node = parse_query(radar.query) if radar.has_query else None

        def read(s: GatewayStore) -> tuple[VectorWindow, set[str] | None, dt.date]:
            newest = s.papers.latest_papers(1)
            last = min(newest[0].published, today) if newest else today
            first = last - dt.timedelta(days=WINDOW_DAYS - 1)
            window = s.vectors.window(model, first, last)
            allowed = None
            if node is not None:
                dates = SearchFilters(published_from=first, published_to=last)
                hits = s.papers.search(node, dates, limit=max(len(window), 1))
                allowed = {h.paper.id for h in hits.hits}
            return window, allowed, last

        window, allowed, last = await self._store.run(read)
        first = last - dt.timedelta(days=WINDOW_DAYS - 1)
        days = [first + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
        if profile is None:
            return SemanticPreview(
                None, "similarity", first, last, tuple((d, 0) for d in days), 0, (), waiting
            )
        # The radar's own papers are never its matches: they do not count towards N a day.
        known = set(references(radar))
        candidates = set(window.paper_ids if allowed is None else allowed) - known
        threshold = radar_threshold(
            profile,
            radar.per_day or 1.0,
            window.paper_ids,
            window.published,
            window.vectors,
            allowed=candidates,
        )
        scores = profile.raw_scores(window.vectors) if len(window) else np.zeros(0, np.float32)
        passing = [
            i
            for i, paper_id in enumerate(window.paper_ids)
            if (allowed is None or paper_id in allowed)
            and paper_id not in known
            and (threshold is None or scores[i] >= threshold)
        ]
        counts = {d: 0 for d in days}
        for i in passing:
            counts[window.published[i]] = counts.get(window.published[i], 0) + 1
        best = sorted(passing, key=lambda i: -float(scores[i]))[:top]
        shown = profile.reported(scores[best]) if best else np.zeros(0, np.float32)
        papers = await self._store.run(
            lambda s: s.papers.get_papers(window.paper_ids[i] for i in best)
        )
        return SemanticPreview(
            threshold,
            profile.kind,
            first,
            last,
            tuple((d, counts[d]) for d in days),
            len(passing),
            tuple(
                (papers[window.paper_ids[i]], float(v))
                for i, v in zip(best, shown, strict=True)
                if window.paper_ids[i] in papers
            ),
            waiting,
        )

    # --- ranking ----------------------------------------------------------------------
    async def ranked(self, radar: Radar, matches: Sequence[Match]) -> list[Ranked] | None:
        """The matches ordered by the radar's profile now (best first; matches whose
        paper has no vector last, newest first), or None when the radar has no profile
        (a keyword radar that has not learned)."""
        if self._embedder is None or not (radar.semantic or radar.ratings):
            return None
        profile, _ = await self.profile(radar)
        if profile is None or (not radar.semantic and profile.learned is None):
            return None
        _, model = self._model()
        stored = await self._store.run(
            lambda s: s.vectors.paper_vectors(model, {m.paper_id for m in matches})
        )
        ranked: list[Ranked] = []
        scored = [m for m in matches if m.paper_id in stored]
        if scored:
            matrix = np.stack([stored[m.paper_id].vector for m in scored])
            values = profile.reported(profile.raw_scores(matrix))
            ranked += [
                Ranked(m, float(v), profile.kind) for m, v in zip(scored, values, strict=True)
            ]
        ranked.sort(key=lambda r: -(r.score or 0.0))
        rest = sorted(
            (m for m in matches if m.paper_id not in stored),
            key=lambda m: m.matched_at,
            reverse=True,
        )
        return ranked + [Ranked(m, None, m.score_kind) for m in rest]

    # --- nearest papers and search by meaning ------------------------------------------
    async def similar(self, paper_id: str, limit: int = SIMILAR) -> list[tuple[Paper, float]]:
        """The stored papers nearest to ``paper_id`` (none while it has no vector)."""
        if self._embedder is None:
            return []
        _, model = self._model()

        def read(s: GatewayStore) -> list[tuple[Paper, float]]:
            own = s.vectors.paper_vectors(model, [paper_id]).get(paper_id)
            if own is None:
                return []
            near = s.vectors.nearest(model, own.vector, limit=limit, exclude=[paper_id])
            papers = s.papers.get_papers(n.paper_id for n in near)
            return [(papers[n.paper_id], n.similarity) for n in near if n.paper_id in papers]

        return await self._store.run(read)

    async def search(
        self, text: str, node: Node | None, filters: SearchFilters, limit: int, offset: int
    ) -> SearchPage:
        """Papers nearest in meaning to ``text`` under ``filters`` whose query ``node``
        (if any) holds; ``total`` counts at most :data:`SEARCH_DEPTH`."""
        _, model = self._model()
        vector = (await self._embed([text]))[0]

        def read(s: GatewayStore) -> SearchPage:
            depth = QUERY_CANDIDATES if node is not None else SEARCH_DEPTH
            near = s.vectors.nearest(model, vector, limit=depth, filters=filters)
            papers = s.papers.get_papers(n.paper_id for n in near)
            hits = [
                SearchHit(papers[n.paper_id], n.similarity)
                for n in near
                if n.paper_id in papers
                and (
                    node is None
                    or evaluate(node, PaperDocument.from_paper(papers[n.paper_id])) is not None
                )
            ][:SEARCH_DEPTH]
            return SearchPage(len(hits), tuple(hits[offset : offset + limit]))

        return await self._store.run(read)


def _find(
    s: GatewayStore, candidates: Sequence[SeedCandidate]
) -> tuple[list[str], list[SeedCandidate]]:
    """Each candidate's stored paper: by one of its ids, else the preprint its DOI
    names (a journal article whose arXiv preprint is stored)."""
    stored = s.papers.get_papers({i for c in candidates for i in c.paper_ids})
    dois = [c.doi for c in candidates if c.doi and not any(i in stored for i in c.paper_ids)]
    preprints = s.ingest.preprints_for_dois(dois) if dois else {}
    found: list[str] = []
    missing: list[SeedCandidate] = []
    for candidate in candidates:
        paper_id = next((i for i in candidate.paper_ids if i in stored), None)
        if paper_id is None and candidate.doi is not None and candidate.doi in preprints:
            paper_id = preprints[candidate.doi].id
        if paper_id is None:
            missing.append(candidate)
        else:
            found.append(paper_id)
    return found, missing
