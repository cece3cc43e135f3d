"""Radar queries compiled to Python functions over a :class:`DocView`: the matcher's
fast path.

The semantics are those of :func:`academichub.radar.evaluate.evaluate` (property tests
hold the two equal); only the cost differs. The matcher verifies thousands of candidate
radars per paper, and a tree of closures costs a call per node plus a cache miss per
closure, so each query becomes *one* function (:func:`compile_outcomes`) instead:

* first a short-circuit boolean expression (most selective ``And`` child first), which
  rejects most candidates after a few set look-ups;
* only for a match, every node's flag is computed and the terms that fired are
  collected: a leaf reports its terms iff it and every node above it matched and no
  ``Not`` is above it (exactly what ``evaluate`` returns), in query order, each once.

The generated source is a *template*: it names constants ``k0, k1, ...`` and never
contains query text, so a query cannot inject code; the values (analysed tokens, the
interned :class:`MatchedTerm` results) are bound as the function's default arguments.
Radars of the same shape share one code object.

Prefixes are answered from :class:`PrefixRegistry`: every prefix a compiled query uses
must be registered in the registry its views are built with (the index does this).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from types import CodeType, FunctionType
from typing import Final, Generic, TypeVar, cast

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import tagged_key
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
from academichub.radar.evaluate import interned_term, leaf_term, text_fields
from academichub.radar.parser import MIN_PREFIX
from academichub.radar.selectivity import estimate

__all__ = [
    "DocView",
    "Outcomes",
    "PrefixRegistry",
    "compile_outcomes",
    "prefixes_of",
]

Terms = tuple[MatchedTerm, ...]
R = TypeVar("R")

# A paper's tokens repeat across papers: remembering which registered prefixes a token
# starts with saves walking it again. Forgotten whenever the registered prefixes change.
_TOKEN_CACHE_LIMIT: Final = 200_000


class PrefixRegistry:
    """The prefixes (3+ characters) the compiled queries use, counted per use.

    A paper's prefixes are reported as anchor keys (``tagged_key("prefix", p)``): the
    compiled queries test those, and the index files radars under them.
    """

    def __init__(self) -> None:
        self._uses: dict[str, int] = {}
        self._paths: dict[str, int] = {}  # every p[:k], k >= MIN_PREFIX: a trie as a dict
        self._by_token = _KeysByToken(self._walk)

    def __contains__(self, prefix: object) -> bool:
        return prefix in self._uses

    def __bool__(self) -> bool:
        return bool(self._uses)

    def add(self, prefix: str) -> None:
        if prefix not in self._uses:
            self._by_token.clear()
        self._uses[prefix] = self._uses.get(prefix, 0) + 1
        for k in range(MIN_PREFIX, len(prefix) + 1):
            self._paths[prefix[:k]] = self._paths.get(prefix[:k], 0) + 1

    def discard(self, prefix: str) -> None:
        if _decrement(self._uses, prefix):
            self._by_token.clear()
        for k in range(MIN_PREFIX, len(prefix) + 1):
            _decrement(self._paths, prefix[:k])

    def present_in(self, tokens: Iterable[str]) -> set[str]:
        """The keys of the registered prefixes that some token starts with."""
        if not self._uses:
            return set()
        cache = self._by_token
        if len(cache) > _TOKEN_CACHE_LIMIT:
            cache.clear()
        # Looked up in C; a token seen for the first time is walked by __missing__.
        return set(itertools.chain.from_iterable(map(cache.__getitem__, tokens)))

    def _walk(self, token: str) -> tuple[str, ...]:
        # Follow the token down the trie; stop where no registered prefix continues.
        heads = []
        for k in range(MIN_PREFIX, len(token) + 1):
            head = token[:k]
            if head not in self._paths:
                break
            if head in self._uses:
                heads.append(tagged_key("prefix", head))
        return tuple(heads)


class _KeysByToken(dict[str, tuple[str, ...]]):
    """Token -> keys of the registered prefixes it starts with, walked on first sight."""

    def __init__(self, walk: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._walk = walk

    def __missing__(self, token: str) -> tuple[str, ...]:
        heads = self[token] = self._walk(token)
        return heads


def _decrement(counts: dict[str, int], key: str) -> bool:
    """Count one use less; True when the key is gone."""
    if counts[key] > 1:
        counts[key] -= 1
        return False
    del counts[key]
    return True


class DocView:
    """One paper analysed for matching, built once per paper and shared by all radars."""

    __slots__ = (
        "_abstract_pos",
        "_title_pos",
        "abstract_pairs",
        "abstract_prefixes",
        "abstract_set",
        "announce_type",
        "author_last",
        "author_tokens",
        "categories",
        "category_set",
        "doc",
        "source",
        "title_pairs",
        "title_prefixes",
        "title_set",
    )

    def __init__(self, doc: PaperDocument, prefixes: PrefixRegistry) -> None:
        self.doc = doc
        self.title_set = frozenset(doc.title)
        self.abstract_set = frozenset(doc.abstract)
        self.title_prefixes = prefixes.present_in(doc.title_raw)
        self.abstract_prefixes = prefixes.present_in(doc.abstract_raw)
        self.author_last = frozenset(a[-1] for a in doc.authors if a)
        self.author_tokens = frozenset(t for a in doc.authors for t in a)
        self.categories = doc.categories
        self.category_set = frozenset(doc.categories)
        self.source = doc.source
        self.announce_type = doc.announce_type
        self._title_pos: dict[str, list[int]] | None = None
        self._abstract_pos: dict[str, list[int]] | None = None
        # Consecutive stem pairs: a two-word phrase is one look-up, a longer one is
        # filtered before it is scanned; also anchor keys. Built here, not on first
        # use: the index needs them for nearly every paper, and a compiled query reads
        # an attribute faster than it calls a method.
        self.title_pairs = frozenset(itertools.pairwise(doc.title))
        self.abstract_pairs = frozenset(itertools.pairwise(doc.abstract))

    def positions(self, in_title: bool) -> dict[str, list[int]]:
        """Stem -> positions in the title or abstract, built on first use (for phrases)."""
        if in_title:
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


# --- helpers the generated code calls (its only globals) --------------------------------


def _phrase(view: DocView, in_title: bool, run: tuple[str, ...]) -> bool:
    stems = view.doc.title if in_title else view.doc.abstract
    n = len(run)
    return any(stems[i : i + n] == run for i in view.positions(in_title).get(run[0], ()))


def _author_run(view: DocView, run: tuple[str, ...]) -> bool:
    n = len(run)
    return any(
        name[i : i + n] == run for name in view.doc.authors for i in range(len(name) - n + 1)
    )


def _any_startswith(values: Sequence[str], head: str) -> bool:
    return any(value.startswith(head) for value in values)


_GLOBALS: Final[dict[str, object]] = {
    "__builtins__": {"tuple": tuple, "dict": dict},
    "_phrase": _phrase,
    "_author_run": _author_run,
    "_any_startswith": _any_startswith,
}

# What each local of the generated function is read from.
_VIEW_LOCALS: Final = {
    "T": "v.title_set",
    "A": "v.abstract_set",
    "TP": "v.title_prefixes",
    "AP": "v.abstract_prefixes",
    "TQ": "v.title_pairs",
    "AQ": "v.abstract_pairs",
    "C": "v.category_set",
    "CS": "v.categories",
    "AL": "v.author_last",
    "AT": "v.author_tokens",
    "S": "v.source",
    "Y": "v.announce_type",
}


def prefixes_of(node: Node) -> list[str]:
    """Every prefix leaf's prefix in ``node`` (with repeats), to register before use."""
    if isinstance(node, And | Or):
        return [p for child in node.children for p in prefixes_of(child)]
    if isinstance(node, Not):
        return prefixes_of(node.child)
    return [node.prefix] if isinstance(node, Prefix) else []


def compile_outcomes(
    node: Node, outcomes: Callable[[Sequence[MatchedTerm]], Outcomes[R]]
) -> Callable[[DocView], R | None]:
    """A function of a :class:`DocView`: None where ``evaluate(node, doc)`` is None,
    otherwise what the :class:`Outcomes` table made by ``outcomes`` (from the query's
    emission sites) holds for the terms that fired. The caller keeps the table to
    clear it when what it builds changes."""
    source, defaults = _Generator(outcomes).function(node)
    return cast(
        Callable[[DocView], R | None], FunctionType(_code(source), _GLOBALS, "radar", defaults)
    )


@functools.lru_cache(maxsize=8192)
def _code(source: str) -> CodeType:
    module = compile(source, "<radar query>", "exec")
    return next(c for c in module.co_consts if isinstance(c, CodeType))


class _Generator:
    """Writes the template for one query; collects its constants."""

    def __init__(self, outcomes: Callable[[Sequence[MatchedTerm]], object]) -> None:
        self.outcomes = outcomes  # makes the table the function returns from
        self.constants: list[object] = []
        self.constant_names: dict[tuple[type, object], str] = {}
        self.locals: set[str] = set()
        self.statements: list[str] = []
        self.sites: list[MatchedTerm] = []  # the term of each emission site, in order
        self.names = 0

    def constant(self, value: object) -> str:
        key = (type(value), value)
        name = self.constant_names.get(key)
        if name is None:
            name = self.constant_names[key] = f"k{len(self.constants)}"
            self.constants.append(value)
        return name

    def fresh_constant(self, value: object) -> str:
        """A constant of this query alone, never shared with an equal one."""
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def local(self, name: str) -> str:
        self.locals.add(name)
        return name

    def flag(self) -> int:
        self.names += 1
        return self.names

    def function(self, node: Node) -> tuple[str, tuple[object, ...]]:
        test = self.test(node)
        root = self.evaluate(node)
        body = [f"    if not ({test}):", "        return None"]
        emitted = self.emit(node, root, 1, known=True)
        table = self.fresh_constant(self.outcomes(self.sites))
        if any(line.lstrip().startswith("if ") for line in emitted):
            body += [f"    {s}" for s in _needed(self.statements, emitted)]
            body.append("    b = 0")
            body += emitted
            body.append(f"    return {table}[b]")
        else:
            # Every site fires on every match: always the same outcome, and no node's
            # flag is needed.
            body.append(f"    return {table}[{(1 << len(self.sites)) - 1}]")
        preamble = [f"    {name} = {_VIEW_LOCALS[name]}" for name in sorted(self.locals)]
        params = "".join(f", k{i}" for i in range(len(self.constants)))
        source = "\n".join([f"def radar(v{params}):", *preamble, *body, ""])
        return source, tuple(self.constants)

    # Short-circuit boolean expression ---------------------------------------------------

    def test(self, node: Node) -> str:
        if isinstance(node, And):
            ordered = sorted(node.children, key=estimate)
            return "(" + " and ".join(self.test(c) for c in ordered) + ")"
        if isinstance(node, Or):
            return "(" + " or ".join(self.test(c) for c in node.children) + ")"
        if isinstance(node, Not):
            return f"(not {self.test(node.child)})"
        if isinstance(node, Word | Phrase | Prefix):
            tests = [self.text_test(node, f == "title") for f in text_fields(node.field)]
            return "(" + " or ".join(tests) + ")"
        return self.other_test(node)

    def text_test(self, leaf: Word | Phrase | Prefix, in_title: bool) -> str:
        if isinstance(leaf, Word):
            return f"{self.constant(leaf.token)} in {self.local('T' if in_title else 'A')}"
        if isinstance(leaf, Prefix):
            key = self.constant(tagged_key("prefix", leaf.prefix))
            return f"{key} in {self.local('TP' if in_title else 'AP')}"
        pairs = list(itertools.pairwise(leaf.tokens))
        if len(pairs) == 1:
            return f"{self.constant(pairs[0])} in {self.local('TQ' if in_title else 'AQ')}"
        # Every pair side by side first: set tests are cheap, finding the run is not.
        needed = self.constant(frozenset(pairs))
        run = self.constant(leaf.tokens)
        stems = self.local("TQ" if in_title else "AQ")
        return f"({needed} <= {stems} and _phrase(v, {in_title}, {run}))"

    def other_test(self, leaf: Leaf) -> str:
        if isinstance(leaf, Author):
            if len(leaf.tokens) == 1:
                return f"{self.constant(leaf.tokens[0])} in {self.local('AL')}"
            stems = self.constant(frozenset(leaf.tokens))
            run = self.constant(leaf.tokens)
            return f"({stems} <= {self.local('AT')} and _author_run(v, {run}))"
        if isinstance(leaf, Category):
            value = self.constant(leaf.value)
            if leaf.group:
                return f"_any_startswith({self.local('CS')}, {value})"
            return f"{value} in {self.local('C')}"
        if isinstance(leaf, Source):
            value = self.constant(leaf.value)
            if leaf.group:
                return f"{self.local('S')}.startswith({value})"
            return f"{self.local('S')} == {value}"
        assert isinstance(leaf, AnnounceType)
        return f"{self.local('Y')} == {self.constant(leaf.value)}"

    # Full evaluation, for a match only: one flag per node (per field for text leaves) ---

    def evaluate(self, node: Node) -> int:
        """Statements setting ``m<n>`` for the node numbered ``n`` in pre-order (and
        ``m<n>t``/``m<n>a`` per field of a text leaf); returns ``n``."""
        number = self.flag()
        flag = f"m{number}"
        if isinstance(node, And | Or):
            flags = [f"m{self.evaluate(c)}" for c in node.children]
            joiner = " and " if isinstance(node, And) else " or "
            self.statements.append(f"{flag} = {joiner.join(flags)}")
        elif isinstance(node, Not):
            self.statements.append(f"{flag} = not m{self.evaluate(node.child)}")
        elif isinstance(node, Word | Phrase | Prefix):
            fields = []
            for field in text_fields(node.field):
                self.statements.append(
                    f"{flag}{field[0]} = {self.text_test(node, field == 'title')}"
                )
                fields.append(f"{flag}{field[0]}")
            self.statements.append(f"{flag} = {' or '.join(fields)}")
        else:
            self.statements.append(f"{flag} = {self.other_test(node)}")
        return number

    def emit(self, node: Node, number: int, depth: int, *, known: bool) -> list[str]:
        """Statements setting the bit of each emission site of ``node`` (numbered
        ``number`` by ``evaluate``) in ``b`` when it and its ancestors matched
        (``known``: that is already established where the statements go)."""
        pad = "    " * depth
        flag = f"m{number}"
        if isinstance(node, Not):
            return []
        if isinstance(node, And | Or):
            inner: list[str] = []
            child_number = number + 1  # pre-order: the first child follows its parent
            for child in node.children:
                inner += self.emit(
                    child, child_number, depth if known else depth + 1, known=isinstance(node, And)
                )
                child_number += _size(child)
            if not inner or known:
                return inner
            return [f"{pad}if {flag}:", *inner]
        if isinstance(node, Word | Phrase | Prefix):
            fields = text_fields(node.field)
            lines = []
            for field in fields:
                bit = self.site(field, leaf_term(node))
                if known and len(fields) == 1:
                    lines.append(f"{pad}b |= {bit}")
                else:
                    lines += [f"{pad}if {flag}{field[0]}:", f"{pad}    b |= {bit}"]
            return lines
        bit = self.site(_OTHER_FIELDS[type(node)], leaf_term(node))
        if known:
            return [f"{pad}b |= {bit}"]
        return [f"{pad}if {flag}:", f"{pad}    b |= {bit}"]

    def site(self, field: str, value: str) -> int:
        """A new emission site for the term ``field``/``value``: its bit."""
        self.sites.append(interned_term(field, value))
        return 1 << (len(self.sites) - 1)


class Outcomes(dict[int, R], Generic[R]):
    """Bits of the emission sites that fired -> what a compiled query returns for them,
    built from the terms on first sight (a query has a few outcomes: which fields its
    terms fired in). Cleared, it builds again."""

    __slots__ = ("_sites",)

    def __init__(self, sites: Sequence[MatchedTerm]) -> None:
        super().__init__()
        self._sites = tuple(sites)

    def __missing__(self, bits: int) -> R:
        built = self[bits] = self.build(_fired(self._sites, bits))
        return built

    def build(self, terms: Terms) -> R:
        raise NotImplementedError


_FLAG: Final = re.compile(r"\bm\d+[ta]?\b")


def _needed(statements: Sequence[str], emitted: Sequence[str]) -> list[str]:
    """The flag statements (``m<n> = ...``) that the emission lines read, directly or
    through other flags, in their order."""
    wanted = set(_FLAG.findall("\n".join(emitted)))
    kept: list[str] = []
    for statement in reversed(statements):
        target, expression = statement.split(" = ", 1)
        if target in wanted:
            kept.append(statement)
            wanted.update(_FLAG.findall(expression))
    return kept[::-1]


def _fired(sites: Sequence[MatchedTerm], bits: int) -> Terms:
    """The terms of the sites whose bit is set, in site order, each once (terms are
    interned: told apart by identity, without hashing a model)."""
    seen: set[int] = set()
    fired = []
    for i, term in enumerate(sites):
        if bits >> i & 1 and id(term) not in seen:
            seen.add(id(term))
            fired.append(term)
    return tuple(fired)


_OTHER_FIELDS: Final[dict[type, str]] = {
    Author: "author",
    Category: "cat",
    Source: "source",
    AnnounceType: "type",
}


def _size(node: Node) -> int:
    """How many numbers ``_Generator.evaluate`` gives ``node`` and its descendants."""
    if isinstance(node, And | Or):
        return 1 + sum(_size(c) for c in node.children)
    if isinstance(node, Not):
        return 1 + _size(node.child)
    return 1
