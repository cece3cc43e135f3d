"""The vectors a window's papers are grouped and linked by.

Themes and connections compare papers by meaning, so the extractive briefer needs one
vector per paper, all from one space (vectors of different models are never compared).
Where they come from, best first:

1. **stored embeddings** — one per paper version, written beside the paper once the
   store holds them (the semantic-radar integration; a :class:`PaperVectorSource` over
   the store then slots in here without the briefer changing);
2. **the embedding port** — :class:`EmbedderVectors` embeds the window's papers with the
   configured :class:`~academichub.embedding.port.Embedder` (the packaged MiniLM by
   default), keeping the vectors of recent paper versions in memory, since the same paper
   is briefed for many radars;
3. **TF-IDF** — :func:`tfidf_vectors` over the window itself, when no source is
   configured or the source cannot give a vector for every paper (the endpoint is down).

The fallback is explicit: :attr:`WindowVectors.space` names the space used, and the
briefing says it.

Each space states the least cosine similarity at which two papers of different fields
count as connected (:attr:`WindowVectors.link_similarity`), because cosines of different
spaces live on different scales: MiniLM puts related abstracts at 0.5-0.8 and unrelated
ones near 0.1; window TF-IDF puts related abstracts at 0.15-0.4.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np

from academichub.contracts import Paper
from academichub.embedding.port import (
    Embedder,
    EmbeddingRejected,
    EmbeddingUnavailable,
    Vectors,
)
from academichub.embedding.text import paper_text
from academichub.embedding.tfidf import TfIdf

__all__ = [
    "MINILM_LINK_SIMILARITY",
    "TFIDF_LINK_SIMILARITY",
    "EmbedderVectors",
    "PaperVectorSource",
    "WindowVectors",
    "tfidf_vectors",
]

log = logging.getLogger(__name__)

# Least cosine for a cross-field connection, per space (see the module docstring). Set
# on the recorded feeds: at these values a connection's two papers share a method or an
# object, below them they mostly share a word.
MINILM_LINK_SIMILARITY: Final = 0.45
TFIDF_LINK_SIMILARITY: Final = 0.20
TFIDF_SPACE: Final = "tf-idf"


@dataclass(frozen=True)
class WindowVectors:
    """One unit vector per paper of the window, in the window's order."""

    space: str  # the model that made them ("all-MiniLM-L6-v2", "tf-idf")
    matrix: Vectors
    link_similarity: float

    def similarities(self) -> Vectors:
        sims: Vectors = (self.matrix @ self.matrix.T).astype(np.float32)
        return sims


class PaperVectorSource(Protocol):
    async def vectors(self, papers: Sequence[Paper]) -> WindowVectors | None:
        """A vector for every paper, from one space; None when the source cannot give
        one for every paper (the caller falls back to TF-IDF)."""
        ...


def tfidf_vectors(papers: Sequence[Paper]) -> WindowVectors:
    """TF-IDF vectors fitted on the window itself: the fallback."""
    texts = [paper_text(p) for p in papers]
    return WindowVectors(TFIDF_SPACE, TfIdf(texts).embed(texts), TFIDF_LINK_SIMILARITY)


class EmbedderVectors:
    """Vectors from the embedding port, remembered for the ``keep`` most recent paper
    versions (a paper matched by many radars is embedded once per process).

    The embedder runs in a worker thread (numpy releases the GIL; an HTTP endpoint
    blocks only that thread). An endpoint that is down or refuses answers None, and the
    briefing is grouped by TF-IDF instead: a briefing is never held up by embeddings.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        link_similarity: float = MINILM_LINK_SIMILARITY,
        keep: int = 20_000,
    ) -> None:
        self._embedder = embedder
        self._link = link_similarity
        self._keep = keep
        self._known: OrderedDict[tuple[str, int | None], Vectors] = OrderedDict()

    @property
    def space(self) -> str:
        return self._embedder.model.name

    async def vectors(self, papers: Sequence[Paper]) -> WindowVectors | None:
        missing = [p for p in {p.key: p for p in papers}.values() if p.key not in self._known]
        if missing:
            texts = [paper_text(p) for p in missing]
            try:
                made = await asyncio.to_thread(self._embedder.embed, texts)
            except (EmbeddingUnavailable, EmbeddingRejected) as exc:
                log.warning("no embeddings for a window of %d papers: %s", len(papers), exc)
                return None
            for paper, row in zip(missing, made, strict=True):
                self._known[paper.key] = row
        rows = []
        for paper in papers:
            self._known.move_to_end(paper.key)
            rows.append(self._known[paper.key])
        while len(self._known) > self._keep:
            self._known.popitem(last=False)
        matrix: Vectors = np.stack(rows).astype(np.float32)
        return WindowVectors(self.space, matrix, self._link)
