"""Semantic radars: scoring papers by meaning against every radar at once.

Pure domain code over numpy (no I/O, no framework):

- :mod:`.profile` — :class:`SemanticProfile`, what a radar's meaning is made of (seed and
  liked papers, a described interest, dislikes) and the one score it gives a paper
- :mod:`.feedback` — per-radar logistic regression on embeddings (learning from 👍/👎)
- :mod:`.bank` — :class:`RadarBank`, all semantic radars in one matrix, incrementally
  updated; a batch of papers scored by one matrix product, hits explained by the
  nearest reference papers
- :mod:`.threshold` — "about N papers a day" turned into a score threshold
"""

from academichub.semantic.bank import BatchHits, Hit, RadarBank
from academichub.semantic.feedback import LinearScorer, fit_logistic
from academichub.semantic.profile import SemanticProfile
from academichub.semantic.threshold import WINDOW_DAYS, RateThreshold, threshold_for_rate

__all__ = [
    "WINDOW_DAYS",
    "BatchHits",
    "Hit",
    "LinearScorer",
    "RadarBank",
    "RateThreshold",
    "SemanticProfile",
    "fit_logistic",
    "threshold_for_rate",
]
