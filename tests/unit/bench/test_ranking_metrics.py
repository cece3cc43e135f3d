"""The relevance benchmark's measures, on rankings worked out by hand."""

from __future__ import annotations

import math

import pytest

from academichub.bench.ranking_metrics import auc, ndcg_at, precision_at


def test_precision_counts_relevant_items_among_the_best_k() -> None:
    scores = [0.9, 0.8, 0.7, 0.1]
    assert precision_at(scores, [True, False, True, True], 2) == 0.5
    assert precision_at(scores, [True, True, True, True], 4) == 1.0


def test_ndcg_discounts_by_rank_against_the_ideal_order() -> None:
    scores = [0.9, 0.8, 0.7]
    relevant = [False, True, True]
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at(scores, relevant, 3) == pytest.approx(expected)
    assert ndcg_at(scores, [True, True, False], 3) == pytest.approx(1.0)
    assert ndcg_at(scores, [False, False, False], 3) == 0.0


def test_auc_is_the_chance_a_relevant_item_outscores_an_irrelevant_one() -> None:
    assert auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert auc([0.1, 0.2, 0.9, 0.8], [True, True, False, False]) == 0.0
    assert auc([0.5, 0.5, 0.5], [True, False, False]) == 0.5  # ties count half
    assert auc([0.9, 0.3, 0.5, 0.1], [True, True, False, False]) == 0.75
    with pytest.raises(ValueError, match="relevant and irrelevant"):
        auc([0.1], [True])
