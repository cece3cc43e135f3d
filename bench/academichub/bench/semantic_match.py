"""The semantic half of ``academichub bench match``: the radar bank at 1k / 10k / 100k radars.

Vectors are synthetic (384 dimensions like MiniLM's, unit length, drawn around 40 topic
centres so that a radar's seeds share a topic as real seeds do): the matrix product's
speed does not depend on what the vectors say, and the corpus's real embeddings would
take minutes to make. Each radar has 3 seed papers and the threshold that admits 5
papers of a synthetic 1,500-paper day (as an arXiv announcement day), set by the
threshold rule of :mod:`academichub.semantic.threshold`, so hits per paper are those of
a real day: about 0.33% of the radars.

For float32 and int8 rows it prints papers/s scored in batches of 256 (matrix product,
thresholds and hits; then with each hit's nearest seeds as well), the memory per radar
(everything the bank allocates, measured by tracemalloc), and how far int8 moves the
hits: the share of float32's hits it finds and of its own that float32 finds too.
Rates are per CPU second of this process (time.process_time), with BLAS on one thread:
"on one core", and not inflated or deflated by what else the shared machine runs.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from academichub.semantic.bank import BLOCK_ROWS, RadarBank
from academichub.semantic.profile import SemanticProfile
from academichub.semantic.threshold import thresholds_for_rate

DIMENSION = 384
TOPICS = 40
DAY = 1500
PER_DAY = 5
BATCH = 256
SEEDS = 3

F32 = npt.NDArray[np.float32]


def synthetic_papers(count: int, rng: np.random.Generator) -> tuple[F32, npt.NDArray[np.int64]]:
    """Unit vectors around topic centres (same-topic cosine about 0.5, across about 0),
    and each paper's topic."""
    centres = rng.standard_normal((TOPICS, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    topic = rng.integers(0, TOPICS, count)
    noise = rng.standard_normal((count, DIMENSION)).astype(np.float32) / np.sqrt(DIMENSION)
    vectors = centres[topic] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), topic


def _profiles(
    count: int, papers: F32, topic: npt.NDArray[np.int64], rng: np.random.Generator
) -> list[SemanticProfile]:
    by_topic = [np.flatnonzero(topic == t) for t in range(TOPICS)]
    profiles = []
    for i in range(count):
        members = by_topic[int(rng.integers(0, TOPICS))]
        seeds = rng.choice(members, SEEDS, replace=False)
        profiles.append(
            SemanticProfile.build(
                f"radar-{i}", DIMENSION, seeds={f"p{int(s)}": papers[int(s)] for s in seeds}
            )
        )
    # The threshold rule, for all radars at once over one synthetic day.
    day = papers[:DAY]
    thresholds = np.empty(count)
    for start in range(0, count, BLOCK_ROWS):
        rows = np.stack([p.score_row()[0] for p in profiles[start : start + BLOCK_ROWS]])
        thresholds[start : start + len(rows)] = thresholds_for_rate(
            rows @ day.T, days=1, per_day=PER_DAY
        )
    return [p.with_threshold(float(t)) for p, t in zip(profiles, thresholds, strict=True)]


def _build(
    profiles: Sequence[SemanticProfile], dtype: Literal["float32", "int8"]
) -> tuple[RadarBank, float]:
    """The bank, and the bytes it holds per radar (net allocations while it was built)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    bank = RadarBank(DIMENSION, dtype=dtype)
    for p in profiles:
        bank.put(p)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return bank, held / len(profiles)


def _rate(
    bank: RadarBank, batches: Sequence[F32], budget: float, explain: bool
) -> tuple[float, float]:
    """Papers per CPU second over at least ``budget`` seconds, and hits per paper."""
    done = hits = 0
    started = time.process_time()
    while True:
        for batch in batches:
            hits += len(bank.match(batch, explain=explain))
            done += len(batch)
        elapsed = time.process_time() - started
        if elapsed >= budget:
            return done / elapsed, hits / done


def _pairs(bank: RadarBank, batch: F32) -> set[tuple[int, str]]:
    found = bank.match(batch, explain=False)
    return {(int(i), str(r)) for i, r in zip(found.paper_index, found.radar_ids, strict=True)}


def run_semantic_rows(counts: Sequence[int], budget: float) -> None:
    """Print the semantic radars' table (the caller limits BLAS to one thread)."""
    rng = np.random.default_rng(17)
    papers, topic = synthetic_papers(DAY + 4 * BATCH, rng)
    batches = [papers[DAY + i * BATCH : DAY + (i + 1) * BATCH] for i in range(4)]
    print()
    print(
        f"semantic radars: {DIMENSION}-d synthetic unit vectors in {TOPICS} topics, "
        f"{SEEDS} seeds a radar, thresholds for {PER_DAY} papers of a {DAY}-paper day; "
        f"batches of {BATCH} papers; rates per CPU second, one BLAS thread"
    )
    print(
        f"{'radars':>8} {'rows':>7} {'B/radar':>8} {'papers/s':>9} {'+explain/s':>11} "
        f"{'hits/paper':>11} {'int8 finds':>11} {'int8 right':>11}"
    )
    for count in counts:
        profiles = _profiles(count, papers, topic, rng)
        exact_pairs: set[tuple[int, str]] = set()
        for dtype in ("float32", "int8"):
            bank, per_radar = _build(profiles, dtype)
            bare, per_paper = _rate(bank, batches, budget, explain=False)
            explained, _ = _rate(bank, batches, budget, explain=True)
            pairs = _pairs(bank, batches[0])
            if dtype == "float32":
                exact_pairs, found, right = pairs, "", ""
            else:
                both = len(pairs & exact_pairs)
                found = f"{both / max(1, len(exact_pairs)):.1%}"
                right = f"{both / max(1, len(pairs)):.1%}"
            print(
                f"{count:>8} {dtype:>7} {per_radar:>8.0f} {bare:>9.0f} {explained:>11.0f} "
                f"{per_paper:>11.1f} {found:>11} {right:>11}"
            )
            del bank
            gc.collect()
