"""How common a phrase is in the whole store: the corpus statistics keyphrases are
scored against.

A theme's name should be what sets its papers apart, and "apart" is judged against
everything the institution has stored, not only the window: in a window of twelve
quant-ph papers "quantum computing" may look distinctive; across the store it is common.
Document frequency of a phrase is what the search index already answers: a phrase query
(``"surface code"``, analysed as the radar language does) with no hits wanted returns the
exact count (tantivy's count collector; Elasticsearch with ``track_total_hits``). So the
statistics need no new index or table, stay current as papers arrive, and mean the same
thing as a radar's phrase query. A window asks for its candidate phrases only (a few
hundred at most, one store call for all, 2-6 ms a phrase on the embedded store).

- :class:`PhraseStatistics` — the port: document frequencies of phrases, and the store's
  size;
- :class:`StorePhraseStatistics` — over the store's own search, through the door to its
  papers part (the service);
- :class:`CountedPhraseStatistics` — counted over a list of papers held in memory (the
  quality report over the recorded feeds, unit tests); the same answers as a store
  holding those papers;
- :func:`window_counts` — the window counted as its own corpus, used when no statistics
  are given (weaker: within one window every shared phrase looks distinctive).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from academichub.contracts import Paper
from academichub.radar.analysis import analyze
from academichub.radar.ast import Phrase, Word
from academichub.store.door import AsyncStore
from academichub.store.port import PaperStore

__all__ = [
    "CorpusCounts",
    "CountedPhraseStatistics",
    "PhraseStatistics",
    "StorePhraseStatistics",
    "window_counts",
]

Key = tuple[str, ...]


@dataclass(frozen=True)
class CorpusCounts:
    """Papers in the corpus, and in how many of them each asked-for phrase occurs."""

    documents: int
    frequencies: Mapping[Key, int] = field(default_factory=dict)
    source: str = "window"  # what was counted: "store", "window", or a label

    def frequency(self, key: Key) -> int:
        return self.frequencies.get(key, 0)


class PhraseStatistics(Protocol):
    async def phrase_frequencies(self, keys: Sequence[Key]) -> CorpusCounts:
        """Document frequencies of ``keys`` (stemmed phrase tokens) and the corpus size."""
        ...


def _query(key: Key) -> Word | Phrase:
    raw = " ".join(key)
    return Word("text", key[0], raw) if len(key) == 1 else Phrase("text", key, raw)


@dataclass
class StorePhraseStatistics:
    """Document frequencies from the store's full-text index, in one store call."""

    papers: AsyncStore[PaperStore]

    async def phrase_frequencies(self, keys: Sequence[Key]) -> CorpusCounts:
        wanted = list(dict.fromkeys(k for k in keys if k))

        def count(s: PaperStore) -> CorpusCounts:
            frequencies = {k: s.search(_query(k), limit=0).total for k in wanted}
            return CorpusCounts(s.count_papers(), frequencies, "store")

        return await self.papers.run(count)


class CountedPhraseStatistics:
    """Phrase document frequencies over papers held in memory.

    A phrase occurs in a paper when its stemmed tokens appear consecutively in the
    title or in the abstract, as a phrase query matches in the store. Postings of single
    stems narrow the papers checked, so a lookup costs little even over thousands.
    """

    def __init__(self, papers: Sequence[Paper], *, source: str = "corpus") -> None:
        self._texts: list[tuple[str, str]] = []
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._source = source
        for i, paper in enumerate(papers):
            title, abstract = analyze(paper.title), analyze(paper.abstract)
            self._texts.append((f" {' '.join(title)} ", f" {' '.join(abstract)} "))
            for token in (*title, *abstract):
                self._postings[token].add(i)
        self._cache: dict[Key, int] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def frequency(self, key: Key) -> int:
        if not key:
            return 0
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        candidates = set.intersection(*(self._postings.get(t, set()) for t in key))
        needle = f" {' '.join(key)} "
        found = sum(
            1 for i in candidates if needle in self._texts[i][0] or needle in self._texts[i][1]
        )
        self._cache[key] = found
        return found

    def counts(self, keys: Sequence[Key]) -> CorpusCounts:
        return CorpusCounts(len(self._texts), {k: self.frequency(k) for k in keys}, self._source)

    async def phrase_frequencies(self, keys: Sequence[Key]) -> CorpusCounts:
        return self.counts(keys)


def window_counts(papers: Sequence[Paper], keys: Sequence[Key]) -> CorpusCounts:
    """The window as its own corpus (no store statistics available)."""
    return CountedPhraseStatistics(papers, source="window").counts(keys)
