"""BM25 over the fired terms: what ranks a match higher."""

from __future__ import annotations

import math

import pytest

from academichub.contracts import MatchedTerm
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.radar.scoring import NON_TEXT_SCORE, CorpusStats, WithPaper, score_document
from tests.unit.radar.factories import doc

SPIN = doc("Spin chains", "Spin rotation model")
GRAPH = doc("Graph", "Graph model")
STATS = CorpusStats.from_documents([SPIN, GRAPH])


def term(field: str, value: str) -> MatchedTerm:
    return MatchedTerm(field=field, term=value)


def test_stats_count_documents_lengths_and_document_frequencies() -> None:
    assert (STATS.n_docs, STATS.avg_title_length, STATS.avg_abstract_length) == (2, 1.5, 2.5)
    assert STATS.df == {"spin": 1, "chain": 1, "rotation": 1, "model": 2, "graph": 1}


def test_incremental_add_equals_building_from_all_documents() -> None:
    stats = CorpusStats.from_documents([])
    stats.add(SPIN)
    stats.add(GRAPH)
    assert stats == STATS


def test_bm25_by_hand() -> None:
    # idf = ln(1 + (2 - 1 + 0.5) / (1 + 0.5)) = ln 2; title length 2, average 1.5:
    # norm = 1.2 * (0.25 + 0.75 * 2 / 1.5) = 1.5; tf part = 1 * 2.2 / (1 + 1.5).
    expected = 2 * math.log(2) * 2.2 / 2.5
    assert score_document((term("title", "spin"),), SPIN, STATS) == pytest.approx(expected)


def test_title_counts_twice() -> None:
    same = doc("alpha beta", "alpha beta")
    stats = CorpusStats.from_documents([same, doc("gamma delta", "gamma delta")])
    title = score_document((term("title", "alpha"),), same, stats)
    abstract = score_document((term("abstract", "alpha"),), same, stats)
    assert title == pytest.approx(2 * abstract)


def test_rarer_terms_and_more_occurrences_score_higher() -> None:
    rare = score_document((term("abstract", "rotation"),), SPIN, STATS)
    common = score_document((term("abstract", "model"),), SPIN, STATS)
    assert rare > common > 0
    once = doc("x", "spin glass dynamics")
    twice = doc("x", "spin glass spin")
    stats = CorpusStats.from_documents([once, twice, GRAPH])
    fired = (term("abstract", "spin"),)
    assert score_document(fired, twice, stats) > score_document(fired, once, stats)


def test_phrases_score_their_occurrences_with_summed_idf() -> None:
    phrase = score_document((term("title", "spin chain"),), SPIN, STATS)
    words = score_document((term("title", "spin"),), SPIN, STATS)
    assert phrase == pytest.approx(2 * words)  # both stems have df 1, tf 1
    assert score_document((term("title", "chain spin"),), SPIN, STATS) == 0.0


def test_a_prefix_scores_as_the_words_it_expands_to() -> None:
    paper = doc("x", "rotations and rotors rotate")
    stats = CorpusStats.from_documents([paper, GRAPH])
    stems = ("rotation", "rotor", "rotate")
    expanded = sum(score_document((term("abstract", stem),), paper, stats) for stem in stems)
    assert score_document((term("abstract", "rot*"),), paper, stats) == pytest.approx(expanded)


def test_non_text_terms_add_a_small_constant() -> None:
    fired = (term("cat", "quant-ph"), term("author", "lecun"), term("title", "spin"))
    text_only = score_document(fired[2:], SPIN, STATS)
    assert score_document(fired, SPIN, STATS) == pytest.approx(text_only + 2 * NON_TEXT_SCORE)
    assert score_document((), SPIN, STATS) == 0.0


def test_scoring_an_evaluated_match_before_any_statistics() -> None:
    fired = evaluate(parse_query("spin OR model"), SPIN)
    assert fired is not None
    first = score_document(fired, SPIN, CorpusStats())
    assert first > 0
    assert score_document(fired, SPIN, CorpusStats()) == first


def test_a_corpus_with_one_paper_more_scores_as_the_corpus_that_counts_it() -> None:
    """WithPaper reads a corpus plus one paper without copying it: the same floats as
    adding the paper to a copy (its own stems never have df 0)."""
    new = doc("Spin liquids", "Frustrated spin liquid model")
    counted = CorpusStats.from_documents([SPIN, GRAPH, new])
    overlay = WithPaper(STATS, new)
    assert overlay.avg_title_length == counted.avg_title_length
    assert overlay.avg_abstract_length == counted.avg_abstract_length
    for stem in ("spin", "liquid", "model", "graph", "absent"):
        assert overlay.idf(stem) == counted.idf(stem)
    fired = evaluate(parse_query("spin liquid model"), new)
    assert fired is not None
    assert score_document(fired, new, overlay) == score_document(fired, new, counted)
    assert CorpusStats.from_documents([SPIN, GRAPH]) == STATS  # untouched
    # On an empty corpus the paper alone is the corpus.
    assert score_document(fired, new, WithPaper(CorpusStats(), new)) == score_document(
        fired, new, CorpusStats.from_documents([new])
    )
