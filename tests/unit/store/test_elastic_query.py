"""The radar AST compiled to Elasticsearch queries: the exact shape of every construct,
and the same accept/reject decisions as the reference evaluator.

No cluster runs here, so :class:`tests.support.elastic_dsl.DslInterpreter` reads the
subset of the query DSL the compiler emits, over the documents the adapter indexes, with
the analysis the mapping declares (whitespace tokens, the tokenizer's maximum token length,
the position gap between the values of a multi-valued text field, ``ignore_above`` on
keywords). It refuses any query clause or option it does not know, so a compiler change
that leaves the subset fails here instead of being judged by a too-kind interpreter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academichub.contracts import Paper
from academichub.radar.ast import (
    And,
    AnnounceType,
    Author,
    Category,
    Node,
    Not,
    Or,
    Prefix,
    Source,
    Word,
)
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.store.elastic.documents import paper_document
from academichub.store.elastic.query import compile_filters, compile_query, search_body
from academichub.store.memory import passes_filters
from academichub.store.port import NO_FILTERS, SearchFilters
from tests.support.elastic_dsl import DslInterpreter
from tests.unit.radar import strategies
from tests.unit.radar.factories import paper

# --- the shape of every construct ---------------------------------------------------


def _term(field: str, value: str, boost: float) -> dict[str, Any]:
    return {"term": {field: {"value": value, "boost": boost}}}


def _either(*queries: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(queries), "minimum_should_match": 1}}


def _constant(query: dict[str, Any]) -> dict[str, Any]:
    return {"constant_score": {"filter": query, "boost": 0.1}}


ALL_BUT: dict[str, Any] = {"filter": [{"match_all": {}}]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rotations", _either(_term("title", "rotation", 2.0), _term("abstract", "rotation", 1.0))),
        ("title:quantum", _term("title", "quantum", 2.0)),
        ("abstract:quantum", _term("abstract", "quantum", 1.0)),
        (
            '"Surface Codes"',
            _either(
                {"match_phrase": {"title": {"query": "surface code", "boost": 2.0}}},
                {"match_phrase": {"abstract": {"query": "surface code", "boost": 1.0}}},
            ),
        ),
        (
            "abstract:state-of-the-art",
            {"match_phrase": {"abstract": {"query": "state of the art", "boost": 1.0}}},
        ),
        (
            "Quant*",
            _either(
                {"prefix": {"title_raw": {"value": "quant", "boost": 2.0}}},
                {"prefix": {"abstract_raw": {"value": "quant", "boost": 1.0}}},
            ),
        ),
        ("title:rota*", {"prefix": {"title_raw": {"value": "rota", "boost": 2.0}}}),
        ("author:LeCun", _constant({"term": {"author": {"value": "lecun"}}})),
        (
            'author:"Rémy Dupont"',
            _constant(
                _either(
                    {"match_phrase": {"author": {"query": "remy dupont"}}},
                    {"match_phrase": {"author": {"query": "dupont remy"}}},
                )
            ),
        ),
        ("cat:CS.LG", _constant({"term": {"cat": {"value": "cs.lg"}}})),
        ("cat:cs.*", _constant({"prefix": {"cat": {"value": "cs."}}})),
        ("source:medrxiv", _constant({"term": {"source": {"value": "medrxiv"}}})),
        ("source:journal:*", _constant({"prefix": {"source": {"value": "journal:"}}})),
        ("type:replace", _constant({"term": {"type": {"value": "replace"}}})),
        (
            "title:quantum -type:replace",
            {
                "bool": {
                    "must": [_term("title", "quantum", 2.0)],
                    "must_not": [_constant({"term": {"type": {"value": "replace"}}})],
                }
            },
        ),
        (
            "title:a1 OR title:b2",
            _either(_term("title", "a1", 2.0), _term("title", "b2", 2.0)),
        ),
        (
            "NOT title:a1 NOT title:b2",
            {
                "bool": {
                    **ALL_BUT,
                    "must_not": [_term("title", "a1", 2.0), _term("title", "b2", 2.0)],
                }
            },
        ),
        (
            "title:a1 OR -title:b2",
            _either(
                _term("title", "a1", 2.0),
                {"bool": {**ALL_BUT, "must_not": [_term("title", "b2", 2.0)]}},
            ),
        ),
        (
            "NOT (title:a1 OR title:b2)",
            {
                "bool": {
                    **ALL_BUT,
                    "must_not": [_either(_term("title", "a1", 2.0), _term("title", "b2", 2.0))],
                }
            },
        ),
    ],
)
def test_each_construct_compiles_to_its_bool_query(text: str, expected: dict[str, Any]) -> None:
    assert compile_query(parse_query(text)) == expected


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        # Shapes the parser never builds, compiled to what the evaluator would decide.
        (And(()), {"bool": ALL_BUT}),
        (Or(()), {"match_none": {}}),
        (Not(And(())), {"bool": {**ALL_BUT, "must_not": [{"bool": ALL_BUT}]}}),
    ],
)
def test_degenerate_nodes(node: Node, expected: dict[str, Any]) -> None:
    assert compile_query(node) == expected


def test_filters_compile_to_unscored_clauses() -> None:
    assert compile_filters(NO_FILTERS) == []
    filters = SearchFilters(
        sources=("arxiv", "journal:*"),
        categories=("cs.LG", "Cell Biology"),
        published_from=dt.date(2026, 6, 9),
        published_to=dt.date(2026, 6, 10),
    )
    assert compile_filters(filters) == [
        _either(
            {"term": {"source": {"value": "arxiv"}}},
            {"prefix": {"source": {"value": "journal:"}}},
        ),
        {"terms": {"category": ["cs.LG", "Cell Biology"]}},
        {"range": {"published": {"gte": "2026-06-09", "lte": "2026-06-10"}}},
    ]
    assert compile_filters(SearchFilters(published_to=dt.date(2026, 6, 10))) == [
        {"range": {"published": {"lte": "2026-06-10"}}}
    ]


def test_search_body_by_relevance_then_newest() -> None:
    body = search_body(parse_query("title:quantum"), NO_FILTERS, "relevance", 20, 40)
    assert body == {
        "query": {"bool": {"must": [_term("title", "quantum", 2.0)]}},
        "sort": [
            {"_score": {"order": "desc"}},
            {"published": {"order": "desc"}},
            {"seq": {"order": "desc"}},
        ],
        "track_total_hits": True,
        "from": 40,
        "size": 20,
        "_source": ["paper"],
    }


def test_search_body_by_date_still_scores_and_filters_do_not() -> None:
    filters = SearchFilters(categories=("cs.LG",))
    body = search_body(parse_query("title:quantum"), filters, "date", 0, -3)
    assert body["query"] == {
        "bool": {
            "must": [_term("title", "quantum", 2.0)],
            "filter": [{"terms": {"category": ["cs.LG"]}}],
        }
    }
    assert body["sort"] == [{"published": {"order": "desc"}}, {"seq": {"order": "desc"}}]
    assert body["track_scores"] is True
    assert (body["from"], body["size"]) == (0, 0)


def test_search_body_without_a_query_lists_newest_first() -> None:
    assert search_body(None, NO_FILTERS, "relevance", 5, 0)["query"] == {"match_all": {}}
    only_filtered = search_body(None, SearchFilters(sources=("arxiv",)), "relevance", 5, 0)
    assert only_filtered["query"] == {
        "bool": {"filter": [_either({"term": {"source": {"value": "arxiv"}}})]}
    }
    assert "track_scores" not in only_filtered
    assert only_filtered["sort"][0] == {"published": {"order": "desc"}}


DSL = DslInterpreter()


def accepts(node: Node, papers: Sequence[Paper]) -> tuple[set[str], set[str]]:
    """(ids the evaluator accepts, ids the compiled query accepts)."""
    compiled = compile_query(node)
    by_evaluator = {p.id for p in papers if evaluate(node, PaperDocument.from_paper(p)) is not None}
    by_dsl = {p.id for i, p in enumerate(papers) if DSL.matches(compiled, paper_document(p, i))}
    return by_evaluator, by_dsl


# --- hand-picked hard cases -------------------------------------------------------

HARD = [
    paper(
        "Rotations of Spins in a 2D field",
        "We study the ﬁeld. State-of-the-art rotating codes; code surface.",
        authors=("Yann LeCun", "Alice Smith", "Bob Jones"),
        categories=("quant-ph", "cs.IT"),
    ),
    paper(
        "Surface codes",
        "Über-fast naïve decoders",
        authors=("Rémy Dupont-Moreau", "Smith"),
        categories=("cs.LG", "q-bio.NC"),
        announce_type="cross",
    ),
    paper(
        "Vaccine trial outcomes",
        "",
        authors=("—", "Dana Smith"),
        categories=("Cell Biology",),
        source="medrxiv",
        announce_type=None,
    ),
    paper("Quantum supremacy", "x" * 9000, source="journal:nature", announce_type=None),
]


@pytest.mark.parametrize(
    "text",
    [
        "rotation",
        "field",
        '"surface code"',
        '"code surface"',
        "state-of-the-art",
        "2d",
        "über",
        "naïve",
        "quant*",
        "rotati*",
        "übe*",
        "title:code",
        "abstract:code*",
        "author:smith",
        "author:yann",
        'author:"Yann LeCun"',
        'author:"Smith Bob"',
        'author:"Dupont Moreau"',
        'author:"Moreau Smith"',
        "author:remy",
        "cat:cs.*",
        "cat:q*",
        'cat:"cell biology"',
        "cat:quant-ph",
        "source:journal:*",
        "source:arxiv",
        "type:cross",
        "NOT type:cross",
        "-quantum -vaccine",
        "surface OR -rotation",
        "(surface OR vaccine) -cat:cs.*",
        "NOT (author:smith OR source:medrxiv)",
    ],
)
def test_hard_cases_agree_with_the_evaluator(text: str) -> None:
    by_evaluator, by_dsl = accepts(parse_query(text), HARD)
    assert by_dsl == by_evaluator


def test_the_one_known_gap_is_a_token_longer_than_the_tokenizer_allows() -> None:
    # 9000 letters are one evaluator token but two index tokens (cut at 8191 characters).
    node = Word("abstract", "x" * 9000, "x" * 9000)
    by_evaluator, by_dsl = accepts(node, HARD)
    assert by_evaluator == {HARD[3].id}
    assert by_dsl == set()
    assert accepts(Prefix("abstract", "xxx", "xxx*"), HARD)[1] == {HARD[3].id}


def test_the_interpreter_can_tell_papers_apart() -> None:
    # Guards the agreement tests against an interpreter that accepts everything.
    assert accepts(parse_query("surface"), HARD) == ({HARD[1].id, HARD[0].id},) * 2
    assert accepts(parse_query("nothingmatchesthis"), HARD) == (set(), set())
    assert (
        DSL.matches(compile_query(Category("cs.", True, "cs.*")), paper_document(HARD[2], 0))
        is False
    )
    assert DSL.matches(compile_query(Source("medrxiv", False, "")), paper_document(HARD[2], 0))
    assert (
        DSL.matches(compile_query(AnnounceType("new", "new")), paper_document(HARD[2], 0)) is False
    )
    assert DSL.matches(compile_query(Author(("dana", "smith"), "")), paper_document(HARD[2], 0))


# --- random corpora and queries --------------------------------------------------------

DATES = (dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 12))
corpora = st.lists(
    st.tuples(strategies.papers, st.sampled_from(DATES)).map(
        lambda pair: pair[0].model_copy(update={"published": pair[1]})
    ),
    min_size=1,
    max_size=8,
)
filters = st.builds(
    SearchFilters,
    sources=st.lists(st.sampled_from((*strategies.SOURCES, "journal:*")), max_size=2).map(tuple),
    categories=st.lists(st.sampled_from(strategies.CATEGORIES), max_size=2).map(tuple),
    published_from=st.none() | st.sampled_from(DATES),
    published_to=st.none() | st.sampled_from(DATES),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora, nodes=st.lists(strategies.queries, min_size=1, max_size=5))
def test_compiled_queries_accept_exactly_what_the_evaluator_accepts(
    corpus: list[Paper], nodes: list[Node]
) -> None:
    for node in nodes:
        by_evaluator, by_dsl = accepts(node, corpus)
        assert by_dsl == by_evaluator, node


@settings(max_examples=150, deadline=None)
@given(corpus=corpora, chosen=filters)
def test_compiled_filters_accept_exactly_what_the_memory_store_accepts(
    corpus: list[Paper], chosen: SearchFilters
) -> None:
    query = {"bool": {"filter": compile_filters(chosen)}}
    expected = {p.id for p in corpus if passes_filters(p, chosen)}
    assert {p.id for p in corpus if DSL.matches(query, paper_document(p, 0))} == expected
