"""From "about N papers a day" to a score threshold, using the recent past.

A researcher does not know what a cosine of 0.42 means; they know how many papers a day
they will read. Given the radar's scores of the papers of a recent window (the last 30
days), the threshold is the score of the ``round(N × days)``-th best of them: had it been
in force, the radar would have matched about N papers a day in that window. ``days``
counts the days that had papers (arXiv announces five days a week; a rate per calendar
day would overshoot on announcement days), so "3 a day" means 3 on a day with news.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "WINDOW_DAYS",
    "RateThreshold",
    "threshold_for_rate",
    "thresholds_for_rate",
    "thresholds_for_rates",
]

WINDOW_DAYS: Final = 30


@dataclass(frozen=True)
class RateThreshold:
    """The threshold chosen, and what it would have done in the window.

    ``threshold`` is -inf when the window had fewer papers than asked for (every paper
    matches until history builds up); ``matched`` counts the window's papers at or above
    it (ties can make it exceed the target).
    """

    threshold: float
    per_day: float
    days: int
    papers: int
    matched: int

    @property
    def matched_per_day(self) -> float:
        return self.matched / self.days if self.days else 0.0


def threshold_for_rate(
    scores: npt.ArrayLike, dates: Sequence[dt.date], per_day: float
) -> RateThreshold:
    """The score threshold giving about ``per_day`` matches a day, from the radar's
    ``scores`` of the window's papers published on ``dates`` (one date per score)."""
    values = np.asarray(scores, dtype=np.float64).ravel()
    if len(values) != len(dates):
        raise ValueError(f"{len(values)} scores but {len(dates)} dates")
    if not math.isfinite(per_day) or per_day <= 0:
        raise ValueError(f"papers a day must be a positive number, not {per_day!r}")
    if not np.isfinite(values).all():
        raise ValueError("scores must be finite")
    days = len(set(dates))
    if not days:
        return RateThreshold(-math.inf, per_day, 0, 0, 0)
    threshold = float(thresholds_for_rate(values[None, :], days, per_day)[0])
    matched = int((values >= threshold).sum())
    return RateThreshold(threshold, per_day, days, len(values), matched)


def thresholds_for_rate(
    scores: npt.NDArray[np.floating], days: int, per_day: float
) -> npt.NDArray[np.float64]:
    """The same rule for many radars at once: ``scores`` holds one row per radar over
    the same window of papers (published on ``days`` days); one threshold per row. This
    is how a matcher refreshes every radar's threshold as the window moves."""
    if days < 1:
        raise ValueError("a window needs at least one day with papers")
    n = scores.shape[1]
    wanted = max(1, round(per_day * days))
    if wanted >= n:
        return np.full(len(scores), -math.inf)
    # The wanted-th largest score of each row: partition instead of sorting the window.
    result: npt.NDArray[np.float64] = np.partition(scores, n - wanted, axis=1)[:, n - wanted]
    return result.astype(np.float64)


def thresholds_for_rates(
    scores: npt.NDArray[np.floating], days: int, per_day: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """:func:`thresholds_for_rate` with each row's own rate (``per_day[i]`` for row i):
    rows asking for the same number of papers are partitioned together, so a bank whose
    radars chose from a few rates costs a few partitions."""
    rates = np.asarray(per_day, dtype=np.float64).ravel()
    if len(rates) != len(scores):
        raise ValueError(f"{len(scores)} rows of scores but {len(rates)} rates")
    out = np.empty(len(scores), dtype=np.float64)
    wanted = np.maximum(1, np.rint(rates * days)).astype(np.int64)
    for count in np.unique(wanted):
        rows = np.flatnonzero(wanted == count)
        out[rows] = thresholds_for_rate(scores[rows], days, float(count) / days)
    return out
