"""The radar AST compiled to a tantivy query, plus search filters as tantivy clauses.

Which papers match follows :mod:`academichub.radar.evaluate` exactly (a property test
compares the two on random corpora and queries): each leaf is compiled from its readings
(:mod:`academichub.radar.leaves`), each probe to one tantivy query on the index field of
its stream (the index holds the same streams, see
:mod:`academichub.store.embedded.index_schema`). Ranking is tantivy's BM25, shaped like
:mod:`academichub.radar.scoring`:

* a reading in the title or abstract is weighted as scoring weighs that field
  (:func:`~academichub.radar.scoring.field_weight`), so a ``text`` leaf adds up both
  fields; a prefix scores a constant per field (a regex match scores 1);
* a reading in any other field (author, category, source, type) scores scoring's small
  constant: those say *which* papers more than *how relevant*;
* ``Not`` inside ``And`` is a must-not clause; anywhere else it is "all papers except";
* search filters and negations do not score.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Final

import tantivy

from academichub.radar.ast import And, Leaf, Node, Not, Or
from academichub.radar.leaves import Probe, Reading, Stream
from academichub.radar.scoring import NON_TEXT_SCORE, field_weight
from academichub.store.embedded import index_schema as f
from academichub.store.port import SearchFilters

# The index field holding each stream of the analysed paper.
_FIELDS: Final[dict[Stream, str]] = {
    "title": f.TITLE,
    "abstract": f.ABSTRACT,
    "title_raw": f.TITLE_RAW,
    "abstract_raw": f.ABSTRACT_RAW,
    "author": f.AUTHOR,
    "cat": f.CATEGORY,
    "source": f.SOURCE,
    "type": f.ANNOUNCE_TYPE,
}


def compile_query(node: Node, schema: tantivy.Schema) -> tantivy.Query:
    """A tantivy query accepting exactly the papers the evaluator accepts for ``node``."""
    match node:
        case And(children=children):
            return _and(children, schema)
        case Or(children=children):
            if not children:
                return tantivy.Query.empty_query()
            return _any([compile_query(c, schema) for c in children])
        case Not(child=child):
            return _except(compile_query(child, schema))
    return _any([_reading(r, schema) for r in node.readings()])


def _reading(reading: Reading, schema: tantivy.Schema) -> tantivy.Query:
    either = _any([_probe(p, schema) for p in reading.probes])
    weight = field_weight(reading.field)
    if weight is None:
        return tantivy.Query.const_score_query(either, NON_TEXT_SCORE)
    return either if weight == 1.0 else tantivy.Query.boost_query(either, weight)


def _probe(probe: Probe, schema: tantivy.Schema) -> tantivy.Query:
    field = _FIELDS[probe.stream]
    if probe.op == "term":
        return tantivy.Query.term_query(schema, field, probe.values[0])
    if probe.op == "prefix":
        return _starts_with(schema, field, probe.values[0])
    return tantivy.Query.phrase_query(schema, field, list(probe.values))


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

    True for queries of only constant-scored leaves (those read in fields other than the
    title and abstract, and a prefix read in one field: tantivy scores a regex match 1,
    times the field's boost) and negations joined by AND: a boolean query sums its
    must-clauses and adds nothing for a must-not, so every match scores the same sum. An
    OR of several leaves sums those that match, a prefix in title-or-abstract scores per
    field matched, and words and phrases score by BM25, so none of those is uniform.
    "By relevance" is then "newest first", which tantivy orders by the recency field
    without ranking every tie.
    """
    match node:
        case Not():
            return True
        case And(children=children):
            return all(isinstance(c, Not) or uniform_score(c) for c in children)
        case Or(children=children):
            return len(children) <= 1 and all(uniform_score(c) for c in children)
    return _constant_scored(node)


def _constant_scored(leaf: Leaf) -> bool:
    readings = leaf.readings()
    if all(field_weight(r.field) is None for r in readings):
        return True
    return len(readings) == 1 and all(p.op == "prefix" for p in readings[0].probes)


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
                        _starts_with(schema, f.SOURCE, s[:-1])
                        if s.endswith("*")
                        else tantivy.Query.term_query(schema, f.SOURCE, s),
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


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _starts_with(schema: tantivy.Schema, field: str, prefix: str) -> tantivy.Query:
    return tantivy.Query.regex_query(schema, field, regex_literal(prefix) + ".*")


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


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
