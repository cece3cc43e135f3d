"""The Elasticsearch adapter runs the same contract suites as the other adapters.

Three suites are imported here unchanged and run against :class:`ElasticsearchStore`,
:class:`ElasticsearchAccountStore` and :class:`ElasticsearchFacets` over the hand-written
fake cluster of :mod:`tests.support.fake_elasticsearch` (always), and over a live cluster
when ``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` is set:

* the store contract, one suite per part (``test_*_contract.py``; they run their own
  live-cluster case too, so only the fake is added here), with ``refresh=True`` as on a
  live cluster: a search sees the write before it, as in the other adapters; and, on the
  same store, the journal publications recorded on stored papers and the ingestor's
  preprints by DOI (``tests/unit/store/test_recorded_publication.py``,
  ``test_preprint_links.py``);
* the briefer's state (``tests/integration/briefer/test_briefer_store_state.py``) and the
  accounts (``tests/integration/gateway/test_account_store.py``) with the default
  ``refresh=False``: the fake never refreshes on its own, so these pass only if the adapter
  makes visible by itself what the next read must see;
* the facet counts, against counting every matching paper of the in-memory store.

Only the tests that take the suite's adapter fixture are imported; the embedded-only ones
(reopening a folder, migrations) stay where they are.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from _pytest.fixtures import FixtureFunctionDefinition
from elasticsearch import Elasticsearch

from academichub.bench.synthetic import synthetic_papers
from academichub.radar.parser import parse_query
from academichub.store.accounts import AccountStore
from academichub.store.elastic import (
    ElasticsearchStore,
    ensure_indices,
)
from academichub.store.memory import InMemoryStore
from academichub.store.port import NO_FILTERS, SearchFilters
from tests.integration.briefer import test_briefer_store_state as briefer_suite
from tests.integration.gateway import test_account_store as accounts_suite
from tests.integration.store import test_briefings_contract as briefings_suite
from tests.integration.store import test_corpus_contract as corpus_suite
from tests.integration.store import test_delivery_contract as delivery_suite
from tests.integration.store import test_ingest_contract as ingest_suite
from tests.integration.store import test_matches_contract as matches_suite
from tests.integration.store import test_papers_contract as papers_suite
from tests.integration.store import test_radars_contract as radars_suite
from tests.integration.store import test_vectors_contract as vectors_suite
from tests.support.fake_elasticsearch import FakeElasticsearch
from tests.support.live_elasticsearch import live_cluster
from tests.unit.store import test_preprint_links as preprint_suite
from tests.unit.store import test_recorded_publication as publication_suite

pytestmark = pytest.mark.integration


def _import_suite(module: Any, uses: set[str], replaced: set[str]) -> list[str]:
    """Put the module's tests that use one of the fixtures ``uses`` (directly or through
    another of its fixtures) into this module, with the fixtures they need except those
    in ``replaced``, which this module defines for the Elasticsearch adapter."""
    imported = []
    for name, value in vars(module).items():
        if name.startswith("test_") and inspect.isfunction(value):
            if uses & _needs(module, value):
                assert name not in globals(), f"two suites have a {name}"
                globals()[name] = value
                imported.append(name)
        elif isinstance(value, FixtureFunctionDefinition) and name not in replaced:
            globals().setdefault(name, value)
    return imported


def _needs(module: Any, function: Callable[..., Any]) -> set[str]:
    """The fixtures ``function`` asks for, and those its fixtures of ``module`` ask for."""
    wanted = set(inspect.signature(function).parameters)
    for name in list(wanted):
        fixture = vars(module).get(name)
        if isinstance(fixture, FixtureFunctionDefinition):
            wanted |= set(inspect.signature(fixture._get_wrapped_function()).parameters)
    return wanted


# --- clusters -----------------------------------------------------------------------


@pytest.fixture(params=["fake", "live"])
def cluster(request: pytest.FixtureRequest) -> Iterator[tuple[Elasticsearch, str]]:
    """(client, index prefix) with every index created: the fake, or a live cluster with
    fresh indices under a unique prefix, deleted afterwards."""
    with _fake_cluster() if request.param == "fake" else live_cluster() as opened:
        yield opened


@pytest.fixture
def fake_cluster() -> Iterator[tuple[Elasticsearch, str]]:
    with _fake_cluster() as opened:
        yield opened


@contextmanager
def _fake_cluster() -> Iterator[tuple[Elasticsearch, str]]:
    """The in-memory fake with every index created; on leaving, nothing left half-done."""
    fake = FakeElasticsearch()
    client = fake.client()
    ensure_indices(client, "academichub")
    yield client, "academichub"
    client.close()
    fake.assert_clean()


# --- the store contract (its own live case runs in test_store_contract.py) ------------


@pytest.fixture
def store(fake_cluster: tuple[Elasticsearch, str]) -> Iterator[ElasticsearchStore]:
    client, prefix = fake_cluster
    opened = ElasticsearchStore(client, prefix=prefix, refresh=True)
    yield opened
    opened.close()


STORE_TESTS = [
    name
    for suite in (
        papers_suite,
        radars_suite,
        matches_suite,
        briefings_suite,
        ingest_suite,
        vectors_suite,
        delivery_suite,
        corpus_suite,
    )
    for name in _import_suite(suite, {"store", "corpus"}, {"store"})
]
# Journal publications recorded on stored papers, and the ingestor's preprints by DOI.
PUBLICATION_TESTS = _import_suite(publication_suite, {"store"}, {"store"})
PREPRINT_TESTS = _import_suite(preprint_suite, {"store"}, {"store"})


# --- the briefer's state, without refresh on every write -------------------------------


@pytest.fixture
def briefer_store(cluster: tuple[Elasticsearch, str]) -> Iterator[ElasticsearchStore]:
    client, prefix = cluster
    opened = ElasticsearchStore(client, prefix=prefix)
    yield opened
    opened.close()


def _briefer_test(test: Callable[..., None]) -> Callable[..., None]:
    def run(briefer_store: ElasticsearchStore) -> None:
        test(briefer_store)

    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


BRIEFER_TESTS = []
for _name, _test in vars(briefer_suite).items():
    if _name.startswith("test_") and "store" in inspect.signature(_test).parameters:
        globals()[f"{_name}__briefer"] = _briefer_test(_test)
        BRIEFER_TESTS.append(_name)


# --- accounts, without refresh on every write ----------------------------------------


@pytest.fixture
def accounts(cluster: tuple[Elasticsearch, str]) -> Iterator[AccountStore]:
    client, prefix = cluster
    opened = ElasticsearchStore(client, prefix=prefix)
    yield opened.accounts
    opened.close()


ACCOUNT_TESTS = _import_suite(accounts_suite, {"accounts"}, {"accounts"})


def test_every_suite_was_imported() -> None:
    # Guards the imports above: a renamed fixture must not silently drop a suite.
    assert len(STORE_TESTS) >= 20
    assert len(PUBLICATION_TESTS) >= 4
    assert len(PREPRINT_TESTS) >= 4
    assert len(BRIEFER_TESTS) >= 5
    assert len(ACCOUNT_TESTS) >= 5


# --- facets ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", accounts_suite.QUERIES)
def test_facets_agree_with_counting_every_paper(
    cluster: tuple[Elasticsearch, str], query: str | None
) -> None:
    papers = list(synthetic_papers(300, seed=3))
    rng = random.Random(5)
    newer = [
        p.model_copy(update={"version": 2, "categories": ("hep-th",), "title": p.title + " v2"})
        for p in rng.sample([p for p in papers if p.version == 1], 20)
    ]
    memory = InMemoryStore()
    client, prefix = cluster
    elastic = ElasticsearchStore(client, prefix=prefix, refresh=True)
    for store in (memory, elastic):
        store.papers.upsert_papers(papers)
        store.papers.upsert_papers(newer)
    node = parse_query(query) if query else None
    facets = elastic.facets
    for filters in (NO_FILTERS, SearchFilters(sources=("arxiv",), categories=("cs.LG", "hep-th"))):
        for top, days in ((5, 14), (50, 3)):
            expected = memory.facets.facets(node, filters, top=top, days=days)
            assert facets.facets(node, filters, top=top, days=days) == expected
    nothing = facets.facets(parse_query("nothingmatchesthis"), NO_FILTERS)
    assert (nothing.sources, nothing.categories, nothing.per_day) == ((), (), ())
