"""``academichub bench relevance``: does meaning rank better than words? MiniLM vs TF-IDF.

Over the recorded arXiv feeds bundled with the project (1,081 papers, 2008 and 2025; a
paper's primary category is its label), the same radar code (:mod:`academichub.semantic`)
scores papers with two kinds of vectors side by side:

- **MiniLM**: the embedded all-MiniLM-L6-v2 (vectors cached on disk under the model's
  key, so a rerun embeds nothing);
- **TF-IDF**: stemmed words of title + abstract (the radar analyser), words in at least
  two papers, sublinear term frequency, smoothed idf, unit length.

Radars, all drawn with fixed seeds:

- **seed radars**: 3 seed papers of a category (5 radars for each category of 13 or
  more papers); the rest of the corpus ranked by similarity to the seeds' direction;
  precision@10 and nDCG@20, a paper of the same primary category counting as relevant;
- **feedback radars**: 10 👍 from a category and 10 👎 from others (3 radars for each
  category of 20 or more papers), ranked by the learned model; AUC over the unrated
  papers;
- **free-text radars**: a dozen interests written in words a researcher would use, each
  aimed at one category; precision@10.
"""

from __future__ import annotations

import collections
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from academichub.bench.corpus import recorded_papers
from academichub.bench.ranking_metrics import auc, ndcg_at, precision_at
from academichub.contracts import Paper
from academichub.embedding.cache import CachedEmbedder
from academichub.embedding.minilm import MiniLMEmbedder
from academichub.embedding.port import Vectors
from academichub.embedding.text import interest_text, paper_text
from academichub.embedding.tfidf import TfIdf
from academichub.platform.blas import limit_blas_threads
from academichub.semantic.profile import SemanticProfile

DEFAULT_CACHE = Path("var/cache/embeddings")
SEED_RADARS_PER_CATEGORY = 5
FEEDBACK_RADARS_PER_CATEGORY = 3

# (interest as a researcher would write it, the primary category it aims at)
INTERESTS: tuple[tuple[str, str], ...] = (
    ("galaxy formation, star clusters and cosmological surveys of the early universe", "astro-ph"),
    ("entanglement, quantum information processing and quantum algorithms", "quant-ph"),
    ("physics beyond the Standard Model and its collider signatures at the LHC", "hep-ph"),
    ("string theory, AdS/CFT duality and supersymmetric gauge theories", "hep-th"),
    ("black holes, gravitational waves and tests of general relativity", "gr-qc"),
    (
        "strongly correlated electrons, Hubbard models and frustrated quantum magnets",
        "cond-mat.str-el",
    ),
    (
        "mechanism of high-temperature superconductivity in cuprates and iron pnictides",
        "cond-mat.supr-con",
    ),
    ("electron transport in quantum dots, graphene and nanoscale devices", "cond-mat.mes-hall"),
    ("nuclear structure, nuclear matter and heavy-ion collision theory", "nucl-th"),
    (
        "phase transitions, critical phenomena and nonequilibrium statistical physics",
        "cond-mat.stat-mech",
    ),
    ("prime numbers, modular forms and L-functions", "math.NT"),
    ("regularity and blow-up of solutions of nonlinear partial differential equations", "math.AP"),
)


@dataclass
class Figures:
    seed_precision: list[float]
    seed_ndcg: list[float]
    feedback_auc: list[float]
    interest_precision: list[float]
    learn_ms: list[float]


def _evaluate(
    vectors: Vectors,
    interest_vectors: Vectors,
    labels: Sequence[str],
    seed_draws: Sequence[tuple[str, list[int]]],
    feedback_draws: Sequence[tuple[str, list[int], list[int]]],
) -> Figures:
    dim = vectors.shape[1]
    figures = Figures([], [], [], [], [])
    label_array = np.array(labels)
    for category, seeds in seed_draws:
        profile = SemanticProfile.build("seed", dim, seeds={str(i): vectors[i] for i in seeds})
        keep = np.ones(len(labels), dtype=bool)
        keep[seeds] = False
        scores = profile.raw_scores(vectors)[keep]
        relevant = label_array[keep] == category
        figures.seed_precision.append(precision_at(scores, relevant, 10))
        figures.seed_ndcg.append(ndcg_at(scores, relevant, 20))
    for category, liked, disliked in feedback_draws:
        started = time.perf_counter()
        profile = SemanticProfile.build(
            "feedback",
            dim,
            liked={str(i): vectors[i] for i in liked},
            disliked={str(i): vectors[i] for i in disliked},
        )
        figures.learn_ms.append((time.perf_counter() - started) * 1000)
        keep = np.ones(len(labels), dtype=bool)
        keep[liked + disliked] = False
        scores = profile.raw_scores(vectors)[keep]
        figures.feedback_auc.append(auc(scores, label_array[keep] == category))
    for (_, category), interest in zip(INTERESTS, interest_vectors, strict=True):
        profile = SemanticProfile.build("interest", dim, interest=interest)
        scores = profile.raw_scores(vectors)
        figures.interest_precision.append(precision_at(scores, label_array == category, 10))
    return figures


def _draws(
    labels: Sequence[str],
) -> tuple[list[tuple[str, list[int]]], list[tuple[str, list[int], list[int]]]]:
    rng = random.Random(2026)
    members = collections.defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    seeds = [
        (category, rng.sample(ids, 3))
        for category, ids in sorted(members.items())
        if len(ids) >= 13
        for _ in range(SEED_RADARS_PER_CATEGORY)
    ]
    feedback = []
    for category, ids in sorted(members.items()):
        if len(ids) < 20:
            continue
        others = [i for i, label in enumerate(labels) if label != category]
        for _ in range(FEEDBACK_RADARS_PER_CATEGORY):
            feedback.append((category, rng.sample(ids, 10), rng.sample(others, 10)))
    return seeds, feedback


def _mean(values: Sequence[float]) -> str:
    return f"{float(np.mean(values)):.3f}"


def run_bench_relevance(cache: str | None) -> int:
    limit_blas_threads(1)
    papers: list[Paper] = recorded_papers()
    labels = [p.categories[0] if p.categories else "" for p in papers]
    texts = [paper_text(p) for p in papers]
    interests = [interest_text(text) for text, _ in INTERESTS]
    seed_draws, feedback_draws = _draws(labels)
    print(
        f"corpus: {len(papers)} recorded arXiv papers, "
        f"{len(set(labels))} primary categories (the label)"
    )
    print(
        f"radars: {len(seed_draws)} seed radars (3 seeds) over "
        f"{len({c for c, _ in seed_draws})} categories, {len(feedback_draws)} feedback radars "
        f"(10 👍 / 10 👎), {len(INTERESTS)} free-text interests"
    )
    folder = Path(cache) if cache else DEFAULT_CACHE
    minilm = CachedEmbedder(MiniLMEmbedder.load(), folder)
    started = time.perf_counter()
    minilm_vectors = minilm.embed(texts)
    minilm_interests = minilm.embed(interests)
    print(
        f"MiniLM vectors: {minilm.hits} from the cache ({minilm.path}), {minilm.misses} "
        f"embedded in {time.perf_counter() - started:.1f} s"
    )
    tfidf = TfIdf(texts)
    print(f"TF-IDF vectors: {tfidf.model.dimension} terms (stems in 2 or more papers)")
    results = {
        "MiniLM": _evaluate(minilm_vectors, minilm_interests, labels, seed_draws, feedback_draws),
        "TF-IDF": _evaluate(
            tfidf.embed(texts), tfidf.embed(interests), labels, seed_draws, feedback_draws
        ),
    }
    print()
    print(f"{'':<34} {'MiniLM':>8} {'TF-IDF':>8}")
    rows: list[tuple[str, str]] = [
        ("seed radars: precision@10", "seed_precision"),
        ("seed radars: nDCG@20", "seed_ndcg"),
        ("feedback radars: AUC (10 👍/10 👎)", "feedback_auc"),
        ("free-text radars: precision@10", "interest_precision"),
        ("learning: ms per refit", "learn_ms"),
    ]
    for title, attribute in rows:
        cells = [_mean(getattr(results[name], attribute)) for name in ("MiniLM", "TF-IDF")]
        print(f"{title:<34} {cells[0]:>8} {cells[1]:>8}")
    print()
    print("free-text radars, precision@10 each:")
    for (text, category), a, b in zip(
        INTERESTS,
        results["MiniLM"].interest_precision,
        results["TF-IDF"].interest_precision,
        strict=True,
    ):
        print(f"  {category:<18} {a:>5.1f} {b:>5.1f}  {text}")
    return 0
