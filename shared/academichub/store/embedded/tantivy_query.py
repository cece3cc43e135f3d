"""The radar AST compiled to a tantivy query, plus search filters as tantivy clauses.

Which papers match follows :mod:`academichub.radar.evaluate` exactly (a property test
compares the two on random corpora and queries). Ranking is tantivy's BM25, shaped like
:mod:`academichub.radar.scoring`:

* a text leaf on ``text`` looks in the title (weighted like scoring's ``TITLE_WEIGHT``) or
  the abstract;
* ``Prefix`` matches an unstemmed token starting with the prefix;
* ``Author`` with one token is a surname (the last token of some author), with more
  tokens a phrase inside one author's name;
* author, category, source and type leaves score a small constant, as in scoring: they
  say *which* papers more than *how relevant*; ``group`` values are prefixes;
* ``Not`` inside ``And`` is a must-not clause; anywhere else it is "all papers except";
* search filters and negations do not score.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

import tantivy

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
    TextField,
    Word,
)
from academichub.radar.scoring import NON_TEXT_SCORE, TITLE_WEIGHT
from academichub.store.embedded import index_schema as f
from academichub.store.port import SearchFilters

_STEMMED: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "text": ((f.TITLE, TITLE_WEIGHT), (f.ABSTRACT, 1.0)),
    "title": ((f.TITLE, TITLE_WEIGHT),),
    "abstract": ((f.ABSTRACT, 1.0),),
}
_RAW: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "text": ((f.TITLE_RAW, TITLE_WEIGHT), (f.ABSTRACT_RAW, 1.0)),
    "title": ((f.TITLE_RAW, TITLE_WEIGHT),),
    "abstract": ((f.ABSTRACT_RAW, 1.0),),
}


def compile_query(node: Node, schema: tantivy.Schema) -> tantivy.Query:
    """A tantivy query accepting exactly the papers the evaluator accepts for ``node``."""
    match node:
        case Word(field=field, token=token):
            return _over(_STEMMED, field, lambda name: _term(schema, name, token))
        case Phrase(field=field, tokens=tokens):
            return _over(_STEMMED, field, lambda name: _phrase(schema, name, tokens))
        case Prefix(field=field, prefix=prefix):
            return _over(_RAW, field, lambda name: _starts_with(schema, name, prefix))
        case Author(tokens=tokens):
            if len(tokens) == 1:
                return _constant(_term(schema, f.AUTHOR_LAST, tokens[0]))
            return _constant(_phrase(schema, f.AUTHOR, tokens))
        case Category(value=value, group=group):
            return _constant(_exact(schema, f.CATEGORY, value, group))
        case Source(value=value, group=group):
            return _constant(_exact(schema, f.SOURCE, value, group))
        case AnnounceType(value=value):
            return _constant(_term(schema, f.ANNOUNCE_TYPE, value))
        case And(children=children):
            return _and(children, schema)
        case Or(children=children):
            if not children:
                return tantivy.Query.empty_query()
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, compile_query(c, schema)) for c in children]
            )
        case Not(child=child):
            return _except(compile_query(child, schema))
    raise TypeError(f"not a radar query node: {node!r}")


class CompiledQueries:
    """:func:`compile_query` results, the ``size`` most recently used kept.

    Compiling is not free: each prefix builds a regex automaton per field (~0.2 ms), and
    the same queries come back (pages of one search, its facets, a popular radar query).
    A compiled query is immutable and may be used from any thread.
    """

    def __init__(self, schema: tantivy.Schema, size: int = 512) -> None:
        self._schema = schema
        self._size = size
        self._lock = threading.Lock()
        self._compiled: OrderedDict[Node, tantivy.Query] = OrderedDict()

    def get(self, node: Node) -> tantivy.Query:
        with self._lock:
            compiled = self._compiled.get(node)
            if compiled is not None:
                self._compiled.move_to_end(node)
                return compiled
        compiled = compile_query(node, self._schema)
        with self._lock:
            self._compiled[node] = compiled
            if len(self._compiled) > self._size:
                self._compiled.popitem(last=False)
        return compiled


def uniform_score(node: Node) -> bool:
    """Whether :func:`compile_query` gives every paper matching ``node`` the same score.

    True for queries of only constant-scored leaves (author, category, source, type, a
    prefix in one field: tantivy scores a regex match 1, times the field's boost) and
    negations joined by AND: a boolean query sums its must-clauses and adds nothing for a
    must-not, so every match scores the same sum. An OR of several leaves sums those that
    match, a prefix in title-or-abstract scores per field matched, and words and phrases
    score by BM25, so none of those is uniform. "By relevance" is then "newest first",
    which tantivy orders by the recency field without ranking every tie.
    """
    match node:
        case Author() | Category() | Source() | AnnounceType() | Not():
            return True
        case Prefix(field=field):
            return len(_RAW[field]) == 1
        case And(children=children):
            return all(isinstance(c, Not) or uniform_score(c) for c in children)
        case Or(children=children):
            return len(children) <= 1 and all(uniform_score(c) for c in children)
    return False


def compile_filters(filters: SearchFilters, schema: tantivy.Schema) -> list[tantivy.Query]:
    """One must-clause per active filter, with the in-memory store's semantics: a source
    ending in ``*`` is a prefix, categories compare exactly as given, dates are inclusive."""
    clauses: list[tantivy.Query] = []
    if filters.sources:
        clauses.append(
            tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Should,
                        _exact(schema, f.SOURCE, s[:-1], True)
                        if s.endswith("*")
                        else _term(schema, f.SOURCE, s),
                    )
                    for s in filters.sources
                ]
            )
        )
    if filters.categories:
        clauses.append(
            tantivy.Query.term_set_query(schema, f.CATEGORY_EXACT, list(filters.categories))
        )
    if filters.published_from is not None or filters.published_to is not None:
        clauses.append(
            tantivy.Query.range_query(
                schema,
                f.PUBLISHED,
                tantivy.FieldType.Date,
                lower_bound=_optional_date(filters.published_from),
                upper_bound=_optional_date(filters.published_to),
            )
        )
    return [_unscored(c) for c in clauses]


def regex_literal(text: str) -> str:
    """``text`` as a literal in tantivy's regex dialect (Rust ``regex``).

    That dialect has more metacharacters than Python's ``re`` (``-``, ``&``, ``~`` ...),
    so every character that is not a letter or digit is spelled as a hex escape.
    """
    return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


def _optional_date(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else f.date_value(day)


def _over(
    fields: dict[str, tuple[tuple[str, float], ...]],
    field: TextField,
    leaf: Callable[[str], tantivy.Query],
) -> tantivy.Query:
    queries = [_boosted(leaf(name), boost) for name, boost in fields[field]]
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def _term(schema: tantivy.Schema, field: str, value: str) -> tantivy.Query:
    return tantivy.Query.term_query(schema, field, value)


def _phrase(schema: tantivy.Schema, field: str, tokens: tuple[str, ...]) -> tantivy.Query:
    # tantivy refuses a phrase of fewer than two terms; those are plain terms (or nothing).
    if not tokens:
        return tantivy.Query.empty_query()
    if len(tokens) == 1:
        return _term(schema, field, tokens[0])
    return tantivy.Query.phrase_query(schema, field, list(tokens))


def _starts_with(schema: tantivy.Schema, field: str, prefix: str) -> tantivy.Query:
    return tantivy.Query.regex_query(schema, field, regex_literal(prefix) + ".*")


def _exact(schema: tantivy.Schema, field: str, value: str, group: bool) -> tantivy.Query:
    return _starts_with(schema, field, value) if group else _term(schema, field, value)


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


def _constant(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, NON_TEXT_SCORE)


def _all() -> tantivy.Query:
    return _unscored(tantivy.Query.all_query())


def _except(query: tantivy.Query) -> tantivy.Query:
    """Every paper not matching ``query``: tantivy has no purely negative query."""
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, _all()), (tantivy.Occur.MustNot, query)]
    )


def _and(children: tuple[Node, ...], schema: tantivy.Schema) -> tantivy.Query:
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for child in children:
        if isinstance(child, Not):
            clauses.append((tantivy.Occur.MustNot, compile_query(child.child, schema)))
        else:
            clauses.append((tantivy.Occur.Must, compile_query(child, schema)))
    # An And of only negations (or of nothing) means "all papers except ...".
    if not any(occur == tantivy.Occur.Must for occur, _ in clauses):
        clauses.insert(0, (tantivy.Occur.Must, _all()))
    return tantivy.Query.boolean_query(clauses)
