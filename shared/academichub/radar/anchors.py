"""Anchor terms: the few keys one of which every paper a radar matches must contain.

This is the presearcher idea of Lucene Monitor and the Elasticsearch percolator. A radar
registers its anchor keys in the index; a paper looks up the keys it contains and only
the radars found that way are verified exactly. The rules keep the set *complete* (no
matching paper can lack every anchor):

* a leaf anchors on one key it cannot match without (a word's stem, a prefix, an
  author's surname, a category, source or type); a phrase anchors on its rarest-looking
  *pair* of consecutive stems (``"function field"`` is rare even though "function" and
  "field" are everywhere, so anchoring on either word would verify it for most papers);
* ``Or`` needs the anchors of every child (any child may be the one that matches);
* ``And`` needs the anchors of one positive child, the most selective one;
* ``Not`` contributes nothing, so a query whose every path is negative (``-quantum``,
  ``NOT type:replace``, ``a OR -b``) has no anchors and is verified for every paper.

Guesses can be wrong for a given stream (every paper of a quant-ph feed has
``cat:quant-ph``), so the index measures how often each key occurs and passes the
measured frequencies back in ``observed`` when it re-anchors.

Keys are field-agnostic (``title:x`` anchors on the stem ``x``): verification checks
the field, and one table per kind keeps the per-paper look-ups few.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from academichub.radar.ast import (
    And,
    AnnounceType,
    Author,
    Category,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Source,
    Word,
)
from academichub.radar.selectivity import (
    WordFrequency,
    estimate,
    guess_word_frequency,
    prefix_frequency,
)

__all__ = ["AnchorKind", "Anchors", "anchors", "pair_key"]

AnchorKind = Literal[
    "word", "pair", "prefix", "author", "cat", "cat_group", "source", "source_group", "type"
]
# Two stems side by side are much rarer than either: a guess, until measured.
_PAIR_SHARE = 0.25


def pair_key(first: str, second: str) -> str:
    """The key of two consecutive stems (stems never contain spaces)."""
    return f"{first} {second}"


@dataclass(frozen=True, slots=True)
class Anchors:
    keys: frozenset[tuple[AnchorKind, str]]
    frequency: float  # rough fraction of papers holding at least one of the keys


def anchors(
    node: Node,
    word_frequency: WordFrequency = guess_word_frequency,
    observed: Mapping[tuple[AnchorKind, str], float] | None = None,
) -> Anchors | None:
    """The anchor keys of ``node``, or None when it can match a paper holding none.

    ``observed`` holds measured frequencies of keys; they win over every guess.
    """
    seen = observed or {}

    def one(kind: AnchorKind, value: str, guess: float) -> Anchors:
        return Anchors(frozenset({(kind, value)}), seen.get((kind, value), guess))

    def word(token: str) -> float:
        return seen.get(("word", token), word_frequency(token))

    def visit(n: Node) -> Anchors | None:
        if isinstance(n, Or):
            keys: set[tuple[AnchorKind, str]] = set()
            total = 0.0
            for child in n.children:
                found = visit(child)
                if found is None:
                    return None
                keys |= found.keys
                total += found.frequency
            return Anchors(frozenset(keys), min(1.0, total))
        if isinstance(n, And):
            best: Anchors | None = None
            for child in n.children:
                found = visit(child)
                if found is not None and (best is None or found.frequency < best.frequency):
                    best = found
            return best
        if isinstance(n, Not):
            return None
        if isinstance(n, Word):
            return one("word", n.token, word(n.token))
        if isinstance(n, Phrase):
            # The rarest-looking pair; among equals the first.
            pairs = [
                (pair_key(a, b), _PAIR_SHARE * min(word(a), word(b)))
                for a, b in itertools.pairwise(n.tokens)
            ]
            key, guess = min(pairs, key=lambda pair: seen.get(("pair", pair[0]), pair[1]))
            return one("pair", key, guess)
        if isinstance(n, Prefix):
            return one("prefix", n.prefix, prefix_frequency(n.prefix))
        if isinstance(n, Author):
            return one("author", n.tokens[-1], estimate(n))
        if isinstance(n, Category):
            return one("cat_group" if n.group else "cat", n.value, estimate(n))
        if isinstance(n, Source):
            return one("source_group" if n.group else "source", n.value, estimate(n))
        assert isinstance(n, AnnounceType)
        return one("type", n.value, estimate(n))

    return visit(node)
