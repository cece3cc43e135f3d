"""The compiled radar index: match one paper against every radar at a cost that grows
with the candidate radars, not with the number of radars.

Each distinct query is compiled once (:mod:`academichub.radar.compiled`), shared by
the radars that use it, and registered under its anchor keys
(:mod:`academichub.radar.anchors`). Matching a paper:

1. analyse it once into a :class:`~academichub.radar.compiled.DocView`;
2. look up the anchor keys it holds (its stems, its pairs of consecutive stems that a
   phrase anchors on, the registered prefixes its tokens start with, its author
   tokens, categories, source, type), plus the queries that have no anchor at all;
3. verify each such candidate once, exactly, with its compiled query.

The index counts how often each anchor key turns up and re-anchors queries whose
anchors proved common (see :class:`RadarIndex`).

:func:`match_naive` evaluates every radar with the reference evaluator; it defines the
right answer for the property tests and is the baseline of the benchmark.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Final, NamedTuple

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import AnchorKind, anchors, pair_key
from academichub.radar.ast import Node
from academichub.radar.compiled import (
    CompiledQuery,
    DocView,
    PrefixRegistry,
    compile_query,
    prefixes_of,
)
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.selectivity import WordFrequency, guess_word_frequency

__all__ = ["RadarHit", "RadarIndex", "match_naive"]


class RadarHit(NamedTuple):
    # A named tuple, not a dataclass: a busy paper makes hundreds, and this is the
    # cheapest immutable record to build.
    radar_id: str
    terms: tuple[MatchedTerm, ...]


class _Query:
    """One distinct installed query and the radars that share it (many people follow the
    same topic): it is anchored and verified once per paper however many share it.
    Hashed by identity, so the anchor tables' sets are cheap to build and walk."""

    __slots__ = ("frequency", "keys", "node", "radar_ids", "run", "stamp")

    def __init__(self, node: Node, run: CompiledQuery) -> None:
        self.stamp = 0  # the last paper it was verified for
        self.radar_ids: list[str] = []
        self.node = node
        self.run = run
        self.keys: tuple[tuple[AnchorKind, str], ...] = ()  # empty: verified for every paper
        self.frequency = 1.0  # what the anchors were expected to cost


_KINDS: tuple[AnchorKind, ...] = (
    "word",
    "pair",
    "prefix",
    "author",
    "cat",
    "cat_group",
    "source",
    "source_group",
    "type",
)
# A key found in more papers than this, and more than twice what its radars assumed,
# has its radars re-anchored: below it a wrong guess costs little.
_HOT_KEY: Final = 0.01
_LONGEST_WINDOW: Final = 65_536


class RadarIndex:
    """Radars by id, compiled and anchored; ``match`` returns hits sorted by radar id.

    Anchors are chosen from guessed frequencies (``word_frequency``, fraction of papers
    holding a stem). The index also counts how many papers hold each anchor key; after
    ``measure_after`` papers, then after windows doubling up to 65,536 papers, radars
    anchored on keys far more common than assumed are re-anchored with the measured
    figures. Anchors only decide what is verified, never what matches.
    """

    def __init__(
        self,
        word_frequency: WordFrequency = guess_word_frequency,
        *,
        measure_after: int = 1024,
    ) -> None:
        if measure_after < 1:
            raise ValueError("measure_after must be at least 1 paper")
        self._word_frequency = word_frequency
        self._radars: dict[str, _Query] = {}
        self._queries: dict[Node, _Query] = {}
        self._tables: dict[AnchorKind, dict[str, set[_Query]]] = {k: {} for k in _KINDS}
        self._always: set[_Query] = set()
        self._prefixes = PrefixRegistry()
        # first stem -> second stem -> anchors using the pair: a paper tries only the
        # pairs whose first stem some phrase anchor starts with.
        self._pair_starts: dict[str, dict[str, int]] = {}
        self._counts: dict[AnchorKind, dict[str, int]] = {k: {} for k in _KINDS}
        self._observed: dict[tuple[AnchorKind, str], float] = {}
        self._window = measure_after
        self._window_papers = 0
        self._stamp = 0

    def __len__(self) -> int:
        return len(self._radars)

    def __contains__(self, radar_id: object) -> bool:
        return radar_id in self._radars

    def get(self, radar_id: str) -> Node | None:
        query = self._radars.get(radar_id)
        return None if query is None else query.node

    def add(self, radar_id: str, node: Node) -> None:
        """Install ``node`` as radar ``radar_id``, replacing any query it had."""
        current = self._radars.get(radar_id)
        if current is not None and current.node == node:
            return
        query = self._queries.get(node)
        fresh = query is None
        if query is None:
            # Compiled before removing: a failure leaves the old query in place.
            query = _Query(node, compile_query(node))
        self.remove(radar_id)
        if fresh:
            for prefix in prefixes_of(node):
                self._prefixes.add(prefix)
            self._queries[node] = query
            self._anchor(query)
        query.radar_ids.append(radar_id)
        self._radars[radar_id] = query

    def remove(self, radar_id: str) -> bool:
        """Forget radar ``radar_id``; False if it was not there."""
        query = self._radars.pop(radar_id, None)
        if query is None:
            return False
        query.radar_ids.remove(radar_id)
        if not query.radar_ids:
            del self._queries[query.node]
            for prefix in prefixes_of(query.node):
                self._prefixes.discard(prefix)
            self._unanchor(query)
        return True

    def reanchor(self, word_frequency: WordFrequency) -> None:
        """Choose every query's anchors again, e.g. with corpus document frequencies."""
        self._word_frequency = word_frequency
        for query in self._queries.values():
            self._unanchor(query)
            self._anchor(query)

    def _anchor(self, query: _Query) -> None:
        found = anchors(query.node, self._word_frequency, self._observed)
        if found is None:
            query.keys, query.frequency = (), 1.0
            self._always.add(query)
            return
        query.keys, query.frequency = tuple(sorted(found.keys)), found.frequency
        for kind, value in query.keys:
            self._tables[kind].setdefault(value, set()).add(query)
            if kind == "pair":
                first, second = value.split(" ")
                seconds = self._pair_starts.setdefault(first, {})
                seconds[second] = seconds.get(second, 0) + 1

    def _unanchor(self, query: _Query) -> None:
        for kind, value in query.keys:
            table = self._tables[kind]
            queries = table[value]
            queries.discard(query)
            if not queries:
                del table[value]
            if kind == "pair":
                first, second = value.split(" ")
                seconds = self._pair_starts[first]
                seconds[second] -= 1
                if not seconds[second]:
                    del seconds[second]
                    if not seconds:
                        del self._pair_starts[first]
        self._always.discard(query)

    def view(self, doc: PaperDocument) -> DocView:
        return DocView(doc, self._prefixes)

    def candidates(self, view: DocView) -> set[str]:
        """Radars worth verifying for the paper in ``view`` (a superset of the matches)."""
        queries = set(self._always)
        for kind, keys in self._paper_keys(view):
            table = self._tables[kind]
            for key in keys:
                queries.update(table.get(key, ()))
        return {radar_id for query in queries for radar_id in query.radar_ids}

    def _paper_keys(self, view: DocView) -> list[tuple[AnchorKind, Iterable[str]]]:
        """The paper's keys, per kind that any radar anchors on."""
        tables = self._tables
        keys: list[tuple[AnchorKind, Iterable[str]]] = []
        if tables["word"]:
            keys.append(("word", view.title_set | view.abstract_set))
        if tables["pair"]:
            keys.append(("pair", self._pairs(view)))
        if tables["prefix"]:
            keys.append(("prefix", view.title_prefixes | view.abstract_prefixes))
        if tables["author"]:
            keys.append(("author", view.author_tokens))
        if tables["cat"]:
            keys.append(("cat", view.categories))
        if tables["cat_group"]:
            keys.append(("cat_group", _heads(view.categories)))
        if tables["source"]:
            keys.append(("source", (view.source,)))
        if tables["source_group"]:
            keys.append(("source_group", _heads((view.source,))))
        if tables["type"] and view.announce_type is not None:
            keys.append(("type", (view.announce_type,)))
        return keys

    def _pairs(self, view: DocView) -> set[str]:
        """The paper's pairs of consecutive stems that some phrase anchors on."""
        starts = self._pair_starts
        found = set()
        for stems in (view.doc.title, view.doc.abstract):
            for first, second in itertools.pairwise(stems):
                seconds = starts.get(first)
                if seconds is not None and second in seconds:
                    found.add(pair_key(first, second))
        return found

    def match(self, doc: PaperDocument) -> list[RadarHit]:
        view = self.view(doc)
        self._stamp = stamp = self._stamp + 1
        hits: list[RadarHit] = []

        # A query reached through several keys is verified once: it carries the stamp
        # of the last paper it saw, which is cheaper than building a candidate set.
        def verify(queries: Iterable[_Query]) -> None:
            for query in queries:
                if query.stamp != stamp:
                    query.stamp = stamp
                    terms = query.run(view)
                    if terms is not None:
                        for radar_id in query.radar_ids:
                            hits.append(RadarHit(radar_id, terms))

        verify(self._always)
        for kind, keys in self._paper_keys(view):
            table = self._tables[kind]
            counts = self._counts[kind]
            for key in keys:
                queries = table.get(key)
                if queries is not None:
                    counts[key] = counts.get(key, 0) + 1
                    verify(queries)
        hits.sort()  # by radar id: ids are unique, so the terms are never compared
        self._window_papers += 1
        if self._window_papers >= self._window:
            self._rebalance()
        return hits

    def _rebalance(self) -> None:
        """Record the window's measured key frequencies; re-anchor radars whose anchors
        proved much more common than they assumed."""
        papers = self._window_papers
        for kind, counts in self._counts.items():
            table = self._tables[kind]
            for key, count in counts.items():
                frequency = count / papers
                self._observed[(kind, key)] = frequency
                if frequency < _HOT_KEY:
                    continue
                for query in list(table.get(key, ())):
                    if frequency > 2 * query.frequency:
                        self._unanchor(query)
                        self._anchor(query)
            counts.clear()
        self._window_papers = 0
        self._window = min(2 * self._window, max(self._window, _LONGEST_WINDOW))


def _heads(values: Iterable[str]) -> list[str]:
    """Every non-empty head of each value (values are short: a paper has a few
    categories and one source)."""
    return [value[:k] for value in values for k in range(1, len(value) + 1)]


def match_naive(radars: Mapping[str, Node], doc: PaperDocument) -> list[RadarHit]:
    """Every radar evaluated with the reference evaluator: slow, obviously right."""
    hits = []
    for radar_id in sorted(radars):
        terms = evaluate(radars[radar_id], doc)
        if terms is not None:
            hits.append(RadarHit(radar_id, terms))
    return hits
