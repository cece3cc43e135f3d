"""Index keys: how the radar index names what a paper holds.

All kinds share one key space so that one set holds a paper's keys: a word is its stem,
a pair of consecutive stems the tuple of the two, every other kind ``"<kind>\\x1f<value>"``
(stems hold letters and digits only, so the kinds cannot collide). Keys are
field-agnostic: ``title:x`` and ``abstract:x`` share the key ``x``, and the index reads
*where* the paper holds it (its state, see :mod:`academichub.radar.leaves`).
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["Key", "TaggedKind", "kind_of", "pair_key", "tagged_key"]

Key = str | tuple[str, str]
TaggedKind = Literal["prefix", "author", "cat", "cat*", "source", "source*", "type"]

_TAG: Final = "\x1f"


def pair_key(first: str, second: str) -> tuple[str, str]:
    """The key of two consecutive stems."""
    return (first, second)


def tagged_key(kind: TaggedKind, value: str) -> str:
    """The key of a prefix, author token, category, source or type (``*`` kinds: a
    group, keyed by its head, e.g. ``cat*`` ``cs.``)."""
    return f"{kind}{_TAG}{value}"


def kind_of(key: Key) -> str:
    """``word``, ``pair`` or the tagged kind of ``key``."""
    if isinstance(key, tuple):
        return "pair"
    kind, tag, _ = key.partition(_TAG)
    return kind if tag else "word"
