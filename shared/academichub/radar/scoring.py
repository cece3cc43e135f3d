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

The statistics are any :class:`Statistics`: a whole :class:`CorpusStats`, or
:class:`WithPaper` -- a corpus (the matcher's stored snapshot) with the scored paper
counted in it too, without copying the corpus, so a paper is never scored against
figures that lack it (no term of its own has df 0) and every process holding the same
snapshot gives the paper the same score
(:mod:`academichub.matcher.domain.corpus`).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

from academichub.contracts import MatchedTerm
from academichub.radar.document import PaperDocument
from academichub.radar.leaves import Probe, Stream, leaf_of, spans

__all__ = [
    "K1",
    "NON_TEXT_SCORE",
    "TITLE_WEIGHT",
    "B",
    "CorpusStats",
    "PaperScorer",
    "Statistics",
    "WithPaper",
    "field_weight",
    "score_document",
]

K1: Final = 1.2
B: Final = 0.75
TITLE_WEIGHT: Final = 2.0
NON_TEXT_SCORE: Final = 0.1


class Statistics(Protocol):
    """What BM25 reads of a corpus."""

    @property
    def avg_title_length(self) -> float: ...

    @property
    def avg_abstract_length(self) -> float: ...

    def idf(self, stem: str) -> float: ...


def _idf(n_docs: int, df: int) -> float:
    """BM25's idf, always positive: ln(1 + (N - df + 0.5) / (df + 0.5))."""
    df = min(df, n_docs)
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


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
        return _idf(self.n_docs, self.df.get(stem, 0))


class WithPaper:
    """``corpus`` with one more paper counted, as :meth:`CorpusStats.add` would count it,
    read through without copying ``corpus`` (which must not change meanwhile): the same
    figures, so the same floats, as adding ``doc`` to a copy of it."""

    __slots__ = ("_corpus", "_n_docs", "_stems", "avg_abstract_length", "avg_title_length")

    def __init__(self, corpus: CorpusStats, doc: PaperDocument) -> None:
        self._corpus = corpus
        self._n_docs = n_docs = corpus.n_docs + 1
        self._stems = frozenset(doc.title).union(doc.abstract)
        self.avg_title_length = (corpus.title_tokens + len(doc.title)) / n_docs
        self.avg_abstract_length = (corpus.abstract_tokens + len(doc.abstract)) / n_docs

    def idf(self, stem: str) -> float:
        return _idf(self._n_docs, self._corpus.df.get(stem, 0) + (stem in self._stems))


def field_weight(field: str) -> float | None:
    """What a term fired in ``field`` is worth: its BM25 score times this weight (the
    title counts twice), or None for the fields that add ``NON_TEXT_SCORE`` whatever
    they hold. The full-text compilers weigh their queries the same way."""
    return _TEXT_WEIGHTS.get(field)


_TEXT_WEIGHTS: Final = {"title": TITLE_WEIGHT, "abstract": 1.0}


def score_document(fired: tuple[MatchedTerm, ...], doc: PaperDocument, stats: Statistics) -> float:
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


class PaperScorer:
    """:func:`score_document` for the many matches of one paper under the same statistics
    (at 100,000 radars ~150 matches over ~50 distinct terms): what each fired term adds
    is worked out once per paper, from the positions of each token in each stream (one
    pass over the paper's tokens instead of one per term), with each stem's idf and each
    field's length normalisation computed once. Every sum adds the same floats in the same
    order as :func:`score_document`, so the scores are exactly its scores (a test compares
    them on the bench corpus). Made with statistics that count the paper (``WithPaper``),
    used only while they do not change."""

    __slots__ = ("_doc", "_idf", "_norms", "_parts", "_positions", "_stats", "_words")

    def __init__(self, doc: PaperDocument, stats: Statistics) -> None:
        self._doc = doc
        self._stats = stats
        self._parts: dict[tuple[str, str], float] = {}
        self._positions: dict[str, dict[str, list[int]]] = {}
        self._idf: dict[str, float] = {}
        self._norms: dict[str, float] = {}
        self._words: dict[str, list[str]] = {}

    def score(self, fired: tuple[MatchedTerm, ...]) -> float:
        parts = self._parts
        score = 0.0
        for term in fired:
            key = (term.field, term.term)
            part = parts.get(key)
            if part is None:
                part = parts[key] = self._part(term)
            score += part
        return score

    def _part(self, term: MatchedTerm) -> float:
        weight = field_weight(term.field)
        if weight is None:
            return NON_TEXT_SCORE
        where: Literal["title", "abstract"] = "title" if term.field == "title" else "abstract"
        probe = _probe_of(where, term.term)
        norm = self._norm(where)
        positions = self._positions_in(probe.stream)
        idf = self._idf_of
        values = probe.values
        if probe.op == "term":
            return weight * _bm25(len(positions.get(values[0], ())), sum(map(idf, values)), norm)
        if probe.op == "phrase":
            (tokens,) = self._doc.stream(probe.stream)
            n = len(values)
            tf = sum(1 for i in positions.get(values[0], ()) if tuple(tokens[i : i + n]) == values)
            return weight * _bm25(tf, sum(map(idf, values)), norm)
        # A prefix: the stems its words have, counted in the order spans() meets them.
        # The words it expands to are adjacent among the stream's words in sorted order.
        first = values[0]
        words = self._sorted_words(probe.stream, positions)
        starts: list[int] = []
        for k in range(bisect.bisect_left(words, first), len(words)):
            if not words[k].startswith(first):
                break
            starts.extend(positions[words[k]])
        starts.sort()
        (stems,) = self._doc.stream(where)
        expanded = Counter(stems[i] for i in starts)
        return weight * sum(_bm25(tf, idf(s), norm) for s, tf in expanded.items())

    def _positions_in(self, stream: Stream) -> dict[str, list[int]]:
        positions = self._positions.get(stream)
        if positions is None:
            positions = self._positions[stream] = {}
            (tokens,) = self._doc.stream(stream)
            for i, token in enumerate(tokens):
                at = positions.get(token)
                if at is None:
                    positions[token] = [i]
                else:
                    at.append(i)
        return positions

    def _sorted_words(self, stream: Stream, positions: dict[str, list[int]]) -> list[str]:
        words = self._words.get(stream)
        if words is None:
            words = self._words[stream] = sorted(positions)
        return words

    def _idf_of(self, stem: str) -> float:
        idf = self._idf.get(stem)
        if idf is None:
            idf = self._idf[stem] = self._stats.idf(stem)
        return idf

    def _norm(self, where: Literal["title", "abstract"]) -> float:
        norm = self._norms.get(where)
        if norm is None:
            stats = self._stats
            average = stats.avg_title_length if where == "title" else stats.avg_abstract_length
            (stems,) = self._doc.stream(where)
            norm = self._norms[where] = _length_norm(len(stems), average)
        return norm


def _length_norm(length: int, average_length: float) -> float:
    # Before any paper is counted, a field is its own average (length normalisation 1).
    return K1 * (1.0 - B + B * length / average_length) if average_length else K1


def _bm25(tf: int, idf: float, norm: float) -> float:
    return idf * tf * (K1 + 1.0) / (tf + norm) if tf else 0.0


def _field_score(
    term: MatchedTerm, doc: PaperDocument, average_length: float, stats: Statistics
) -> float:
    where: Literal["title", "abstract"] = "title" if term.field == "title" else "abstract"
    (stems,) = doc.stream(where)
    probe = _probe_of(where, term.term)
    (tokens,) = doc.stream(probe.stream)
    found = list(spans(probe, tokens))
    norm = _length_norm(len(stems), average_length)
    if probe.op == "prefix":
        expanded = Counter(stems[first] for first, _ in found)
        return sum(_bm25(tf, stats.idf(s), norm) for s, tf in expanded.items())
    return _bm25(len(found), sum(stats.idf(t) for t in probe.values), norm)


@functools.lru_cache(maxsize=65_536)
def _probe_of(where: Literal["title", "abstract"], term: str) -> Probe:
    """The probe of the leaf that reports ``term`` in ``where`` (it has one there)."""
    ((probe,),) = (r.probes for r in leaf_of(MatchedTerm(field=where, term=term)).readings())
    return probe
