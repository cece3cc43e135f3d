"""Ranking quality measures for ``academichub bench relevance`` (binary relevance)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["auc", "ndcg_at", "precision_at"]


def _top(scores: npt.ArrayLike, k: int) -> npt.NDArray[np.intp]:
    values = np.asarray(scores, dtype=np.float64)
    # Stable order by score, best first: ties keep input order, so results are repeatable.
    return np.argsort(-values, kind="stable")[:k]


def precision_at(scores: npt.ArrayLike, relevant: npt.ArrayLike, k: int) -> float:
    """Share of the k best-scored items that are relevant."""
    flags = np.asarray(relevant, dtype=bool)
    return float(flags[_top(scores, k)].sum()) / k


def ndcg_at(scores: npt.ArrayLike, relevant: npt.ArrayLike, k: int) -> float:
    """Normalised discounted cumulative gain of the k best-scored items (gain 1 for a
    relevant item at rank r, discounted by log2(r + 1)); 0 when nothing is relevant."""
    flags = np.asarray(relevant, dtype=bool)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gained = float((flags[_top(scores, k)] * discounts[: min(k, len(flags))]).sum())
    ideal = float(discounts[: min(k, int(flags.sum()))].sum())
    return gained / ideal if ideal else 0.0


def auc(scores: npt.ArrayLike, relevant: npt.ArrayLike) -> float:
    """Area under the ROC curve: the chance that a relevant item outscores an irrelevant
    one, ties counting half (Mann-Whitney U over ranks)."""
    values = np.asarray(scores, dtype=np.float64)
    flags = np.asarray(relevant, dtype=bool)
    positives, negatives = int(flags.sum()), int((~flags).sum())
    if not positives or not negatives:
        raise ValueError("AUC needs relevant and irrelevant items")
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    # Average ranks over ties.
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    u = ranks[flags].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))
