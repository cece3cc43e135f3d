"""Anchor keys and guards: which papers a radar must even be looked at for.

This is the presearcher idea of Lucene Monitor and the Elasticsearch percolator. Every
query is reduced to *clauses*: sets of keys such that a paper it matches holds at least
one key of each clause. The index registers a query under the keys of its rarest clause
(the *anchor*), and checks its second-rarest clause (the *guard*) against the paper's
keys before verifying it exactly. The rules keep every clause *complete* (no matching
paper can lack all of its keys):

* a leaf gives one single-key clause per key it cannot match without (its
  :meth:`~academichub.radar.leaves.Word.clauses`): a word its stem, a phrase each *pair*
  of consecutive stems (``"function field"`` is rare even though "function" and "field"
  are everywhere), a prefix, each token of an author's name, a category, source or type;
* ``And`` needs all of its children: the clauses of every child;
* ``Or`` needs one of its children: a single clause joining the best clause of each
  child, none if some child has none;
* ``Not`` gives no clause, so a query whose every path is negative (``-quantum``,
  ``NOT type:replace``, ``a OR -b``) has no anchor and is verified for every paper.

Anchoring an ``And`` on its rarest conjunct and guarding it with the next keeps most
conjunctions from being verified at all: "cat:quant-ph spin chains" is anchored on
"chain" and only verified for papers that also hold "spin".

Guesses can be wrong for a given stream (every paper of a quant-ph feed has
``cat:quant-ph``), so the index measures how often each key occurs and passes the
measured frequencies back in ``observed`` when it re-anchors.

Keys are those of :mod:`academichub.radar.keys`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from academichub.radar.ast import And, Node, Not, Or
from academichub.radar.keys import Key
from academichub.radar.selectivity import WordFrequency, guess_word_frequency

__all__ = ["Anchors", "anchors"]


@dataclass(frozen=True, slots=True)
class _Clause:
    keys: frozenset[Key]
    frequency: float  # rough fraction of papers holding at least one of the keys


@dataclass(frozen=True, slots=True)
class Anchors:
    keys: frozenset[Key]  # a matching paper holds one of these: the query is filed under them
    frequency: float  # rough fraction of papers holding at least one of the keys
    guard: frozenset[Key]  # ... and one of these too (empty: no second clause)


def anchors(
    node: Node,
    word_frequency: WordFrequency = guess_word_frequency,
    observed: Mapping[Key, float] | None = None,
) -> Anchors | None:
    """The anchor and guard of ``node``, or None when it can match a paper holding none
    of its keys.

    ``observed`` holds measured frequencies of keys; they win over every guess.
    """
    seen = observed or {}

    def word(stem: str) -> float:
        return seen.get(stem, word_frequency(stem))

    def visit(n: Node) -> list[_Clause]:
        if isinstance(n, And):
            return [clause for child in n.children for clause in visit(child)]
        if isinstance(n, Or):
            keys: set[Key] = set()
            total = 0.0
            for child in n.children:
                found = visit(child)
                if not found:
                    return []
                best = min(found, key=_by_frequency)
                keys |= best.keys
                total += best.frequency
            return [_Clause(frozenset(keys), min(1.0, total))]
        if isinstance(n, Not):
            return []
        return [_Clause(frozenset((key,)), seen.get(key, guess)) for key, guess in n.clauses(word)]

    clauses = visit(node)
    if not clauses:
        return None
    # The rarest clause anchors; among equals the first (min is stable).
    anchor = min(clauses, key=_by_frequency)
    # A clause holding every anchor key would pass whenever the anchor does.
    guards = [c for c in clauses if not anchor.keys <= c.keys]
    guard = min(guards, key=_by_frequency).keys if guards else frozenset()
    return Anchors(anchor.keys, anchor.frequency, guard)


def _by_frequency(clause: _Clause) -> float:
    return clause.frequency
