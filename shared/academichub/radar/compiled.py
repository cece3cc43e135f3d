"""Radar queries compiled to closures over a :class:`DocView`: the matcher's fast path.

The semantics are those of :func:`academichub.radar.evaluate.evaluate` (the property
tests hold the two equal); only the cost differs. A paper is turned into a
:class:`DocView` once (token sets, lazily built token positions, the registered prefixes
it contains), and then every candidate radar is a few set look-ups:

* leaves return pre-built tuples of interned :class:`MatchedTerm` (no allocation, and
  de-duplication hits the identity fast path instead of pydantic's ``__eq__``);
* a subtree under ``Not`` is compiled to a plain boolean test that short-circuits;
* ``And`` tries its children most-selective-first so a miss is found early, but reports
  terms in query order.

Prefixes are answered from :class:`PrefixRegistry`: every prefix used by a compiled
query must be registered in the registry the view is built with (the index does this).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Final

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
    Word,
)
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import leaf_term, text_fields
from academichub.radar.parser import MIN_PREFIX
from academichub.radar.selectivity import estimate

__all__ = [
    "CompiledQuery",
    "DocView",
    "PrefixRegistry",
    "compile_query",
    "prefixes_of",
]

Terms = tuple[MatchedTerm, ...]
CompiledQuery = Callable[["DocView"], Terms | None]
_Test = Callable[["DocView"], bool]

_NO_TERMS: Final[Terms] = ()
_INTERNED: dict[tuple[str, str], MatchedTerm] = {}


def _term(field: str, term: str) -> MatchedTerm:
    key = (field, term)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = MatchedTerm(field=field, term=term)
    return found


class PrefixRegistry:
    """The prefixes (3+ characters) any compiled query uses, counted per use.

    ``present_in(tokens)`` walks each token along the registered prefixes' own prefixes
    (a trie kept as a set of strings), so its cost is about one look-up per token that
    starts no registered prefix, not one per prefix.
    """

    def __init__(self) -> None:
        self._uses: Counter[str] = Counter()
        self._paths: Counter[str] = Counter()  # every p[:k] for k >= MIN_PREFIX

    def __contains__(self, prefix: str) -> bool:
        return prefix in self._uses

    def add(self, prefix: str) -> None:
        self._uses[prefix] += 1
        for k in range(MIN_PREFIX, len(prefix) + 1):
            self._paths[prefix[:k]] += 1

    def discard(self, prefix: str) -> None:
        if self._uses[prefix] <= 1:
            del self._uses[prefix]
        else:
            self._uses[prefix] -= 1
        for k in range(MIN_PREFIX, len(prefix) + 1):
            path = prefix[:k]
            if self._paths[path] <= 1:
                del self._paths[path]
            else:
                self._paths[path] -= 1

    def present_in(self, tokens: Iterable[str]) -> frozenset[str]:
        if not self._uses:
            return frozenset()
        paths, uses = self._paths, self._uses
        found = set()
        for token in tokens:
            k = MIN_PREFIX
            end = len(token)
            while k <= end:
                head = token[:k]
                if head not in paths:
                    break
                if head in uses:
                    found.add(head)
                k += 1
        return frozenset(found)


class DocView:
    """One paper analysed for matching, built once per paper and shared by all radars."""

    __slots__ = (
        "_abstract_pos",
        "_title_pos",
        "abstract_prefixes",
        "abstract_set",
        "author_last",
        "author_tokens",
        "categories",
        "category_set",
        "doc",
        "title_prefixes",
        "title_set",
    )

    def __init__(self, doc: PaperDocument, prefixes: PrefixRegistry) -> None:
        self.doc = doc
        self.title_set = frozenset(doc.title)
        self.abstract_set = frozenset(doc.abstract)
        self.title_prefixes = prefixes.present_in(set(doc.title_raw))
        self.abstract_prefixes = prefixes.present_in(set(doc.abstract_raw))
        self.author_last = frozenset(a[-1] for a in doc.authors if a)
        self.author_tokens = frozenset(t for a in doc.authors for t in a)
        self.categories = doc.categories
        self.category_set = frozenset(doc.categories)
        self._title_pos: dict[str, list[int]] | None = None
        self._abstract_pos: dict[str, list[int]] | None = None

    def positions(self, field: str) -> dict[str, list[int]]:
        """Token -> positions in ``field``, built on first use (only phrases need it)."""
        if field == "title":
            if self._title_pos is None:
                self._title_pos = _positions(self.doc.title)
            return self._title_pos
        if self._abstract_pos is None:
            self._abstract_pos = _positions(self.doc.abstract)
        return self._abstract_pos


def _positions(tokens: Sequence[str]) -> dict[str, list[int]]:
    table: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        table.setdefault(token, []).append(i)
    return table


def prefixes_of(node: Node) -> list[str]:
    """Every prefix leaf's prefix in ``node`` (with repeats), to register before use."""
    if isinstance(node, And | Or):
        return [p for child in node.children for p in prefixes_of(child)]
    if isinstance(node, Not):
        return prefixes_of(node.child)
    return [node.prefix] if isinstance(node, Prefix) else []


def compile_query(node: Node) -> CompiledQuery:
    """A function of a :class:`DocView` with the same result as ``evaluate(node, doc)``."""
    if isinstance(node, And):
        return _compile_and(node)
    if isinstance(node, Or):
        return _compile_or(node)
    if isinstance(node, Not):
        test = compile_test(node.child)
        return lambda view: None if test(view) else _NO_TERMS
    return _compile_leaf(node)


def compile_test(node: Node) -> _Test:
    """Whether the node matches, without collecting terms (for subtrees under ``Not``)."""
    if isinstance(node, And):
        tests = tuple(compile_test(c) for c in _most_selective_first(node.children))
        return lambda view: all(t(view) for t in tests)
    if isinstance(node, Or):
        tests = tuple(compile_test(c) for c in node.children)
        return lambda view: any(t(view) for t in tests)
    if isinstance(node, Not):
        inner = compile_test(node.child)
        return lambda view: not inner(view)
    run = _compile_leaf(node)
    return lambda view: run(view) is not None


def _most_selective_first(children: Sequence[Node]) -> list[Node]:
    return sorted(children, key=estimate)


def _merge(parts: list[Terms]) -> Terms:
    if not parts:
        return _NO_TERMS
    if len(parts) == 1:
        return parts[0]
    return tuple(dict.fromkeys(term for part in parts for term in part))


def _compile_and(node: And) -> CompiledQuery:
    order = sorted(range(len(node.children)), key=lambda i: estimate(node.children[i]))
    runs = tuple(compile_query(node.children[i]) for i in order)
    if order == sorted(order):

        def run_in_order(view: DocView) -> Terms | None:
            parts = []
            for child in runs:
                fired = child(view)
                if fired is None:
                    return None
                if fired:
                    parts.append(fired)
            return _merge(parts)

        return run_in_order

    slots = tuple(order)
    size = len(slots)

    def run(view: DocView) -> Terms | None:
        results: list[Terms] = [_NO_TERMS] * size
        for slot, child in zip(slots, runs, strict=True):
            fired = child(view)
            if fired is None:
                return None
            results[slot] = fired
        return _merge([r for r in results if r])

    return run


def _compile_or(node: Or) -> CompiledQuery:
    runs = tuple(compile_query(child) for child in node.children)

    def run(view: DocView) -> Terms | None:
        parts = []
        matched = False
        for child in runs:
            fired = child(view)
            if fired is not None:
                matched = True
                if fired:
                    parts.append(fired)
        return _merge(parts) if matched else None

    return run


def _compile_leaf(leaf: Leaf) -> CompiledQuery:
    if isinstance(leaf, Word | Phrase | Prefix):
        return _compile_text(leaf)
    term = leaf_term(leaf)
    if isinstance(leaf, Author):
        return _compile_author(leaf, (_term("author", term),))
    if isinstance(leaf, Category):
        fired = (_term("cat", term),)
        value = leaf.value
        if leaf.group:
            return lambda v: fired if any(c.startswith(value) for c in v.categories) else None
        return lambda v: fired if value in v.category_set else None
    if isinstance(leaf, Source):
        fired = (_term("source", term),)
        value = leaf.value
        if leaf.group:
            return lambda v: fired if v.doc.source.startswith(value) else None
        return lambda v: fired if v.doc.source == value else None
    assert isinstance(leaf, AnnounceType)
    fired = (_term("type", term),)
    value = leaf.value
    return lambda v: fired if v.doc.announce_type == value else None


def _compile_author(leaf: Author, fired: Terms) -> CompiledQuery:
    tokens = leaf.tokens
    if len(tokens) == 1:
        surname = tokens[0]
        return lambda v: fired if surname in v.author_last else None
    needed = frozenset(tokens)
    n = len(tokens)

    def run(view: DocView) -> Terms | None:
        if not needed <= view.author_tokens:
            return None
        for name in view.doc.authors:
            for i in range(len(name) - n + 1):
                if name[i : i + n] == tokens:
                    return fired
        return None

    return run


_FieldTest = Callable[[DocView, str], bool]


def _compile_text(leaf: Word | Phrase | Prefix) -> CompiledQuery:
    """A text leaf: one test per field; pre-built results for each combination."""
    term = leaf_term(leaf)
    fields = text_fields(leaf.field)
    if isinstance(leaf, Word):
        token = leaf.token
        if fields == ("title",):
            title_only = (_term("title", term),)
            return lambda v: title_only if token in v.title_set else None
        if fields == ("abstract",):
            abstract_only = (_term("abstract", term),)
            return lambda v: abstract_only if token in v.abstract_set else None
        return _either_field(
            term,
            lambda v: token in v.title_set,
            lambda v: token in v.abstract_set,
        )
    if isinstance(leaf, Prefix):
        prefix = leaf.prefix
        in_title: _Test = lambda v: prefix in v.title_prefixes  # noqa: E731
        in_abstract: _Test = lambda v: prefix in v.abstract_prefixes  # noqa: E731
    else:
        in_title = _phrase_test(leaf.tokens, "title")
        in_abstract = _phrase_test(leaf.tokens, "abstract")
    if fields == ("title",):
        title_only = (_term("title", term),)
        return lambda v: title_only if in_title(v) else None
    if fields == ("abstract",):
        abstract_only = (_term("abstract", term),)
        return lambda v: abstract_only if in_abstract(v) else None
    return _either_field(term, in_title, in_abstract)


def _either_field(term: str, in_title: _Test, in_abstract: _Test) -> CompiledQuery:
    title_only = (_term("title", term),)
    abstract_only = (_term("abstract", term),)
    both = title_only + abstract_only

    def run(view: DocView) -> Terms | None:
        if in_title(view):
            return both if in_abstract(view) else title_only
        return abstract_only if in_abstract(view) else None

    return run


def _phrase_test(tokens: tuple[str, ...], field: str) -> _Test:
    needed = frozenset(tokens)
    first, n = tokens[0], len(tokens)
    is_title = field == "title"

    def test(view: DocView) -> bool:
        if not needed <= (view.title_set if is_title else view.abstract_set):
            return False
        stems = view.doc.title if is_title else view.doc.abstract
        return any(stems[i : i + n] == tokens for i in view.positions(field)[first])

    return test
