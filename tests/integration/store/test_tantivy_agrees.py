"""tantivy and the reference evaluator accept exactly the same papers.

Hypothesis draws a small corpus and query texts from a small vocabulary chosen to hit
the hard cases (stems, prefixes, phrases across fields and across authors, accents,
category groups, negation in every position); each query is parsed once and run both
ways. A failure prints the corpus and the query that disagree.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import passes_filters
from academichub.store.port import SearchFilters
from tests.integration.store.factories import paper

pytestmark = pytest.mark.integration

WORDS = (
    "quantum",
    "quanta",
    "spin",
    "spins",
    "rotation",
    "rotations",
    "rotating",
    "code",
    "codes",
    "coding",
    "neural",
    "network",
    "über",
    "naïve",
    "2d",
)
PREFIXES = ("quan*", "rot*", "rotati*", "cod*", "spi*", "neu*", "übe*", "naï*", "net*")
# Few names, so that papers often list two authors whose names could form a phrase
# across the boundary ("Alice Smith", "Bob Jones" and author:"Smith Bob").
AUTHORS = ("Alice Smith", "Bob Jones", "Rémy Dupont", "Smith")
AUTHOR_QUERIES = (
    "author:smith",
    "author:jones",
    "author:alice",
    "author:remy",
    'author:"Alice Smith"',
    'author:"Rémy Dupont"',
    'author:"Smith Bob"',
    'author:"Jones Remy"',
    'author:"Smith Smith"',
    'author:"Dupont Alice"',
)
CATEGORIES = ("cs.AI", "cs.LG", "quant-ph", "q-bio.NC", "Cell Biology")
CATEGORY_QUERIES = (
    "cat:cs.ai",
    "cat:CS.LG",
    "cat:cs.*",
    "cat:quant-ph",
    "cat:q*",
    "cat:q-bio.*",
    'cat:"cell biology"',
)
SOURCES = ("arxiv", "medrxiv", "journal:nature", "journal:cell")
SOURCE_QUERIES = ("source:arxiv", "source:medrxiv", "source:journal:*", "source:journal:cell")
TYPES = ("new", "cross", "replace", None)
TYPE_QUERIES = ("type:new", "type:cross", "type:replace")
DATES = (dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 12))

words = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)


@st.composite
def corpora(draw: st.DrawFn) -> list[Paper]:
    size = draw(st.integers(min_value=1, max_value=10))
    return [
        paper(
            n,
            draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)),
            draw(words),
            source=draw(st.sampled_from(SOURCES)),
            announce_type=draw(st.sampled_from(TYPES)),
            authors=tuple(draw(st.lists(st.sampled_from(AUTHORS), max_size=3))),
            categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2))),
            published=draw(st.sampled_from(DATES)),
        )
        for n in range(1, size + 1)
    ]


leaves = st.one_of(
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(lambda ws: f'"{" ".join(ws)}"'),
    st.sampled_from(PREFIXES),
    st.tuples(st.sampled_from(("title", "abstract")), st.sampled_from(WORDS + PREFIXES)).map(
        ":".join
    ),
    st.sampled_from(AUTHOR_QUERIES),
    st.sampled_from(CATEGORY_QUERIES),
    st.sampled_from(SOURCE_QUERIES),
    st.sampled_from(TYPE_QUERIES),
)
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: f"({' '.join(xs)})"),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: f"({' OR '.join(xs)})"),
        inner.map(lambda x: f"-{x}"),
        inner.map(lambda x: f"NOT {x}"),
    ),
    max_leaves=6,
)
filters = st.builds(
    SearchFilters,
    sources=st.lists(st.sampled_from((*SOURCES, "journal:*")), max_size=2).map(tuple),
    categories=st.lists(st.sampled_from(CATEGORIES), max_size=2).map(tuple),
    published_from=st.none() | st.sampled_from(DATES),
    published_to=st.none() | st.sampled_from(DATES),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    corpus=corpora(),
    texts=st.lists(queries, min_size=1, max_size=8),
    search_filters=st.lists(filters, min_size=1, max_size=3),
)
def test_tantivy_accepts_exactly_what_the_evaluator_accepts(
    corpus: list[Paper], texts: list[str], search_filters: list[SearchFilters]
) -> None:
    documents = [PaperDocument.from_paper(p) for p in corpus]
    newest_first = sorted(range(len(corpus)), key=lambda i: (corpus[i].published, i), reverse=True)
    with tempfile.TemporaryDirectory() as data_dir:
        store = EmbeddedStore(Path(data_dir), index_writer=True)
        try:
            store.papers.upsert_papers(corpus)
            for text in texts:
                node = parse_query(text)
                accepted = {d.paper.id for d in documents if evaluate(node, d) is not None}
                page = store.papers.search(node, limit=len(corpus) + 1)
                assert {h.paper.id for h in page.hits} == accepted, text
                assert page.total == len(accepted), text
                for chosen in search_filters:
                    expected = [
                        corpus[i].id
                        for i in newest_first
                        if corpus[i].id in accepted and passes_filters(corpus[i], chosen)
                    ]
                    by_date = store.papers.search(node, chosen, sort="date", limit=len(corpus))
                    assert [h.paper.id for h in by_date.hits] == expected, (text, chosen)
                    assert by_date.total == len(expected), (text, chosen)
        finally:
            store.close()
