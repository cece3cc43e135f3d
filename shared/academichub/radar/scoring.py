"""BM25 relevance of a matched paper, from the terms that fired.

Only the fired text terms score (they are what made the paper match): each is scored
with BM25 (k1=1.2, b=0.75) in the field it fired in, title counting twice; author,
category, source and type terms add a small constant each, so a filter-only match still
ranks above nothing and ties are broken by the text. A fired term is read back to its
leaf's probe (:func:`academichub.radar.leaves.leaf_of`), whose occurrences in the field
are counted: phrases score their occurrences with the summed idf of their stems (as Lucene
does); prefixes score as the OR of the words they expand to in the paper. Everything is
plain arithmetic over the fired terms in order, so the same inputs always give the same
float.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from academichub.contracts import MatchedTerm
from academichub.radar.document import PaperDocument
from academichub.radar.leaves import Probe, leaf_of, spans

__all__ = [
    "K1",
    "NON_TEXT_SCORE",
    "TITLE_WEIGHT",
    "B",
    "CorpusStats",
    "field_weight",
    "score_document",
]

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


def field_weight(field: str) -> float | None:
    """What a term fired in ``field`` is worth: its BM25 score times this weight (the
    title counts twice), or None for the fields that add ``NON_TEXT_SCORE`` whatever
    they hold. The full-text compilers weigh their queries the same way."""
    return _TEXT_WEIGHTS.get(field)


_TEXT_WEIGHTS: Final = {"title": TITLE_WEIGHT, "abstract": 1.0}


def score_document(fired: tuple[MatchedTerm, ...], doc: PaperDocument, stats: CorpusStats) -> float:
    score = 0.0
    for term in fired:
        weight = field_weight(term.field)
        if weight is None:
            score += NON_TEXT_SCORE
        elif term.field == "title":
            score += weight * _field_score(term, doc, stats.avg_title_length, stats)
        else:
            score += weight * _field_score(term, doc, stats.avg_abstract_length, stats)
    return score


def _field_score(
    term: MatchedTerm, doc: PaperDocument, average_length: float, stats: CorpusStats
) -> float:
    where: Literal["title", "abstract"] = "title" if term.field == "title" else "abstract"
    (stems,) = doc.stream(where)
    probe = _probe_of(where, term.term)
    (tokens,) = doc.stream(probe.stream)
    found = list(spans(probe, tokens))
    # Before any paper is counted, a field is its own average (length normalisation 1).
    norm = K1 * (1.0 - B + B * len(stems) / average_length) if average_length else K1

    def bm25(tf: int, idf: float) -> float:
        return idf * tf * (K1 + 1.0) / (tf + norm) if tf else 0.0

    if probe.op == "prefix":
        expanded = Counter(stems[first] for first, _ in found)
        return sum(bm25(tf, stats.idf(s)) for s, tf in expanded.items())
    return bm25(len(found), sum(stats.idf(t) for t in probe.values))


@functools.lru_cache(maxsize=65_536)
def _probe_of(where: Literal["title", "abstract"], term: str) -> Probe:
    """The probe of the leaf that reports ``term`` in ``where`` (it has one there)."""
    ((probe,),) = (r.probes for r in leaf_of(MatchedTerm(field=where, term=term)).readings())
    return probe
