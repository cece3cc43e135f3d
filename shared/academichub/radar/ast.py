"""The radar query AST: one meaning, compiled three ways.

The leaves and what each of them means live in :mod:`academichub.radar.leaves`; this
module adds the operators. ``And`` needs all its children, ``Or`` one of them, ``Not``
that its child does not match.
"""

from __future__ import annotations

from dataclasses import dataclass

from academichub.radar.leaves import (
    AnnounceType,
    Author,
    Category,
    Leaf,
    Phrase,
    Prefix,
    Source,
    TextField,
    Word,
)

__all__ = [
    "And",
    "AnnounceType",
    "Author",
    "Category",
    "Leaf",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Source",
    "TextField",
    "Word",
    "leaves_of",
]


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Leaf | And | Or | Not


def leaves_of(node: Node) -> list[Leaf]:
    """Every leaf of ``node``, negated or not, in query order (with repeats)."""
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in leaves_of(child)]
    if isinstance(node, Not):
        return leaves_of(node.child)
    return [node]
