"""Anchor terms: the few keys one of which every paper a radar matches must contain.

This is the presearcher idea of Lucene Monitor and the Elasticsearch percolator. A radar
registers its anchor keys in the index; a paper looks up the keys it contains and only
the radars found that way are verified exactly. The rules keep the set *complete* (no
matching paper can lack every anchor):

* a leaf anchors on one key it cannot match without (a word's stem, a phrase's
  rarest-looking stem, a prefix, an author's surname, a category, source or type);
* ``Or`` needs the anchors of every child (any child may be the one that matches);
* ``And`` needs the anchors of one positive child, the most selective one;
* ``Not`` contributes nothing, so a query whose every path is negative (``-quantum``,
  ``NOT type:replace``, ``a OR -b``) has no anchors and is verified for every paper.

Keys are field-agnostic (``title:x`` anchors on the stem ``x``): verification checks
the field, and one table per kind keeps the per-paper look-ups few.
"""

from __future__ import annotations

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

__all__ = ["AnchorKind", "Anchors", "anchors"]

AnchorKind = Literal[
    "word", "prefix", "author", "cat", "cat_group", "source", "source_group", "type"
]


@dataclass(frozen=True, slots=True)
class Anchors:
    keys: frozenset[tuple[AnchorKind, str]]
    frequency: float  # rough fraction of papers holding at least one of the keys


def anchors(node: Node, word_frequency: WordFrequency = guess_word_frequency) -> Anchors | None:
    """The anchor keys of ``node``, or None when it can match a paper holding none."""
    if isinstance(node, Or):
        keys: set[tuple[AnchorKind, str]] = set()
        total = 0.0
        for child in node.children:
            found = anchors(child, word_frequency)
            if found is None:
                return None
            keys |= found.keys
            total += found.frequency
        return Anchors(frozenset(keys), min(1.0, total))
    if isinstance(node, And):
        best: Anchors | None = None
        for child in node.children:
            found = anchors(child, word_frequency)
            if found is not None and (best is None or found.frequency < best.frequency):
                best = found
        return best
    if isinstance(node, Not):
        return None
    if isinstance(node, Word):
        return _one("word", node.token, word_frequency(node.token))
    if isinstance(node, Phrase):
        # The rarest-looking token; among equals the longest, then the first.
        rarest = min(node.tokens, key=lambda t: (word_frequency(t), -len(t)))
        return _one("word", rarest, word_frequency(rarest))
    if isinstance(node, Prefix):
        return _one("prefix", node.prefix, prefix_frequency(node.prefix))
    if isinstance(node, Author):
        return _one("author", node.tokens[-1], estimate(node))
    if isinstance(node, Category):
        return _one("cat_group" if node.group else "cat", node.value, estimate(node))
    if isinstance(node, Source):
        return _one("source_group" if node.group else "source", node.value, estimate(node))
    assert isinstance(node, AnnounceType)
    return _one("type", node.value, estimate(node))


def _one(kind: AnchorKind, value: str, frequency: float) -> Anchors:
    return Anchors(frozenset({(kind, value)}), frequency)
