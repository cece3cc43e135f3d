"""Queries decided by *where* a paper holds their keys, without running them.

Most radars are a topic and little else: ``spin``, ``"spin chains"``, ``quantiz*``,
``(magnon OR spinon)``, ``entanglement -harvesting``, ``qubit NOT type:replace``.
Whether such a query matches a paper, and which terms fire, follows from one small
number per key: its *state*, whether the paper holds the key in the title (1), the
abstract (2), both (3) or neither (0); a key of another kind (category, source, announce
type) is held everywhere (3) or not at all (0). The index reads the states of a query's
few keys and looks its hits up in a table filled on first sight, instead of calling the
compiled query: at 100,000 radars the call's scattered objects, not its bytecode, were
what a match cost.

A leaf is decided by its key when the key says exactly what the leaf says: a word (its
stem), a two-word phrase (its pair of stems side by side), a prefix, an exact category,
source or announce type. Authors (a surname is the *last* name token, not any token),
longer phrases and groups (``cat:cs.*``) are not.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Final

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import Key, kind_of, pair_key, tagged_key
from academichub.radar.ast import (
    And,
    AnnounceType,
    Category,
    Leaf,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Source,
    Word,
)
from academichub.radar.compiled import DocView
from academichub.radar.evaluate import combine, text_fields

__all__ = [
    "KEY_SETS",
    "PAIR_SETS",
    "PREFIX_SETS",
    "WORD_SETS",
    "FieldSets",
    "decide",
    "decided_keys",
    "field_sets",
    "sets_of",
]

Terms = tuple[MatchedTerm, ...]
FieldSets = tuple[Set[Key], ...]

# Where a key's title and abstract sets are in field_sets(): the title at the offset,
# the abstract after it. Keys of other kinds are looked up in the paper's key set twice,
# so a key held is state 3.
WORD_SETS: Final = 0
PAIR_SETS: Final = 2
PREFIX_SETS: Final = 4
KEY_SETS: Final = 6
# More keys than this and the table of states a query fills grows past its worth.
_MOST_KEYS: Final = 4


def field_sets(view: DocView, keys: Set[Key]) -> FieldSets:
    """The sets a key's state is read from, at the offsets above (``keys``: every key
    of the paper, as the index gathers them)."""
    return (
        view.title_set,
        view.abstract_set,
        view.title_pairs,
        view.abstract_pairs,
        view.title_prefixes,
        view.abstract_prefixes,
        keys,
        keys,
    )


def sets_of(key: Key) -> int:
    """The offset in :func:`field_sets` of the sets ``key`` is looked up in."""
    return _SETS_BY_KIND.get(kind_of(key), KEY_SETS)


_SETS_BY_KIND: Final = {"word": WORD_SETS, "pair": PAIR_SETS, "prefix": PREFIX_SETS}


def _leaf_key(node: Node) -> Key | None:
    if isinstance(node, Word):
        return node.token
    if isinstance(node, Phrase):
        return pair_key(*node.tokens) if len(node.tokens) == 2 else None
    if isinstance(node, Prefix):
        return tagged_key("prefix", node.prefix)
    if isinstance(node, Category):
        return None if node.group else tagged_key("cat", node.value)
    if isinstance(node, Source):
        return None if node.group else tagged_key("source", node.value)
    if isinstance(node, AnnounceType):
        return tagged_key("type", node.value)
    return None


def decided_keys(node: Node) -> tuple[Key, ...] | None:
    """The keys whose states decide ``node``, in query order; None if it is not decided
    by them (a leaf that is not, or too many keys)."""
    found: dict[Key, None] = {}

    def visit(n: Node) -> bool:
        if isinstance(n, And | Or):
            return all(visit(child) for child in n.children)
        if isinstance(n, Not):
            return visit(n.child)
        key = _leaf_key(n)
        if key is None:
            return False
        found[key] = None
        return True

    if not visit(node) or len(found) > _MOST_KEYS:
        return None
    return tuple(found)


def decide(node: Node, states: Mapping[Key, int]) -> Terms | None:
    """What :func:`academichub.radar.evaluate.evaluate` gives a paper holding each key of
    ``node`` in the fields ``states`` says (``node`` must be decided by its keys)."""
    return combine(node, lambda leaf: _fields(leaf, states))


def _fields(leaf: Leaf, states: Mapping[Key, int]) -> list[str]:
    key = _leaf_key(leaf)
    assert key is not None, f"{leaf!r} is not decided by a key"
    state = states[key]
    if isinstance(leaf, Word | Phrase | Prefix):
        allowed = text_fields(leaf.field)
        return [f for bit, f in ((1, "title"), (2, "abstract")) if state & bit and f in allowed]
    if not state:
        return []
    if isinstance(leaf, Source):
        return ["source"]
    return ["type"] if isinstance(leaf, AnnounceType) else ["cat"]
