"""The reference semantics of the radar language: walk the AST over one paper.

:func:`evaluate` is deliberately the plainest possible reading of the language: each
leaf reads the paper as :mod:`academichub.radar.leaves` says; the radar index, the
in-memory store's search and the full-text compilations are all checked against it.

What fired (the "why" of a match) is defined here too:

* a leaf that matches contributes one :class:`MatchedTerm` per field it matched in
  (a ``text`` leaf found in both title and abstract gives two, title first);
* ``And`` contributes the terms of all its children, ``Or`` those of every child that
  matched (not only the first), ``Not`` nothing;
* the result lists terms in depth-first order of the query, each once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

from academichub.contracts import MatchedTerm
from academichub.radar.ast import And, Leaf, Node, Not, Or
from academichub.radar.document import PaperDocument
from academichub.radar.leaves import fired_fields, state

__all__ = ["combine", "evaluate", "interned_term"]

Terms = tuple[MatchedTerm, ...]

# Held weakly: a term lives as long as a match or an index table holds it, so radars
# coming and going do not grow the table.
_INTERNED: weakref.WeakValueDictionary[tuple[str, str], MatchedTerm] = weakref.WeakValueDictionary()


def interned_term(field: str, term: str) -> MatchedTerm:
    """One object per (field, term) while any is in use: terms are told apart by
    identity, without hashing a model, and the index's hits share them."""
    key = (field, term)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = MatchedTerm(field=field, term=term)
    return found


def evaluate(node: Node, doc: PaperDocument) -> Terms | None:
    """None if ``doc`` does not match ``node``; otherwise the positive terms that fired
    (empty for a match made only of negations)."""
    return combine(node, lambda leaf: fired_fields(leaf, state(leaf, doc)))


def combine(node: Node, fields_of: Callable[[Leaf], Sequence[str]]) -> Terms | None:
    """The rules above over the fields each leaf fired in (``fields_of``; none: the leaf
    does not match): what :func:`evaluate` and the index's tables share."""
    if isinstance(node, And):
        parts = []
        for child in node.children:
            fired = combine(child, fields_of)
            if fired is None:
                return None
            parts.append(fired)
        return _merge(parts)
    if isinstance(node, Or):
        results = [combine(child, fields_of) for child in node.children]
        found = [r for r in results if r is not None]
        return _merge(found) if found else None
    if isinstance(node, Not):
        return None if combine(node.child, fields_of) is not None else ()
    fields = fields_of(node)
    if not fields:
        return None
    term = node.term()
    return tuple(interned_term(f, term) for f in fields)


def _merge(parts: Sequence[Terms]) -> Terms:
    """In order, each once (interned: told apart by identity; the parts hold every term,
    so none is collected meanwhile)."""
    seen: set[int] = set()
    merged = []
    for part in parts:
        for term in part:
            if id(term) not in seen:
                seen.add(id(term))
                merged.append(term)
    return tuple(merged)
