"""The radar index: match one paper against every radar at a cost that grows with the
candidate radars, not with the number of radars.

Each distinct query is installed once, shared by the radars that use it, and filed
under its anchor keys with its guard (:mod:`academichub.radar.anchors`). A query is
answered from the *states* of its leaves (where the paper holds each one: title,
abstract, both, elsewhere or nowhere; :mod:`academichub.radar.leaves`): which radars
match and which terms fired follow from those few numbers, so each query keeps a table
from states to its hits, filled on first sight with the reference rules
(:func:`academichub.radar.evaluate.combine`) and reused for every later paper. A leaf
with a key reads its state with two set look-ups (:mod:`academichub.radar.view`); the
few without one (a phrase of three words, an author's full name) read the paper itself.

Matching a paper:

1. view it once (:class:`~academichub.radar.view.PaperView`) and gather its keys (stems,
   pairs of consecutive stems, the registered prefixes its tokens start with, author
   tokens, categories and their heads, source, type) into one set;
2. intersect that set with the anchor table; for each key found:

   * queries that are that key's leaf alone (a word, a two-word phrase, a prefix, a
     category ...) give their hits by the key's state, all of them in one tuple;
   * the others, if the paper also holds a key of their guard (one set operation), are
     answered from their table, once per paper however many keys reach them;

3. queries without any anchor (only negations) are answered for every paper.

At 100,000 radars what a match costs is the memory it touches, not arithmetic: hits are
built once per outcome and reused, and most queries are never reached.

The index counts how often each anchor key turns up and re-anchors queries whose
anchors proved common (see :class:`RadarIndex`).

:func:`match_naive` evaluates every radar with the reference evaluator; it defines the
right answer for the property tests and is the baseline of the benchmark.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Mapping
from typing import Final, NamedTuple

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import anchors
from academichub.radar.ast import Leaf, Node, leaves_of
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import combine, evaluate
from academichub.radar.keys import Key, kind_of
from academichub.radar.leaves import fired_fields, state
from academichub.radar.view import (
    KeySets,
    PairRegistry,
    PaperView,
    PrefixRegistry,
    key_sets,
    paper_keys,
    sets_at,
)

__all__ = ["RadarHit", "RadarIndex", "match_naive"]


class RadarHit(NamedTuple):
    # A named tuple, not a dataclass: a busy paper makes hundreds, and this is the
    # cheapest immutable record to build.
    radar_id: str
    terms: tuple[MatchedTerm, ...]


# RadarHit(a, b) runs a Python-level __new__; the tuple constructor does the same in C.
_new_tuple: Final = tuple.__new__

Hits = tuple[RadarHit, ...]

# A query's table keeps at most this many outcomes; a query of many leaves meeting many
# different papers computes the rest each time instead of growing without bound.
_MOST_OUTCOMES: Final = 256


class _Query:
    """One distinct installed query and the radars that share it (many people follow the
    same topic): it is anchored and answered once per paper however many share it.
    Hashed by identity, so the anchor tables are cheap to build and walk."""

    __slots__ = (
        "computed",
        "frequency",
        "guard",
        "keys",
        "node",
        "outcomes",
        "radar_ids",
        "read",
        "stamp",
    )

    def __init__(self, node: Node) -> None:
        self.node = node
        self.stamp = 0  # the last paper it was answered for
        # A tuple, rebuilt on change: one object less to reach per hit than a list.
        self.radar_ids: tuple[str, ...] = ()
        # Its leaves' states, in this order, make the code its table is keyed by: first
        # the keys read from the paper's sets (key, where), then the leaves read in full.
        keyed: dict[Key, None] = {}
        computed: dict[Leaf, None] = {}
        for leaf in leaves_of(node):
            key = leaf.key()
            if key is None:
                computed[leaf] = None
            else:
                keyed[key] = None
        self.read = tuple((key, sets_at(key)) for key in keyed)
        self.computed = tuple(computed)
        self.outcomes = _Outcomes(self)
        # Tuples, not frozensets: a small tuple is a quarter of the size.
        self.keys: tuple[Key, ...] = ()  # empty: answered for every paper
        self.guard: tuple[Key, ...] = ()  # the paper must hold one of these too
        self.frequency = 1.0  # what the anchors were expected to cost

    def decided(self) -> bool:
        """Whether it is keyed leaves only and unguarded (``a -b``, ``a OR b OR c``): the
        index reads their states where it files it, without calling :meth:`answer`."""
        return bool(self.keys) and not self.guard and not self.computed and not self.direct()

    def direct(self) -> bool:
        """Whether it is the leaf of its one anchor key, unguarded: its hits then follow
        from that key's state alone (see :class:`_Filed`)."""
        return (
            len(self.keys) == 1
            and not self.guard
            and not self.computed
            and self.read == ((self.keys[0], sets_at(self.keys[0])),)
        )

    def answer(self, sets: KeySets, doc: PaperDocument) -> Hits:
        """Its hits for the paper whose key sets are ``sets``."""
        code = 0
        shift = 0
        for key, at in self.read:
            code |= ((key in sets[at]) | ((key in sets[at + 1]) << 1)) << shift
            shift += 2
        for leaf in self.computed:
            code |= state(leaf, doc) << shift
            shift += 2
        return self.outcomes[code]

    def set_radars(self, radar_ids: tuple[str, ...]) -> None:
        self.radar_ids = radar_ids
        self.outcomes.clear()

    def hits_with(self, terms: tuple[MatchedTerm, ...] | None) -> Hits:
        if terms is None:
            return ()
        return tuple(_new_tuple(RadarHit, (r, terms)) for r in self.radar_ids)


class _Outcomes(dict[int, Hits]):
    """A query's hits by the code of its leaves' states (two bits per leaf, in the
    query's reading order), worked out on first sight."""

    __slots__ = ("_query",)

    def __init__(self, query: _Query) -> None:
        super().__init__()
        self._query = query

    def __missing__(self, code: int) -> Hits:
        query = self._query
        states: dict[Key | Leaf, int] = {}
        for i, (key, _) in enumerate(query.read):
            states[key] = code >> 2 * i & 3
        shift = 2 * len(query.read)
        for i, leaf in enumerate(query.computed):
            states[leaf] = code >> shift + 2 * i & 3

        def fields_of(leaf: Leaf) -> list[str]:
            key = leaf.key()
            return fired_fields(leaf, states[leaf if key is None else key])

        hits = query.hits_with(combine(query.node, fields_of))
        if len(self) < _MOST_OUTCOMES:
            self[code] = hits
        return hits


# A decided query of two keys as filed under one of them: (the other key, where its state
# is read, whether the filed key's state is the low bits of the code, table, the query's
# anchor keys filed before this one, the query). With more keys: (the keys and where,
# table, earlier anchor keys, the query).
_Pair = tuple[Key, int, bool, _Outcomes, tuple[Key, ...], _Query]
_Decided = tuple[tuple[tuple[Key, int], ...], _Outcomes, tuple[Key, ...], _Query]


class _Stale(tuple[Hits, ...]):
    """The type of :data:`_STALE`, pickled by reference: the hot loop tests it by identity,
    and an index read back from a snapshot (:mod:`academichub.matcher.snapshot`) must
    still hold this very object, not an equal copy."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "_STALE"


# Marks a _Filed's direct hits to be built again before use: not empty, so the hot loop
# tests one truth value for "none" and "stale" together.
_STALE: Final[tuple[Hits, ...]] = _Stale(((),))


class _Filed:
    """The queries filed under one anchor key:

    * direct queries, the key's own leaf: their hits are kept together by the key's state
      (title, abstract, both), one ``extend`` per paper for all of them;
    * decided queries, keyed leaves only and no guard (most queries that are not a lone
      leaf: ``a -b``, ``a OR b``): their states read in the hot loop and their table
      looked up there, no call; those of two keys (``paired``) reuse the filed key's state;
    * the other queries without a guard (a leaf read in full), answered for every paper
      holding the key;
    * the others by guard key, answered for a paper holding one of the keys they are
      listed under (a query guarded by an ``Or`` is listed under each of its keys).

    A query anchored on several keys (an ``Or``) is reached through each one the paper
    holds: a decided one is answered under the first of them only (``earlier``: its anchor
    keys filed before this one), the others carry the stamp of the last paper they saw."""

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
        self.sets = sets_at(key)  # where the key's state is read
        self.paired: tuple[_Pair, ...] = ()
        self.decided: tuple[_Decided, ...] = ()
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
        guarded = (q for queries in self.by_guard.values() for q in queries)
        paired = (entry[5] for entry in self.paired)
        decided = (entry[3] for entry in self.decided)
        everything = itertools.chain(self.direct, paired, decided, self.free, guarded)
        return list(dict.fromkeys(everything))

    def add_decided(self, key: Key, query: _Query, earlier: tuple[Key, ...]) -> None:
        if len(query.read) == 2:
            (first, _), (second, at) = query.read
            low = first == key
            other, at_other = (second, at) if low else query.read[0]
            self.paired += ((other, at_other, low, query.outcomes, earlier, query),)
        else:
            self.decided += ((query.read, query.outcomes, earlier, query),)

    def remove_decided(self, query: _Query) -> None:
        self.paired = tuple(entry for entry in self.paired if entry[-1] is not query)
        self.decided = tuple(entry for entry in self.decided if entry[-1] is not query)

    def build_direct_hits(self) -> tuple[Hits, ...]:
        by_state: list[Hits] = [()]
        for found in (1, 2, 3):
            hits: list[RadarHit] = []
            for query in self.direct:
                hits += query.outcomes[found]
            by_state.append(tuple(hits))
        self.direct_hits = tuple(by_state) if self.direct else ()
        return self.direct_hits


# A key found in more papers than this, and more than twice what its radars assumed,
# has its radars re-anchored: below it a wrong guess costs little.
_HOT_KEY: Final = 0.01
_LONGEST_WINDOW: Final = 65_536


class RadarIndex:
    """Radars by id, anchored; ``match`` returns the hits of a paper.

    Anchors are chosen from guessed frequencies
    (:func:`~academichub.radar.selectivity.guess_word_frequency`). The index also counts
    how many papers hold each anchor key; after ``measure_after`` papers, then after
    windows doubling up to 65,536 papers, radars anchored on keys far more common than
    assumed are re-anchored with the measured figures. Anchors and guards only decide
    what is answered, never what matches.
    """

    def __init__(self, *, measure_after: int = 1024) -> None:
        if measure_after < 1:
            raise ValueError("measure_after must be at least 1 paper")
        self._radars: dict[str, _Query] = {}
        self._queries: dict[Node, _Query] = {}
        self._table: dict[Key, _Filed] = {}
        self._always: set[_Query] = set()
        self._prefixes = PrefixRegistry()
        self._pairs = PairRegistry()
        # Keys per kind in anchors, guards and leaves: a paper gathers only the kinds in use.
        self._kinds: collections.Counter[str] = collections.Counter()
        self._observed: dict[Key, float] = {}
        self._window = measure_after
        self._window_papers = 0
        self._stamp = 0

    def __len__(self) -> int:
        return len(self._radars)

    def add(self, radar_id: str, node: Node) -> None:
        """Install ``node`` as radar ``radar_id``, replacing any query it had."""
        current = self._radars.get(radar_id)
        if current is not None and current.node == node:
            return
        query = self._queries.get(node)
        fresh = query is None
        if query is None:
            # Made before removing the radar's old query: a failure leaves that in place.
            query = _Query(node)
        self.remove(radar_id)
        if fresh:
            for key in _prefix_keys(query):
                self._prefixes.add(key)
            for pair in _pair_keys(query):
                self._pairs.add(pair)
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
            for key in _prefix_keys(query):
                self._prefixes.discard(key)
            for pair in _pair_keys(query):
                self._pairs.discard(pair)
            self._unanchor(query)
        return True

    def _set_radars(self, query: _Query, radar_ids: tuple[str, ...]) -> None:
        query.set_radars(radar_ids)
        if query.direct():
            self._table[query.keys[0]].direct_hits = _STALE

    def _anchor(self, query: _Query) -> None:
        found = anchors(query.node, observed=self._observed)
        if found is None:
            query.keys, query.guard, query.frequency = (), (), 1.0
            self._always.add(query)
        else:
            query.keys, query.guard = tuple(found.keys), tuple(found.guard)
            query.frequency = found.frequency
            direct = query.direct()
            decided = query.decided()
            for position, key in enumerate(query.keys):
                filed = self._table.get(key)
                if filed is None:
                    filed = self._table[key] = _Filed(key)
                if direct:
                    filed.direct += (query,)
                    filed.direct_hits = _STALE
                elif decided:
                    filed.add_decided(key, query, query.keys[:position])
                elif not query.guard:
                    filed.free += (query,)
                for guard in query.guard:
                    filed.by_guard[guard] = (*filed.by_guard.get(guard, ()), query)
                filed.guards = frozenset(filed.by_guard)
        self._kinds.update(map(kind_of, _looked_up(query)))

    def _unanchor(self, query: _Query) -> None:
        direct = query.direct()
        decided = query.decided()
        for key in query.keys:
            filed = self._table[key]
            if direct:
                filed.direct = _without(filed.direct, query)
                filed.direct_hits = _STALE if filed.direct else ()
            elif decided:
                filed.remove_decided(query)
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
        self._kinds.subtract(map(kind_of, _looked_up(query)))
        self._always.discard(query)

    def match(self, doc: PaperDocument) -> list[RadarHit]:
        """The hits of every radar ``doc`` matches, in no particular order."""
        view = PaperView(doc, self._prefixes, self._pairs)
        keys = paper_keys(view, self._kinds)
        self._stamp = stamp = self._stamp + 1
        table = self._table
        sets = key_sets(view, keys)  # where keys' states are read
        hits: list[RadarHit] = []
        extend = hits.extend
        for query in self._always:
            extend(query.answer(sets, doc))
        intersection = keys.intersection
        # The hot loop (hence the repetition). A query reached through several keys is
        # answered once: it carries the stamp of the last paper it saw.
        for key in table.keys() & keys:
            filed = table[key]
            filed.seen += 1
            direct = filed.direct_hits
            paired = filed.paired
            if direct or paired:
                at = filed.sets
                state = (key in sets[at]) | ((key in sets[at + 1]) << 1)
                if direct:
                    if direct is _STALE:
                        direct = filed.build_direct_hits()
                    extend(direct[state])
                for other, there, low, outcomes, earlier, _ in paired:
                    if earlier and not keys.isdisjoint(earlier):
                        continue  # answered under an earlier anchor key of its own
                    found = (other in sets[there]) | ((other in sets[there + 1]) << 1)
                    extend(outcomes[state | found << 2 if low else found | state << 2])
            for read, outcomes, earlier, _ in filed.decided:
                if earlier and not keys.isdisjoint(earlier):
                    continue
                code = 0
                shift = 0
                for probe, there in read:
                    code |= ((probe in sets[there]) | ((probe in sets[there + 1]) << 1)) << shift
                    shift += 2
                extend(outcomes[code])
            for query in filed.free:
                if query.stamp != stamp:
                    query.stamp = stamp
                    extend(query.answer(sets, doc))
            guards = filed.guards
            if guards:
                by_guard = filed.by_guard
                for guard in intersection(guards):  # in C: most guards fail
                    for query in by_guard[guard]:
                        if query.stamp != stamp:
                            query.stamp = stamp
                            extend(query.answer(sets, doc))
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


def _looked_up(query: _Query) -> tuple[Key, ...]:
    """The keys of ``query`` a paper's key set must hold when the paper does: its
    anchors and guards, and the keys whose states it reads."""
    return query.keys + query.guard + tuple(key for key, _ in query.read)


def _prefix_keys(query: _Query) -> list[str]:
    """The prefix keys ``query`` reads (its prefix anchors among them), to register
    before use."""
    return [key for key, _ in query.read if isinstance(key, str) and kind_of(key) == "prefix"]


def _pair_keys(query: _Query) -> list[tuple[str, str]]:
    """The pair keys ``query`` reads or may be anchored or guarded on (its leaves'
    clauses, whatever anchors are chosen), to register before use."""
    clauses = (key for leaf in leaves_of(query.node) for key, _ in leaf.clauses(_any_frequency))
    keys = itertools.chain((key for key, _ in query.read), clauses)
    return list(dict.fromkeys(key for key in keys if isinstance(key, tuple)))


def _any_frequency(stem: str) -> float:
    return 0.0  # clauses are asked for their keys only


def _without(queries: tuple[_Query, ...], query: _Query) -> tuple[_Query, ...]:
    return tuple(q for q in queries if q is not query)


def match_naive(radars: Mapping[str, Node], doc: PaperDocument) -> list[RadarHit]:
    """Every radar evaluated with the reference evaluator: slow, obviously right."""
    hits = []
    for radar_id in sorted(radars):
        terms = evaluate(radars[radar_id], doc)
        if terms is not None:
            hits.append(RadarHit(radar_id, terms))
    return hits
