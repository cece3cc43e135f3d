"""The compiled radar index: match one paper against every radar at a cost that grows
with the candidate radars, not with the number of radars.

Each radar is compiled once (:mod:`academichub.radar.compiled`) and registered under
its anchor keys (:mod:`academichub.radar.anchors`). Matching a paper:

1. analyse it once into a :class:`~academichub.radar.compiled.DocView`;
2. look up the anchor keys it holds (its stems, the registered prefixes its tokens
   start with, its author tokens, categories, source, type) to collect candidates,
   plus the radars that have no anchor at all;
3. verify each candidate exactly with its compiled query.

:func:`match_naive` evaluates every radar with the reference evaluator; it defines the
right answer for the property tests and is the baseline of the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, NamedTuple

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import AnchorKind, anchors
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


class _Entry:
    """One installed radar. Hashed by identity: candidate sets of entries are unions of
    pointer-hashed objects, and verifying needs no look-up by id."""

    __slots__ = ("frequency", "keys", "node", "radar_id", "run", "stamp")

    def __init__(self, radar_id: str, node: Node, run: CompiledQuery) -> None:
        self.stamp = 0  # the last paper it was verified for
        self.radar_id = radar_id
        self.node = node
        self.run = run
        self.keys: tuple[tuple[AnchorKind, str], ...] = ()  # empty: verified for every paper
        self.frequency = 1.0  # what the anchors were expected to cost


_KINDS: tuple[AnchorKind, ...] = (
    "word",
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
        self._entries: dict[str, _Entry] = {}
        self._tables: dict[AnchorKind, dict[str, set[_Entry]]] = {k: {} for k in _KINDS}
        self._always: set[_Entry] = set()
        self._prefixes = PrefixRegistry()
        self._counts: dict[AnchorKind, dict[str, int]] = {k: {} for k in _KINDS}
        self._observed: dict[tuple[AnchorKind, str], float] = {}
        self._window = measure_after
        self._window_papers = 0
        self._stamp = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, radar_id: object) -> bool:
        return radar_id in self._entries

    def get(self, radar_id: str) -> Node | None:
        entry = self._entries.get(radar_id)
        return None if entry is None else entry.node

    def add(self, radar_id: str, node: Node) -> None:
        """Install ``node`` as radar ``radar_id``, replacing any query it had."""
        run = compile_query(node)  # before removing: a failure leaves the old query in place
        self.remove(radar_id)
        entry = _Entry(radar_id, node, run)
        for prefix in prefixes_of(node):
            self._prefixes.add(prefix)
        self._entries[radar_id] = entry
        self._anchor(entry)

    def remove(self, radar_id: str) -> bool:
        """Forget radar ``radar_id``; False if it was not there."""
        entry = self._entries.pop(radar_id, None)
        if entry is None:
            return False
        for prefix in prefixes_of(entry.node):
            self._prefixes.discard(prefix)
        self._unanchor(entry)
        return True

    def reanchor(self, word_frequency: WordFrequency) -> None:
        """Choose every radar's anchors again, e.g. with corpus document frequencies."""
        self._word_frequency = word_frequency
        for entry in self._entries.values():
            self._unanchor(entry)
            self._anchor(entry)

    def _anchor(self, entry: _Entry) -> None:
        found = anchors(entry.node, self._word_frequency, self._observed)
        if found is None:
            entry.keys, entry.frequency = (), 1.0
            self._always.add(entry)
            return
        entry.keys, entry.frequency = tuple(sorted(found.keys)), found.frequency
        for kind, value in entry.keys:
            self._tables[kind].setdefault(value, set()).add(entry)

    def _unanchor(self, entry: _Entry) -> None:
        for kind, value in entry.keys:
            table = self._tables[kind]
            entries = table[value]
            entries.discard(entry)
            if not entries:
                del table[value]
        self._always.discard(entry)

    def view(self, doc: PaperDocument) -> DocView:
        return DocView(doc, self._prefixes)

    def candidates(self, view: DocView) -> set[str]:
        """Radars worth verifying for the paper in ``view`` (a superset of the matches)."""
        found = {entry.radar_id for entry in self._always}
        for kind, keys in self._paper_keys(view):
            table = self._tables[kind]
            for key in keys:
                found.update(entry.radar_id for entry in table.get(key, ()))
        return found

    def _paper_keys(self, view: DocView) -> list[tuple[AnchorKind, Iterable[str]]]:
        """The paper's keys, per kind that any radar anchors on."""
        tables = self._tables
        keys: list[tuple[AnchorKind, Iterable[str]]] = []
        if tables["word"]:
            keys.append(("word", view.title_set | view.abstract_set))
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

    def match(self, doc: PaperDocument) -> list[RadarHit]:
        view = self.view(doc)
        self._stamp = stamp = self._stamp + 1
        hits: list[RadarHit] = []

        # A radar reached through several keys is verified once: it carries the stamp
        # of the last paper it saw, which is cheaper than building a candidate set.
        def verify(entries: Iterable[_Entry]) -> None:
            for entry in entries:
                if entry.stamp != stamp:
                    entry.stamp = stamp
                    terms = entry.run(view)
                    if terms is not None:
                        hits.append(RadarHit(entry.radar_id, terms))

        verify(self._always)
        for kind, keys in self._paper_keys(view):
            table = self._tables[kind]
            counts = self._counts[kind]
            for key in keys:
                entries = table.get(key)
                if entries is not None:
                    counts[key] = counts.get(key, 0) + 1
                    verify(entries)
        hits.sort(key=_by_radar_id)
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
                for entry in list(table.get(key, ())):
                    if frequency > 2 * entry.frequency:
                        self._unanchor(entry)
                        self._anchor(entry)
            counts.clear()
        self._window_papers = 0
        self._window = min(2 * self._window, max(self._window, _LONGEST_WINDOW))


def _by_radar_id(hit: RadarHit) -> str:
    return hit.radar_id


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
