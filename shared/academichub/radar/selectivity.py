"""Guesses of how often a stem or a prefix occurs in a paper, to choose anchors.

Only the order of the numbers matters: the index anchors a query on its rarest clause
(:mod:`academichub.radar.anchors`), and measures the real frequencies as papers arrive.
The guesses follow the heuristics of Lucene Monitor's term weighting: common words are
poor anchors, longer words are rarer. The guesses for the other kinds of leaves sit with
the leaves (:mod:`academichub.radar.leaves`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from academichub.radar.analysis import stem

__all__ = ["WordFrequency", "guess_word_frequency", "prefix_frequency"]

WordFrequency = Callable[[str], float]

# Words frequent in English scientific abstracts (function words and the vocabulary every
# abstract uses), compared as stems: anchoring on them would verify most radars.
_COMMON = """a accurate achieve across algorithm all allow also an analysis and any application
    approach are as at based be been between both by can case compare consider control could
    data demonstrate design develop different due dynamics each effect efficient enable energy
    evaluate even existing experiment experimental field find first for form found framework
    from function further general generate given has have here high how however important
    improve in include information into introduce investigate is it key known large learning
    level low main may measure method model more most multiple network new non not novel
    number observe obtain of on one only or order other our over paper parameter performance
    point possible potential present problem process property propose provide quantum range
    rate recent related result scale set should show shown significant simple single small
    some specific state structure study such system task than that the their then theory
    there these they this three through time to training two type under upon use various via
    we well what when where which while will with within without work would"""
_COMMON_STEMS: Final = frozenset(map(stem, _COMMON.split()))


def guess_word_frequency(stem: str) -> float:
    if stem in _COMMON_STEMS:
        return 0.3
    if stem.isdigit():
        return 0.05
    return {1: 0.1, 2: 0.08, 3: 0.05, 4: 0.03, 5: 0.02, 6: 0.012, 7: 0.008}.get(len(stem), 0.005)


def prefix_frequency(prefix: str) -> float:
    return {3: 0.15, 4: 0.06, 5: 0.03, 6: 0.015}.get(len(prefix), 0.01)
