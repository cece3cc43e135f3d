"""The radar AST compiled to an Elasticsearch bool query, plus filters and the search body.

Which papers match follows :mod:`academichub.radar.evaluate` exactly, over the fields of
:mod:`academichub.store.elastic.mappings` (pre-analysed tokens split on whitespace): a unit
test interprets the compiled DSL over the documents the adapter indexes and compares it
with the evaluator on random corpora and queries. Each leaf is compiled from its readings
(:mod:`academichub.radar.leaves`), each probe to one query on the field of its stream: a
``term`` to a ``term`` query, a ``phrase`` to a ``match_phrase`` (slop 0; the position gap
between the values of a multi-valued field keeps a phrase inside one author's name), a
``prefix`` to a ``prefix`` query. Ranking is Elasticsearch's BM25 (k1 1.2, b 0.75, like
:mod:`academichub.radar.scoring`), shaped the same way:

* a reading in the title or abstract is boosted as scoring weighs that field
  (:func:`~academichub.radar.scoring.field_weight`), so a ``text`` leaf adds up both
  fields; a prefix scores a constant per field (where scoring sums the words it expands
  to: ranking differs, matching does not);
* a reading in any other field (author, category, source, type) scores the constant
  ``NON_TEXT_SCORE``, as in scoring;
* ``Not`` inside ``And`` is a ``must_not`` clause; anywhere else, and for an ``And`` of
  negations only, it is "every paper except": ``match_all`` as an unscored filter plus
  ``must_not``, so negations never score;
* ``Or`` is ``should`` with ``minimum_should_match: 1``, an empty ``Or`` matches nothing;
* search filters go to the bool query's ``filter`` clause and do not score.

Nothing here imports the client: the query is plain data.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from academichub.radar.ast import And, Node, Not, Or
from academichub.radar.leaves import Probe, Reading, Stream
from academichub.radar.scoring import NON_TEXT_SCORE, field_weight
from academichub.store.elastic import mappings as f
from academichub.store.port import SearchFilters

Query = dict[str, Any]

MATCH_ALL: Final[Query] = {"match_all": {}}
MATCH_NONE: Final[Query] = {"match_none": {}}
# Newest announcement first, then latest arrival: the store's order when scores tie.
NEWEST_FIRST: Final[tuple[Query, ...]] = (
    {f.PUBLISHED: {"order": "desc"}},
    {f.SEQ: {"order": "desc"}},
)

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


def compile_query(node: Node) -> Query:
    """An Elasticsearch query accepting exactly the papers the evaluator accepts."""
    match node:
        case And(children=children):
            return _and(children)
        case Or(children=children):
            if not children:
                return dict(MATCH_NONE)
            return _any([compile_query(child) for child in children])
    if isinstance(node, Not):
        return _except([compile_query(node.child)])
    return _any([_reading(r) for r in node.readings()])


def _reading(reading: Reading) -> Query:
    weight = field_weight(reading.field)
    either = _any([_probe(p, weight) for p in reading.probes])
    return either if weight is not None else _constant(either)


def _probe(probe: Probe, boost: float | None) -> Query:
    """One probe's query; ``boost`` None: unboosted, inside a constant score."""
    boosted = {} if boost is None else {"boost": boost}
    field = _FIELDS[probe.stream]
    if probe.op == "term":
        return {"term": {field: {"value": probe.values[0], **boosted}}}
    if probe.op == "prefix":
        return {"prefix": {field: {"value": probe.values[0], **boosted}}}
    return {"match_phrase": {field: {"query": " ".join(probe.values), **boosted}}}


def compile_filters(filters: SearchFilters) -> list[Query]:
    """One filter clause per active filter, with the in-memory store's semantics: a source
    ending in ``*`` is a prefix, categories compare exactly as given, dates are inclusive."""
    clauses: list[Query] = []
    if filters.sources:
        clauses.append(
            {
                "bool": {
                    "should": [
                        _exact(f.SOURCE, s.removesuffix("*"), s.endswith("*"))
                        for s in filters.sources
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if filters.categories:
        clauses.append({"terms": {f.CATEGORY_EXACT: list(filters.categories)}})
    bounds: dict[str, str] = {}
    if filters.published_from is not None:
        bounds["gte"] = filters.published_from.isoformat()
    if filters.published_to is not None:
        bounds["lte"] = filters.published_to.isoformat()
    if bounds:
        clauses.append({"range": {f.PUBLISHED: bounds}})
    return clauses


def search_body(
    query: Node | None,
    filters: SearchFilters,
    sort: Literal["relevance", "date"],
    limit: int,
    offset: int,
) -> Query:
    """The ``_search`` body of :meth:`Store.search <academichub.store.port.PaperStore.search>`."""
    by_relevance = query is not None and sort == "relevance"
    body: Query = {
        "query": matching(query, filters),
        "sort": ([{"_score": {"order": "desc"}}] if by_relevance else []) + list(NEWEST_FIRST),
        # An exact total, not the default "at least 10000".
        "track_total_hits": True,
        "from": max(offset, 0),
        "size": max(limit, 0),
        "_source": [f.PAPER],
    }
    if query is not None and not by_relevance:
        body["track_scores"] = True  # a date-sorted page still says how well each hit matched
    return body


def matching(query: Node | None, filters: SearchFilters) -> Query:
    """The papers ``query`` finds under ``filters``: the query of a search and of its facets."""
    clauses = compile_filters(filters)
    bool_query: Query = {}
    if query is not None:
        bool_query["must"] = [compile_query(query)]
    if clauses:
        bool_query["filter"] = clauses
    return {"bool": bool_query} if bool_query else dict(MATCH_ALL)


# Sources are a handful of servers plus the journals configured: all of them are counted.
MAX_SOURCES: Final = 1000
# Most papers first, ties by value: the order of academichub.store.facets.ranked.
_MOST_FIRST: Final = ({"_count": "desc"}, {"_key": "asc"})


def facets_body(query: Node | None, filters: SearchFilters, top: int, days: int) -> Query:
    """The ``_search`` body counting the facets of a search (no hits).

    ``terms`` aggregations are exact here because the papers index has one shard. Papers
    per day are the ``days`` newest distinct published dates with their counts: every day
    of the window that ends with the newest date is among them.
    """

    def terms(field: str, size: int, order: Any) -> Query:
        return {"terms": {"field": field, "size": max(size, 1), "order": order}}

    return {
        "query": matching(query, filters),
        "track_total_hits": False,
        "size": 0,
        "aggs": {
            "sources": terms(f.SOURCE, MAX_SOURCES, list(_MOST_FIRST)),
            "categories": terms(f.CATEGORY_EXACT, top, list(_MOST_FIRST)),
            "days": terms(f.PUBLISHED, days, {"_key": "desc"}),
        },
    }


def _any(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def _exact(field: str, value: str, group: bool) -> Query:
    if group:
        return {"prefix": {field: {"value": value}}}
    return {"term": {field: {"value": value}}}


def _constant(query: Query) -> Query:
    return {"constant_score": {"filter": query, "boost": NON_TEXT_SCORE}}


def _except(negated: list[Query]) -> Query:
    """Every paper matching none of ``negated``; the ``match_all`` is a filter so that a
    negation scores nothing, as in scoring."""
    clause: Query = {"filter": [dict(MATCH_ALL)]}
    if negated:
        clause["must_not"] = negated
    return {"bool": clause}


def _and(children: tuple[Node, ...]) -> Query:
    must = [compile_query(c) for c in children if not isinstance(c, Not)]
    must_not = [compile_query(c.child) for c in children if isinstance(c, Not)]
    if not must:  # only negations (or nothing): "all papers except ..."
        return _except(must_not)
    clause: Query = {"must": must}
    if must_not:
        clause["must_not"] = must_not
    return {"bool": clause}
