"""Render an AST back to query text that parses to the same AST.

Each leaf is written from its ``raw`` value (what the user typed), quoted when a bare
word would be read differently, so ``parse_query(render_query(node)) == node`` for every
AST the parser produces. Useful to show a normalised query and to test the parser.

:func:`render_explicit` writes the same query with every operator spelt out and every
group in brackets (``quantum OR (qubit AND NOT decoding)``): how the parser read it,
shown to a person who wonders why a radar matches what it does.
"""

from __future__ import annotations

import re

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

__all__ = ["render_explicit", "render_query"]

# A value written right after "field:" may hold ':' and operator words, but no spaces,
# brackets, quotes, leading '-' or (except cat:/source: groups) '*'.
_FIELD_VALUE = re.compile(r'[^\s()"*\-][^\s()"*]*')
_GROUP_VALUE = re.compile(r'[^\s()"*\-][^\s()"*]*\*?')
# A bare word also must not look like "name:" (a field) or an operator.
_BARE_WORD = re.compile(r'[^\s()"*:\-][^\s()"*:]*')
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT"})


def render_query(node: Node) -> str:
    if isinstance(node, Or):
        return " OR ".join(render_query(child) for child in node.children)
    if isinstance(node, And):
        return " ".join(
            f"({render_query(c)})" if isinstance(c, Or) else render_query(c) for c in node.children
        )
    if isinstance(node, Not):
        child = node.child
        inner = render_query(child)
        return f"-({inner})" if isinstance(child, And | Or) else f"-{inner}"
    return _render_leaf(node)


def render_explicit(node: Node) -> str:
    """The query fully bracketed, with AND, OR and NOT written out; it parses to ``node``."""
    if isinstance(node, Or):
        return " OR ".join(_explicit_operand(child) for child in node.children)
    if isinstance(node, And):
        return " AND ".join(_explicit_operand(child) for child in node.children)
    if isinstance(node, Not):
        return f"NOT {_explicit_operand(node.child)}"
    return _render_leaf(node)


def _explicit_operand(node: Node) -> str:
    # NOT binds tighter than AND and OR, so "a AND NOT b" needs no brackets round "NOT b".
    text = render_explicit(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _quoted_unless(pattern: re.Pattern[str], raw: str) -> str:
    return raw if pattern.fullmatch(raw) else f'"{raw}"'


def _render_leaf(node: Node) -> str:
    if isinstance(node, Word | Phrase):
        if node.field == "text":
            bare = _BARE_WORD.fullmatch(node.raw) and node.raw not in _OPERATOR_WORDS
            return node.raw if bare else f'"{node.raw}"'
        return f"{node.field}:{_quoted_unless(_FIELD_VALUE, node.raw)}"
    if isinstance(node, Prefix):
        # The parser only accepts letters/digits then '*': always safe bare.
        return node.raw if node.field == "text" else f"{node.field}:{node.raw}"
    if isinstance(node, Author):
        return f"author:{_quoted_unless(_FIELD_VALUE, node.raw)}"
    if isinstance(node, Category):
        return f"cat:{_quoted_unless(_GROUP_VALUE, node.raw)}"
    if isinstance(node, Source):
        return f"source:{_quoted_unless(_GROUP_VALUE, node.raw)}"
    if isinstance(node, AnnounceType):
        return f"type:{_quoted_unless(_FIELD_VALUE, node.raw)}"
    raise TypeError(f"not a radar AST node: {node!r}")
