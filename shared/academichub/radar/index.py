"""The compiled radar index: match one paper against every radar at a cost that grows
with the candidate radars, not with the number of radars.

Each distinct query is compiled once (:mod:`academichub.radar.compiled`), shared by
the radars that use it, and filed under its anchor keys with its guard
(:mod:`academichub.radar.anchors`). Matching a paper:

1. analyse it once into a :class:`~academichub.radar.compiled.DocView` and gather its
   keys (stems, pairs of consecutive stems, the registered prefixes its tokens start
   with, author tokens, categories, source, type) into one set;
2. intersect that set with the anchor table; for each key found:

   * queries decided by this key alone (a word, a two-word phrase, a prefix) give
     their hits by where the paper holds the key, all in one tuple;
   * queries decided by it and a few other keys (``a OR b``, ``a -b``) look their hits
     up by the states of those keys (:mod:`academichub.radar.decided`);
   * other queries are candidates if the paper also holds a key of their guard (one
     set operation), and are verified once, exactly, with their compiled function;

3. queries without any anchor are verified for every paper.

At 100,000 radars what a match costs is the memory it touches, not its bytecode: hits
are built once per outcome and reused, and decided queries are not called at all.

The index counts how often each anchor key turns up and re-anchors queries whose
anchors proved common (see :class:`RadarIndex`).

:func:`match_naive` evaluates every radar with the reference evaluator; it defines the
right answer for the property tests and is the baseline of the benchmark.
"""

from __future__ import annotations

import collections
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, Literal, NamedTuple

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import Key, TaggedKind, anchors, kind_of, tagged_key
from academichub.radar.ast import Node
from academichub.radar.compiled import (
    DocView,
    Outcomes,
    PrefixRegistry,
    compile_outcomes,
    prefixes_of,
)
from academichub.radar.decided import decide, decided_keys, field_sets, sets_of
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.selectivity import WordFrequency, guess_word_frequency

__all__ = ["RadarHit", "RadarIndex", "match_naive"]


class RadarHit(NamedTuple):
    # A named tuple, not a dataclass: a busy paper makes hundreds, and this is the
    # cheapest immutable record to build.
    radar_id: str
    terms: tuple[MatchedTerm, ...]


# RadarHit(a, b) runs a Python-level __new__; the tuple constructor does the same in C.
_new_tuple: Final = tuple.__new__

Hits = tuple[RadarHit, ...]


class _Query:
    """One distinct installed query and the radars that share it (many people follow the
    same topic): it is anchored and verified once per paper however many share it.
    Hashed by identity, so the anchor tables are cheap to build and walk.

    ``run`` returns the hits of its radars themselves, from a table of one tuple of hits
    per outcome (which of its terms fired) that it fills on first sight: a match costs
    the index one ``extend``. A query decided by its keys (:mod:`.decided`) and filed
    without a guard is not run at all (see :class:`_Filed`)."""

    __slots__ = (
        "decided",
        "frequency",
        "guard",
        "hits",
        "keys",
        "node",
        "radar_ids",
        "run",
        "stamp",
        "tables",
    )

    def __init__(self, node: Node) -> None:
        self.stamp = 0  # the last paper it was verified for
        # A tuple, rebuilt on change: one object less to reach per hit than a list.
        self.radar_ids: tuple[str, ...] = ()
        self.node = node
        self.decided = decided_keys(node)
        self.tables: list[_DecidedTable] = []  # its entries' tables, while filed so
        self.hits: _HitsByOutcome | None = None  # made by compile_outcomes
        # Compiled when first filed to be run: most queries never are (see filing()).
        self.run: Callable[[DocView], Hits | None] = _not_compiled
        # Tuples, not frozensets: a small tuple is a quarter of the size.
        self.keys: tuple[Key, ...] = ()  # empty: verified for every paper
        self.guard: tuple[Key, ...] = ()  # the paper must hold one of these too
        self.frequency = 1.0  # what the anchors were expected to cost

    def compile(self) -> None:
        if self.run is _not_compiled:
            run = compile_outcomes(self.node, self._outcomes)  # (a local: mypy infers R)
            self.run = run

    def _outcomes(self, sites: Sequence[MatchedTerm]) -> _HitsByOutcome:
        self.hits = _HitsByOutcome(sites, self)
        return self.hits

    def set_radars(self, radar_ids: tuple[str, ...]) -> None:
        self.radar_ids = radar_ids
        if self.hits is not None:
            self.hits.clear()
        for table in self.tables:
            table.clear()

    def filing(self) -> Literal["direct", "decided", "run"]:
        """How the index files it, once anchored: ``direct`` (decided by its one anchor
        key), ``decided`` (by its anchor key and a few others), or ``run``."""
        if self.decided is None or self.guard or not self.keys:
            return "run"
        return "direct" if len(self.decided) == 1 else "decided"

    def hits_with(self, terms: tuple[MatchedTerm, ...] | None) -> Hits:
        if terms is None:
            return ()
        return tuple(_new_tuple(RadarHit, (r, terms)) for r in self.radar_ids)


def _not_compiled(view: DocView) -> Hits | None:
    raise AssertionError("a query is compiled before it is filed to be run")


class _HitsByOutcome(Outcomes[Hits]):
    """A query's hits per outcome: its radars, each with the terms that fired."""

    __slots__ = ("_query",)

    def __init__(self, sites: Sequence[MatchedTerm], query: _Query) -> None:
        super().__init__(sites)
        self._query = query

    def build(self, terms: tuple[MatchedTerm, ...]) -> Hits:
        return self._query.hits_with(terms)


class _DecidedTable(dict[int, Hits]):
    """A decided query's hits by the states of its keys, as filed under one of its
    anchor keys: the code holds two bits per key, the anchor key's lowest, then the
    others (``probes``) in order. Filled on first sight.

    A query anchored on several keys (an ``Or``) is reached through each one the paper
    holds; it is answered under the first of them only: under a later anchor key its
    hits are empty when the paper holds an earlier one."""

    __slots__ = ("_earlier", "_order", "probes", "query")

    def __init__(self, query: _Query, anchor: Key) -> None:
        super().__init__()
        assert query.decided is not None
        assert anchor in query.decided
        self.query = query
        self.probes = tuple((k, sets_of(k)) for k in query.decided if k != anchor)
        self._order = (anchor, *(k for k, _ in self.probes))
        self._earlier = query.keys[: query.keys.index(anchor)]

    def __missing__(self, code: int) -> Hits:
        states = {key: code >> 2 * i & 3 for i, key in enumerate(self._order)}
        if any(states[key] for key in self._earlier):
            hits: Hits = ()
        else:
            hits = self.query.hits_with(decide(self.query.node, states))
        self[code] = hits
        return hits


# Marks a _Filed's direct hits to be built again before use: not empty, so the hot loop
# tests one truth value for "none" and "stale" together.
_STALE: Final[tuple[Hits, ...]] = ((),)


class _Filed:
    """The queries filed under one anchor key:

    * direct queries, decided by this key alone: their hits are kept together by the
      key's state (title, abstract, both), one ``extend`` per paper for all of them;
    * decided queries, by this key and a few others: one table each (:class:`_DecidedTable`),
      those with one other key kept beside it (most are: ``a OR b``, ``a -b``);
    * those without a guard, run for every paper holding the key;
    * the others by guard key, run for a paper holding one of the keys they are listed
      under (a query guarded by an ``Or`` is listed under each of its keys)."""

    __slots__ = (
        "by_guard",
        "decided",
        "direct",
        "direct_hits",
        "free",
        "guards",
        "paired",
        "seen",
        "sets",
    )

    def __init__(self, key: Key) -> None:
        # Tuples, rebuilt on change: the items are reached without another object.
        self.direct: tuple[_Query, ...] = ()
        # The direct queries' hits by state (index 1 title, 2 abstract, 3 both).
        self.direct_hits: tuple[Hits, ...] = ()
        # A decided query with one other key: (the key, where its state is read, table).
        self.paired: tuple[tuple[Key, int, _DecidedTable], ...] = ()
        self.decided: tuple[_DecidedTable, ...] = ()  # ... with more
        self.sets = sets_of(key)  # where the key's state is read
        self.free: tuple[_Query, ...] = ()
        self.by_guard: dict[Key, tuple[_Query, ...]] = {}
        # The keys of by_guard again: a set intersection reads the hashes it stores,
        # where walking the dict would read every key string (a cache miss each).
        self.guards: frozenset[Key] = frozenset()
        self.seen = 0  # papers holding the anchor key in the current measuring window

    def empty(self) -> bool:
        return not (self.direct or self.paired or self.decided or self.free or self.by_guard)

    def queries(self) -> list[_Query]:
        """Every query filed here, once."""
        decided = (table.query for table in self.tables())
        guarded = (q for queries in self.by_guard.values() for q in queries)
        return list(dict.fromkeys(itertools.chain(self.direct, decided, self.free, guarded)))

    def tables(self) -> list[_DecidedTable]:
        return [table for _, _, table in self.paired] + list(self.decided)

    def add_table(self, table: _DecidedTable) -> None:
        if len(table.probes) == 1:
            self.paired += ((*table.probes[0], table),)
        else:
            self.decided += (table,)

    def remove_tables_of(self, query: _Query) -> None:
        self.paired = tuple(p for p in self.paired if p[2].query is not query)
        self.decided = tuple(t for t in self.decided if t.query is not query)

    def build_direct_hits(self) -> tuple[Hits, ...]:
        by_state: list[Hits] = [()]
        for state in (1, 2, 3):
            hits: list[RadarHit] = []
            for query in self.direct:
                hits += query.hits_with(decide(query.node, {query.keys[0]: state}))
            by_state.append(tuple(hits))
        self.direct_hits = tuple(by_state) if self.direct else ()
        return self.direct_hits


# A key found in more papers than this, and more than twice what its radars assumed,
# has its radars re-anchored: below it a wrong guess costs little.
_HOT_KEY: Final = 0.01
_LONGEST_WINDOW: Final = 65_536


class RadarIndex:
    """Radars by id, compiled and anchored; ``match`` returns the hits of a paper.

    Anchors are chosen from guessed frequencies (``word_frequency``, fraction of papers
    holding a stem, e.g. :meth:`~academichub.radar.scoring.CorpusStats.word_frequency`).
    The index also counts how many papers hold each anchor key; after ``measure_after``
    papers, then after windows doubling up to 65,536 papers, radars anchored on keys far
    more common than assumed are re-anchored with the measured figures. Anchors and
    guards only decide what is verified, never what matches.
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
        self._table: dict[Key, _Filed] = {}
        self._always: set[_Query] = set()
        self._prefixes = PrefixRegistry()
        # Keys per kind in anchors and guards: a paper gathers only the kinds in use.
        self._kinds: collections.Counter[str] = collections.Counter()
        self._observed: dict[Key, float] = {}
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

    def anchor_keys(self, radar_id: str) -> frozenset[Key]:
        """The keys radar ``radar_id`` is filed under (empty: verified for every paper)."""
        return frozenset(self._radars[radar_id].keys)

    def add(self, radar_id: str, node: Node) -> None:
        """Install ``node`` as radar ``radar_id``, replacing any query it had."""
        current = self._radars.get(radar_id)
        if current is not None and current.node == node:
            return
        query = self._queries.get(node)
        fresh = query is None
        if query is None:
            # Compiled before removing: a failure leaves the old query in place.
            query = _Query(node)
        self.remove(radar_id)
        if fresh:
            for prefix in prefixes_of(node):
                self._prefixes.add(prefix)
            self._queries[node] = query
            self._anchor(query)
        self._set_radars(query, (*query.radar_ids, radar_id))
        self._radars[radar_id] = query

    def remove(self, radar_id: str) -> bool:
        """Forget radar ``radar_id``; False if it was not there."""
        query = self._radars.pop(radar_id, None)
        if query is None:
            return False
        self._set_radars(query, tuple(r for r in query.radar_ids if r != radar_id))
        if not query.radar_ids:
            del self._queries[query.node]
            for prefix in prefixes_of(query.node):
                self._prefixes.discard(prefix)
            self._unanchor(query)
        return True

    def _set_radars(self, query: _Query, radar_ids: tuple[str, ...]) -> None:
        query.set_radars(radar_ids)
        if query.filing() == "direct":
            self._table[query.keys[0]].direct_hits = _STALE

    def reanchor(self, word_frequency: WordFrequency) -> None:
        """Choose every query's anchors again, e.g. with corpus document frequencies."""
        self._word_frequency = word_frequency
        for query in self._queries.values():
            self._unanchor(query)
            self._anchor(query)

    def _anchor(self, query: _Query) -> None:
        found = anchors(query.node, self._word_frequency, self._observed)
        if found is None:
            query.keys, query.guard, query.frequency = (), (), 1.0
            query.compile()
            self._always.add(query)
            return
        query.keys, query.guard = tuple(found.keys), tuple(found.guard)
        query.frequency = found.frequency
        filing = query.filing()
        if filing == "run":
            query.compile()
        for key in query.keys:
            filed = self._table.get(key)
            if filed is None:
                filed = self._table[key] = _Filed(key)
            if filing == "direct":
                filed.direct += (query,)
                filed.direct_hits = _STALE
            elif filing == "decided":
                table = _DecidedTable(query, key)
                query.tables.append(table)
                filed.add_table(table)
            elif not query.guard:
                filed.free += (query,)
            for guard in query.guard:
                filed.by_guard[guard] = (*filed.by_guard.get(guard, ()), query)
            filed.guards = frozenset(filed.by_guard)
        self._kinds.update(map(kind_of, self._looked_up(query)))

    @staticmethod
    def _looked_up(query: _Query) -> tuple[Key, ...]:
        """The keys of ``query`` a paper's key set must hold when the paper does: its
        anchors and guards, and the keys a decided query reads the state of."""
        probed = query.decided if query.decided is not None and query.filing() == "decided" else ()
        return query.keys + query.guard + probed

    def _unanchor(self, query: _Query) -> None:
        filing = query.filing()
        for key in query.keys:
            filed = self._table[key]
            if filing == "direct":
                filed.direct = _without(filed.direct, query)
                filed.direct_hits = _STALE if filed.direct else ()
            elif filing == "decided":
                filed.remove_tables_of(query)
            elif not query.guard:
                filed.free = _without(filed.free, query)
            for guard in query.guard:
                queries = _without(filed.by_guard[guard], query)
                if queries:
                    filed.by_guard[guard] = queries
                else:
                    del filed.by_guard[guard]
            filed.guards = frozenset(filed.by_guard)
            if filed.empty():
                del self._table[key]
        self._kinds.subtract(map(kind_of, self._looked_up(query)))
        query.tables.clear()
        self._always.discard(query)

    def view(self, doc: PaperDocument) -> DocView:
        return DocView(doc, self._prefixes)

    def paper_keys(self, view: DocView) -> set[Key]:
        """The keys of the paper in ``view``, of the kinds that anchors and guards use
        (stems always)."""
        kinds = self._kinds
        keys: set[Key] = set(view.title_set)
        keys.update(view.abstract_set)
        if kinds["pair"]:
            keys.update(view.title_pairs)
            keys.update(view.abstract_pairs)
        if kinds["prefix"]:
            keys.update(view.title_prefixes)
            keys.update(view.abstract_prefixes)
        if kinds["author"]:
            keys.update(_tagged("author", view.author_tokens))
        if kinds["cat"]:
            keys.update(_tagged("cat", view.categories))
        if kinds["cat*"]:
            for category in view.categories:
                keys.update(_head_keys("cat*", category))
        if kinds["source"]:
            keys.add(tagged_key("source", view.source))
        if kinds["source*"]:
            keys.update(_head_keys("source*", view.source))
        if kinds["type"] and view.announce_type is not None:
            keys.add(tagged_key("type", view.announce_type))
        return keys

    def candidates(self, view: DocView) -> set[str]:
        """Radars worth verifying for the paper in ``view`` (a superset of the matches):
        those filed under one of its keys whose guard it passes, and those without
        anchors."""
        keys = self.paper_keys(view)
        queries = set(self._always)
        for key in self._table.keys() & keys:
            queries.update(self._table[key].direct)
            queries.update(table.query for table in self._table[key].tables())
            queries.update(self._table[key].free)
            by_guard = self._table[key].by_guard
            for guard in by_guard.keys() & keys:
                queries.update(by_guard[guard])
        return {radar_id for query in queries for radar_id in query.radar_ids}

    def match(self, doc: PaperDocument) -> list[RadarHit]:
        """The hits of every radar ``doc`` matches, in no particular order."""
        view = DocView(doc, self._prefixes)
        keys = self.paper_keys(view)
        self._stamp = stamp = self._stamp + 1
        table = self._table
        sets = field_sets(view, keys)  # where keys' states are read
        hits: list[RadarHit] = []
        extend = hits.extend
        for query in self._always:
            found = query.run(view)
            if found is not None:
                extend(found)
        intersection = keys.intersection
        # The hot loop (hence the repetition). A query reached through several keys is
        # verified once: it carries the stamp of the last paper it saw.
        for key in table.keys() & keys:
            filed = table[key]
            filed.seen += 1
            direct = filed.direct_hits
            paired = filed.paired
            decided = filed.decided
            if direct or paired or decided:
                at = filed.sets
                state = (key in sets[at]) | ((key in sets[at + 1]) << 1)
                if direct:
                    if direct is _STALE:
                        direct = filed.build_direct_hits()
                    extend(direct[state])
                for probe, at, by_code in paired:
                    code = state | ((probe in sets[at]) << 2) | ((probe in sets[at + 1]) << 3)
                    extend(by_code[code])
                for by_code in decided:
                    code = state
                    shift = 2
                    for probe, at in by_code.probes:
                        code |= ((probe in sets[at]) | ((probe in sets[at + 1]) << 1)) << shift
                        shift += 2
                    extend(by_code[code])
            for query in filed.free:
                if query.stamp != stamp:
                    query.stamp = stamp
                    found = query.run(view)
                    if found is not None:
                        extend(found)
            guards = filed.guards
            if guards:
                by_guard = filed.by_guard
                for guard in intersection(guards):  # in C: most guards fail
                    for query in by_guard[guard]:
                        if query.stamp != stamp:
                            query.stamp = stamp
                            found = query.run(view)
                            if found is not None:
                                extend(found)
        self._window_papers += 1
        if self._window_papers >= self._window:
            self._rebalance()
        return hits

    def _rebalance(self) -> None:
        """Record the window's measured key frequencies; re-anchor radars whose anchors
        proved much more common than they assumed."""
        papers = self._window_papers
        hot: list[tuple[float, _Filed]] = []
        for key, filed in self._table.items():
            frequency = filed.seen / papers
            filed.seen = 0
            if frequency:
                self._observed[key] = frequency
                if frequency >= _HOT_KEY:
                    hot.append((frequency, filed))
        # Re-anchoring changes the table: after the walk.
        for frequency, filed in hot:
            for query in filed.queries():
                if frequency > 2 * query.frequency:
                    self._unanchor(query)
                    self._anchor(query)
        self._window_papers = 0
        self._window = min(2 * self._window, max(self._window, _LONGEST_WINDOW))


def _without(queries: tuple[_Query, ...], query: _Query) -> tuple[_Query, ...]:
    return tuple(q for q in queries if q is not query)


def _tagged(kind: TaggedKind, values: Iterable[str]) -> list[str]:
    return [tagged_key(kind, value) for value in values]


@functools.lru_cache(maxsize=4096)
def _head_keys(kind: TaggedKind, value: str) -> tuple[str, ...]:
    """The keys of every non-empty head of a category or source (``cs.LG``: ``c``,
    ``cs``, ``cs.``, ...): what a group (``cat:cs.*``) is filed under."""
    return tuple(tagged_key(kind, value[:k]) for k in range(1, len(value) + 1))


def match_naive(radars: Mapping[str, Node], doc: PaperDocument) -> list[RadarHit]:
    """Every radar evaluated with the reference evaluator: slow, obviously right."""
    hits = []
    for radar_id in sorted(radars):
        terms = evaluate(radars[radar_id], doc)
        if terms is not None:
            hits.append(RadarHit(radar_id, terms))
    return hits
