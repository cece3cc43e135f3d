"""Phrase frequencies: the store's search index and the in-memory count agree."""

from academichub.briefer.domain.corpus import (
    CountedPhraseStatistics,
    StorePhraseStatistics,
    window_counts,
)
from academichub.briefer.domain.extractive import candidate_keys
from academichub.briefer.domain.keyphrases import phrase_key
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.unit.briefer.test_briefer_extractive import window


async def test_store_phrase_counts_agree_with_counted_ones() -> None:
    papers = window()
    store = InMemoryStore()
    store.papers.upsert_papers(papers)
    keys = candidate_keys(papers)
    door = AsyncStore.inline(store.papers)
    by_search = await StorePhraseStatistics(door).phrase_frequencies(keys)
    counted = CountedPhraseStatistics(papers).counts(keys)
    assert by_search.documents == counted.documents == 6
    assert by_search.source == "store"
    assert dict(by_search.frequencies) == dict(counted.frequencies)
    assert by_search.frequency(phrase_key("surface codes")) == 5
    assert by_search.frequency(phrase_key("graph neural network")) == 2


def test_a_phrase_counts_only_as_consecutive_words_of_one_field() -> None:
    papers = window()
    counts = window_counts(papers, [phrase_key("surgery lattice"), phrase_key("qubits noise")])
    assert counts.frequency(phrase_key("surgery lattice")) == 0
    # "fewer qubits" ends the title and "Noise" opens no abstract of that paper.
    assert counts.frequency(phrase_key("qubits noise")) == 0
    assert counts.frequency(phrase_key("never asked")) == 0
