"""A radar's semantic side from the radar and the stored vectors: who matches it, what
its profile is made of, and its threshold from "about N papers a day"."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from academichub.contracts import Radar
from academichub.embedding.fake import FakeEmbedder
from academichub.semantic.radars import (
    EVERYTHING,
    decided_by_meaning,
    matching_threshold,
    profile_of,
    radar_threshold,
    references,
)
from academichub.semantic.threshold import threshold_for_rate, thresholds_for_rates

EPOCH = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
EMBED = FakeEmbedder(dimension=32)


def radar(**fields: Any) -> Radar:
    base: dict[str, Any] = {
        "id": "r1",
        "owner": "u",
        "name": "r",
        "query": "qubit",
        "created_at": EPOCH,
        "updated_at": EPOCH,
    }
    return Radar.model_validate({**base, **fields})


def pid(n: int) -> str:
    return f"arxiv:2606.{n:05d}"


def test_who_matches_a_radar() -> None:
    assert not decided_by_meaning(radar())
    assert decided_by_meaning(radar(seeds=[pid(1)], per_day=3))
    assert decided_by_meaning(radar(query="", interest="cat codes", per_day=3))
    # A keyword radar learns from its second rating once it has a 👍 and a 👎 ...
    assert not decided_by_meaning(radar(liked=[pid(1)]))
    assert not decided_by_meaning(radar(disliked=[pid(1), pid(2)]))
    assert decided_by_meaning(radar(liked=[pid(1)], disliked=[pid(2)]))


def test_a_profile_is_made_of_the_vectors_that_exist() -> None:
    texts = {
        pid(1): "bosonic cat codes",
        pid(2): "surface code decoders",
        pid(3): "protein folding",
    }
    vectors = dict(zip(texts, EMBED.embed(list(texts.values())), strict=True))
    seeds = radar(seeds=[pid(1), pid(9)], per_day=3, threshold=0.2, disliked=[pid(3)])
    assert references(seeds) == (pid(1), pid(9), pid(3))
    profile = profile_of(seeds, 32, vectors, None)
    assert profile is not None
    assert profile.reference_ids == (pid(1),)  # pid(9) has no vector yet
    assert profile.threshold == 0.2
    assert profile.kind == "similarity"  # one rating: not learned yet
    learned = profile_of(
        radar(seeds=[pid(1)], per_day=3, liked=[pid(2)], disliked=[pid(3)]), 32, vectors, None
    )
    assert learned is not None
    assert learned.kind == "learned"
    assert learned.threshold == EVERYTHING  # no threshold chosen yet: everything, for now
    nothing = profile_of(radar(seeds=[pid(9)], per_day=3), 32, vectors, None)
    assert nothing is None
    described = profile_of(
        radar(query="", interest="cats", per_day=1), 32, {}, EMBED.embed(["cats"])[0]
    )
    assert described is not None


def test_a_keyword_radar_lets_its_query_decide() -> None:
    keyword = radar(liked=[pid(1)], disliked=[pid(2)], threshold=0.5)
    assert matching_threshold(keyword) == EVERYTHING
    assert matching_threshold(radar(seeds=[pid(1)], per_day=1, threshold=0.5)) == 0.5


def test_the_threshold_gives_about_n_papers_a_day() -> None:
    rng = np.random.default_rng(3)
    window = rng.standard_normal((60, 32)).astype(np.float32)
    window /= np.linalg.norm(window, axis=1, keepdims=True)
    ids = [pid(i) for i in range(60)]
    days = [dt.date(2026, 6, 1) + dt.timedelta(days=i % 6) for i in range(60)]
    profile = profile_of(radar(seeds=[pid(0)], per_day=2), 32, {pid(0): window[0]}, None)
    assert profile is not None
    chosen = radar_threshold(profile, 2, ids, days, window)
    assert chosen is not None
    assert int((profile.raw_scores(window) >= chosen).sum()) == 12  # 2 a day over 6 days
    # Counting only what the query let through.
    allowed = set(ids[:30])
    narrow = radar_threshold(profile, 1, ids, days, window, allowed=allowed)
    assert narrow is not None
    scores = profile.raw_scores(window[:30])
    assert int((scores >= narrow).sum()) == 6
    assert radar_threshold(profile, 20, ids, days, window) is None  # more than the window
    assert radar_threshold(profile, 1, ids, days, window, allowed=set()) is None


def test_each_row_keeps_its_own_rate() -> None:
    rng = np.random.default_rng(5)
    scores = rng.standard_normal((7, 50))
    rates = [1, 2, 1, 0.5, 3, 2, 1]
    together = thresholds_for_rates(scores, 5, rates)
    for row, rate in enumerate(rates):
        dates = [dt.date(2026, 6, 1 + i % 5) for i in range(50)]
        assert together[row] == threshold_for_rate(scores[row], dates, rate).threshold
    assert math.isinf(thresholds_for_rates(scores[:1], 5, [100])[0])
