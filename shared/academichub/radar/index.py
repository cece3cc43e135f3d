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
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class RadarHit:
    radar_id: str
    terms: tuple[MatchedTerm, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    node: Node
    run: CompiledQuery
    keys: tuple[tuple[AnchorKind, str], ...]  # empty: verified for every paper


class RadarIndex:
    """Radars by id, compiled and anchored; ``match`` returns hits sorted by radar id.

    ``word_frequency`` (fraction of papers holding a stem) lets a caller with corpus
    statistics improve the choice of anchors; the default guesses from the word itself.
    It only affects speed, never which radars match.
    """

    def __init__(self, word_frequency: WordFrequency = guess_word_frequency) -> None:
        self._word_frequency = word_frequency
        self._entries: dict[str, _Entry] = {}
        self._tables: dict[AnchorKind, dict[str, set[str]]] = {
            "word": {},
            "prefix": {},
            "author": {},
            "cat": {},
            "cat_group": {},
            "source": {},
            "source_group": {},
            "type": {},
        }
        self._always: set[str] = set()
        self._prefixes = PrefixRegistry()

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
        found = anchors(node, self._word_frequency)
        keys = tuple(sorted(found.keys)) if found is not None else ()
        for prefix in prefixes_of(node):
            self._prefixes.add(prefix)
        for kind, value in keys:
            self._tables[kind].setdefault(value, set()).add(radar_id)
        if not keys:
            self._always.add(radar_id)
        self._entries[radar_id] = _Entry(node, run, keys)

    def remove(self, radar_id: str) -> bool:
        """Forget radar ``radar_id``; False if it was not there."""
        entry = self._entries.pop(radar_id, None)
        if entry is None:
            return False
        for prefix in prefixes_of(entry.node):
            self._prefixes.discard(prefix)
        for kind, value in entry.keys:
            table = self._tables[kind]
            ids = table[value]
            ids.discard(radar_id)
            if not ids:
                del table[value]
        self._always.discard(radar_id)
        return True

    def reanchor(self, word_frequency: WordFrequency) -> None:
        """Choose every radar's anchors again with better word frequencies."""
        self._word_frequency = word_frequency
        for radar_id, entry in list(self._entries.items()):
            self.add(radar_id, entry.node)

    def view(self, doc: PaperDocument) -> DocView:
        return DocView(doc, self._prefixes)

    def candidates(self, view: DocView) -> set[str]:
        """Radars worth verifying for the paper in ``view`` (a superset of the matches)."""
        found = set(self._always)
        tables = self._tables
        _collect(found, tables["word"], view.title_set | view.abstract_set)
        _collect(found, tables["prefix"], view.title_prefixes | view.abstract_prefixes)
        _collect(found, tables["author"], view.author_tokens)
        _collect(found, tables["cat"], view.categories)
        _collect(found, tables["cat_group"], _heads(view.categories, tables["cat_group"]))
        source = view.doc.source
        _collect(found, tables["source"], (source,))
        _collect(found, tables["source_group"], _heads((source,), tables["source_group"]))
        if view.doc.announce_type is not None:
            _collect(found, tables["type"], (view.doc.announce_type,))
        return found

    def match(self, doc: PaperDocument) -> list[RadarHit]:
        view = self.view(doc)
        entries = self._entries
        hits = []
        for radar_id in self.candidates(view):
            terms = entries[radar_id].run(view)
            if terms is not None:
                hits.append(RadarHit(radar_id, terms))
        hits.sort(key=lambda hit: hit.radar_id)
        return hits


def _collect(found: set[str], table: dict[str, set[str]], keys: Iterable[str]) -> None:
    if not table:
        return
    for key in keys:
        ids = table.get(key)
        if ids is not None:
            found |= ids


def _heads(values: Iterable[str], table: dict[str, set[str]]) -> list[str]:
    """Every non-empty head of each value, when any group is registered (values are short:
    a paper has a few categories and one source)."""
    if not table:
        return []
    return [value[:k] for value in values for k in range(1, len(value) + 1)]


def match_naive(radars: Mapping[str, Node], doc: PaperDocument) -> list[RadarHit]:
    """Every radar evaluated with the reference evaluator: slow, obviously right."""
    hits = []
    for radar_id in sorted(radars):
        terms = evaluate(radars[radar_id], doc)
        if terms is not None:
            hits.append(RadarHit(radar_id, terms))
    return hits
