"""The reference semantics of the radar language: walk the AST over one paper.

:func:`evaluate` is deliberately the plainest possible reading of the language; the
compiled matcher (:mod:`academichub.radar.compiled`), the in-memory store's search and
the full-text compilations are all checked against it.

What fired (the "why" of a match) is defined here too:

* a leaf that matches contributes one :class:`MatchedTerm` per field it matched in
  (a ``text`` leaf found in both title and abstract gives two, title first);
* ``And`` contributes the terms of all its children, ``Or`` those of every child that
  matched (not only the first), ``Not`` nothing;
* the result lists terms in depth-first order of the query, each once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from academichub.contracts import MatchedTerm
from academichub.radar.ast import (
    And,
    AnnounceType,
    Author,
    Category,
    Leaf,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Source,
    TextField,
    Word,
)
from academichub.radar.document import PaperDocument

__all__ = ["combine", "contains_run", "evaluate", "interned_term", "leaf_term", "text_fields"]

Terms = tuple[MatchedTerm, ...]

_INTERNED: dict[tuple[str, str], MatchedTerm] = {}


def interned_term(field: str, term: str) -> MatchedTerm:
    """One object per (field, term): terms are told apart by identity, without hashing
    a model, and the matcher's hits share them."""
    key = (field, term)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = MatchedTerm(field=field, term=term)
    return found


def leaf_term(leaf: Leaf) -> str:
    """The ``term`` a leaf reports: analysed, so scoring can read it back.

    Words give their stem, phrases their stems joined by spaces, prefixes end in '*',
    authors give folded tokens joined by spaces, groups (``cat:cs.*``) end in '*'.
    """
    if isinstance(leaf, Word):
        return leaf.token
    if isinstance(leaf, Phrase | Author):
        return " ".join(leaf.tokens)
    if isinstance(leaf, Prefix):
        return f"{leaf.prefix}*"
    if isinstance(leaf, Category | Source):
        return f"{leaf.value}*" if leaf.group else leaf.value
    return leaf.value


def text_fields(field: TextField) -> tuple[str, ...]:
    return ("title", "abstract") if field == "text" else (field,)


def contains_run(tokens: Sequence[str], run: Sequence[str]) -> bool:
    """True if ``run`` occurs as consecutive items of ``tokens``."""
    n = len(run)
    return any(tuple(tokens[i : i + n]) == tuple(run) for i in range(len(tokens) - n + 1))


def evaluate(node: Node, doc: PaperDocument) -> Terms | None:
    """None if ``doc`` does not match ``node``; otherwise the positive terms that fired
    (empty for a match made only of negations)."""
    return combine(node, lambda leaf: _leaf_fields(leaf, doc))


def combine(node: Node, fields_of: Callable[[Leaf], Sequence[str]]) -> Terms | None:
    """The rules above over the fields each leaf matched in (``fields_of``; none: the
    leaf does not match): what :func:`evaluate` and every other reading of a paper
    share."""
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
    term = leaf_term(node)
    return tuple(interned_term(f, term) for f in fields)


def _merge(parts: Sequence[Terms]) -> Terms:
    """In order, each once (interned: told apart by identity)."""
    seen: set[int] = set()
    merged = []
    for part in parts:
        for term in part:
            if id(term) not in seen:
                seen.add(id(term))
                merged.append(term)
    return tuple(merged)


def _leaf_fields(leaf: Leaf, doc: PaperDocument) -> list[str]:
    """The fields of ``doc`` in which ``leaf`` matches."""
    if isinstance(leaf, Word | Phrase | Prefix):
        return [f for f in text_fields(leaf.field) if _text_matches(leaf, doc, f)]
    if isinstance(leaf, Author):
        return ["author"] if any(_author_matches(leaf, a) for a in doc.authors) else []
    if isinstance(leaf, Category):
        hit = any(
            c.startswith(leaf.value) if leaf.group else c == leaf.value for c in doc.categories
        )
        return ["cat"] if hit else []
    if isinstance(leaf, Source):
        hit = doc.source.startswith(leaf.value) if leaf.group else doc.source == leaf.value
        return ["source"] if hit else []
    assert isinstance(leaf, AnnounceType)
    return ["type"] if doc.announce_type == leaf.value else []


def _text_matches(leaf: Word | Phrase | Prefix, doc: PaperDocument, field: str) -> bool:
    if isinstance(leaf, Prefix):
        raw = doc.title_raw if field == "title" else doc.abstract_raw
        return any(t.startswith(leaf.prefix) for t in raw)
    stems = doc.title if field == "title" else doc.abstract
    if isinstance(leaf, Word):
        return leaf.token in stems
    return contains_run(stems, leaf.tokens)


def _author_matches(leaf: Author, name: tuple[str, ...]) -> bool:
    if not name:
        return False
    if len(leaf.tokens) == 1:
        # A surname: the author's last token (which is also a one-token name).
        return name[-1] == leaf.tokens[0]
    return contains_run(name, leaf.tokens)
