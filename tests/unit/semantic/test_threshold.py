"""'About N papers a day' becomes the score that would have given that many."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from academichub.semantic.threshold import threshold_for_rate, thresholds_for_rate

DAY = dt.date(2026, 3, 2)


def days(*counts: int) -> list[dt.date]:
    return [DAY + dt.timedelta(days=i) for i, n in enumerate(counts) for _ in range(n)]


def test_the_threshold_admits_n_a_day_over_the_days_that_had_papers() -> None:
    dates = days(5, 5, 0, 5, 5)  # 4 days with papers, one without (a weekend)
    scores = [i / 20 for i in range(20)]
    chosen = threshold_for_rate(scores, dates, per_day=2)
    assert chosen.days == 4
    assert chosen.threshold == pytest.approx(0.6)  # the 8th best of 20
    assert chosen.matched == 8
    assert chosen.matched_per_day == 2


def test_ties_at_the_threshold_are_all_admitted() -> None:
    chosen = threshold_for_rate([0.9, 0.5, 0.5, 0.5, 0.1], days(5), per_day=2)
    assert chosen.threshold == 0.5
    assert chosen.matched == 4


def test_too_little_history_admits_everything_until_it_builds_up() -> None:
    chosen = threshold_for_rate([0.3, 0.2], days(2), per_day=5)
    assert chosen.threshold == -math.inf
    assert chosen.matched == 2


@pytest.mark.parametrize("per_day", [0, -1, math.nan, math.inf])
def test_a_rate_must_be_a_positive_number(per_day: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        threshold_for_rate([0.1], days(1), per_day=per_day)


def test_scores_and_dates_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 scores but 1 dates"):
        threshold_for_rate([0.1, 0.2], days(1), per_day=1)


def test_many_radars_at_once_follow_the_same_rule() -> None:
    rng = np.random.default_rng(5)
    scores = rng.random((7, 50))
    dates = days(25, 25)
    many = thresholds_for_rate(scores, days=2, per_day=3)
    one_by_one = [threshold_for_rate(row, dates, per_day=3).threshold for row in scores]
    np.testing.assert_array_equal(many, one_by_one)
    assert threshold_for_rate([], [], per_day=3).threshold == -math.inf
