"""A radar's semantic side, from the radar itself and the stored vectors it names.

The one place that says, for a :class:`~academichub.contracts.Radar`:

- whether meaning takes part in deciding or ordering its matches
  (:func:`decided_by_meaning`): a semantic radar (seeds or a described interest), or a
  keyword radar that learns from its ratings. The keyword matcher leaves these to the
  embedding role of the matcher, which sees a paper once it has a vector; both roles
  decide it from the radar alone, so they always agree on who matches it;
- which stored vectors its profile needs (:func:`references`);
- its :class:`~academichub.semantic.profile.SemanticProfile` (:func:`profile_of`), built
  from whatever of those vectors exist (a seed not embedded yet is left out until it is);
- its threshold from "about N papers a day" over a window of recent papers
  (:func:`radar_threshold`).

A semantic radar without a threshold (the window had fewer papers than it asked for)
takes every paper its query lets through (:data:`EVERYTHING`) until the daily refresh
finds enough history.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Final

import numpy as np

from academichub.contracts import Radar
from academichub.embedding.port import Vectors
from academichub.semantic.profile import SemanticProfile, learns
from academichub.semantic.threshold import threshold_for_rate

__all__ = [
    "EVERYTHING",
    "decided_by_meaning",
    "matching_threshold",
    "profile_of",
    "radar_threshold",
    "references",
]

EVERYTHING: Final = -math.inf


def _liked(radar: Radar) -> list[str]:
    return [p for p in radar.liked if p not in radar.seeds]


def decided_by_meaning(radar: Radar) -> bool:
    """Whether the embedding role matches this radar (see the module docstring)."""
    if radar.semantic:
        return True
    liked = _liked(radar)
    return learns(len(liked), len(radar.disliked), len(liked))


def references(radar: Radar) -> tuple[str, ...]:
    """The papers whose vectors the radar's profile is made of."""
    return tuple(dict.fromkeys((*radar.seeds, *radar.liked, *radar.disliked)))


def profile_of(
    radar: Radar,
    dimension: int,
    vectors: Mapping[str, Vectors],
    interest: Vectors | None,
) -> SemanticProfile | None:
    """The radar's profile from the stored ``vectors`` of its papers (those missing are
    left out) and its interest's vector; None when nothing scores (no reference has a
    vector yet, and no interest). The threshold is :func:`matching_threshold`."""
    profile = SemanticProfile.build(
        radar.id,
        dimension,
        seeds={p: vectors[p] for p in radar.seeds if p in vectors},
        interest=interest if radar.interest is not None else None,
        liked={p: vectors[p] for p in radar.liked if p in vectors},
        disliked={p: vectors[p] for p in radar.disliked if p in vectors},
    )
    if not profile.is_semantic:
        return None
    return profile.with_threshold(matching_threshold(radar))


def matching_threshold(radar: Radar) -> float:
    """The raw score a paper needs: the radar's threshold if it is semantic (everything
    until it has one); a keyword radar's query alone decides (its model only orders)."""
    if radar.semantic and radar.threshold is not None:
        return radar.threshold
    return EVERYTHING


def radar_threshold(
    profile: SemanticProfile,
    per_day: float,
    paper_ids: Sequence[str],
    published: Sequence[dt.date],
    window: Vectors,
    *,
    allowed: Collection[str] | None = None,
) -> float | None:
    """The raw score giving about ``per_day`` papers a day over the window (its papers'
    ids, dates and vectors), counting only the papers in ``allowed`` when given (those its
    query lets through); None when the window holds fewer papers than that asks for."""
    rows = np.arange(len(paper_ids))
    if allowed is not None:
        rows = np.array([i for i, p in enumerate(paper_ids) if p in allowed], dtype=np.int64)
    if not len(rows):
        return None
    scores = profile.raw_scores(window[rows])
    chosen = threshold_for_rate(scores, [published[int(i)] for i in rows], per_day)
    return chosen.threshold if math.isfinite(chosen.threshold) else None
