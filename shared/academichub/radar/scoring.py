"""BM25 relevance of a matched paper, from the terms that fired.

Only the fired text terms score (they are what made the paper match): each is scored
with BM25 (k1=1.2, b=0.75) in the field it fired in, title counting twice; author,
category, source and type terms add a small constant each, so a filter-only match still
ranks above nothing and ties are broken by the text. Phrases score their occurrences with
the summed idf of their stems (as Lucene does); prefixes score as the OR of the words
they expand to in the paper. Everything is plain arithmetic over the fired terms in
order, so the same inputs always give the same float.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from academichub.contracts import MatchedTerm
from academichub.radar.document import PaperDocument

__all__ = ["K1", "NON_TEXT_SCORE", "TITLE_WEIGHT", "B", "CorpusStats", "score_document"]

K1: Final = 1.2
B: Final = 0.75
TITLE_WEIGHT: Final = 2.0
NON_TEXT_SCORE: Final = 0.1


@dataclass
class CorpusStats:
    """Corpus figures BM25 needs; ``add`` is O(distinct stems of one paper)."""

    n_docs: int = 0
    title_tokens: int = 0
    abstract_tokens: int = 0
    df: dict[str, int] = field(default_factory=dict)  # papers holding a stem (either field)

    @classmethod
    def from_documents(cls, docs: Iterable[PaperDocument]) -> CorpusStats:
        stats = cls()
        for doc in docs:
            stats.add(doc)
        return stats

    def add(self, doc: PaperDocument) -> None:
        self.n_docs += 1
        self.title_tokens += len(doc.title)
        self.abstract_tokens += len(doc.abstract)
        df = self.df
        for stem in set(doc.title).union(doc.abstract):
            df[stem] = df.get(stem, 0) + 1

    @property
    def avg_title_length(self) -> float:
        return self.title_tokens / self.n_docs if self.n_docs else 0.0

    @property
    def avg_abstract_length(self) -> float:
        return self.abstract_tokens / self.n_docs if self.n_docs else 0.0

    def idf(self, stem: str) -> float:
        """BM25's idf, always positive: ln(1 + (N - df + 0.5) / (df + 0.5))."""
        df = min(self.df.get(stem, 0), self.n_docs)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def word_frequency(self, stem: str) -> float:
        """Smoothed fraction of papers holding ``stem`` (for choosing radar anchors)."""
        return (self.df.get(stem, 0) + 1) / (self.n_docs + 2)


def score_document(fired: tuple[MatchedTerm, ...], doc: PaperDocument, stats: CorpusStats) -> float:
    score = 0.0
    for term in fired:
        if term.field == "title":
            score += TITLE_WEIGHT * _field_score(
                term.term, doc.title, doc.title_raw, stats.avg_title_length, stats
            )
        elif term.field == "abstract":
            score += _field_score(
                term.term, doc.abstract, doc.abstract_raw, stats.avg_abstract_length, stats
            )
        else:
            score += NON_TEXT_SCORE
    return score


def _field_score(
    term: str,
    stems: Sequence[str],
    raw: Sequence[str],
    average_length: float,
    stats: CorpusStats,
) -> float:
    length = len(stems)
    # Before any paper is counted, a field is its own average (length normalisation 1).
    norm = K1 * (1.0 - B + B * length / average_length) if average_length else K1

    def bm25(tf: int, idf: float) -> float:
        return idf * tf * (K1 + 1.0) / (tf + norm) if tf else 0.0

    if term.endswith("*"):
        prefix = term[:-1]
        expanded = Counter(s for s, r in zip(stems, raw, strict=True) if r.startswith(prefix))
        return sum(bm25(tf, stats.idf(s)) for s, tf in expanded.items())
    tokens = term.split(" ")
    if len(tokens) == 1:
        return bm25(stems.count(term), stats.idf(term))
    n = len(tokens)
    occurrences = sum(1 for i in range(length - n + 1) if list(stems[i : i + n]) == tokens)
    return bm25(occurrences, sum(stats.idf(t) for t in tokens))
