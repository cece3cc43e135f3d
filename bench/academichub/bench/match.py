"""``academichub bench match``: the compiled radar index against a naive loop.

Radars are drawn from the vocabulary of the recorded feeds (1–4 clauses: words,
phrases, prefixes, OR groups, negations, category and author filters). For each radar
count it prints papers/second for matching alone (papers analysed beforehand) in the
steady state of a running matcher and in the first, cold pass over the corpus (when
each query's outcome tables are still filling), the same for the naive loop over all
radars (on each paper it runs, the index must return exactly the same hits), index
build time and memory per radar. Then the semantic radars' matrix scoring
(:mod:`academichub.bench.semantic_match`) at the ``semantic`` counts.
"""

from __future__ import annotations

import collections
import gc
import itertools
import random
import time
import tracemalloc
from collections.abc import Sequence

from academichub.bench.corpus import recorded_papers
from academichub.bench.semantic_match import run_semantic_rows
from academichub.contracts import Paper
from academichub.platform.blas import limit_blas_threads
from academichub.platform.heap import building_long_lived
from academichub.radar.analysis import stem, tokenize
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.index import RadarIndex, match_naive
from academichub.radar.parser import QuerySyntaxError, parse_query

# Function words a researcher would never put in a radar.
STOP = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "we",
        "with",
        "which",
        "our",
        "these",
        "their",
        "can",
        "using",
        "based",
        "show",
        "also",
        "two",
        "one",
        "new",
        "not",
    )
)


class Vocabulary:
    """Topic words and phrases: in at least 2 papers but at most 1% of them. Generic words
    ("results", "method") appear everywhere and no researcher builds a radar on them.
    Frequency is counted per stem, as matching sees words: "resulted" is as common as
    "result"."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        words: collections.Counter[str] = collections.Counter()
        pairs: collections.Counter[str] = collections.Counter()
        for paper in papers:
            tokens = [t for t in tokenize(paper.title + " " + paper.abstract) if t.isalpha()]
            words.update({stem(t) for t in tokens if t not in STOP and len(t) > 3})
            pairs.update(
                {
                    f"{stem(a)} {stem(b)}"
                    for a, b in itertools.pairwise(tokens)
                    if a not in STOP and b not in STOP and len(a) > 3 and len(b) > 3
                }
            )
        most = max(2, len(papers) // 100)
        # Radars are written in words, not stems: keep a raw form for each rare stem.
        raw: dict[str, str] = {}
        for paper in papers:
            for token in tokenize(paper.title + " " + paper.abstract):
                raw.setdefault(stem(token), token)
        self.words = sorted(raw[w] for w, n in words.items() if 2 <= n <= most and w in raw)
        self.phrases = sorted(
            " ".join(raw[s] for s in p.split())
            for p, n in pairs.items()
            if 2 <= n <= most and all(s in raw for s in p.split())
        )
        self.categories = sorted({c for p in papers for c in p.categories})
        self.surnames = sorted({a.split()[-1] for p in papers for a in p.authors if a.split()})


def _word(rng: random.Random, vocab: Vocabulary) -> str:
    return rng.choice(vocab.words)


def _topic(rng: random.Random, vocab: Vocabulary) -> str:
    roll = rng.random()
    if roll < 0.45:
        return _word(rng, vocab)
    if roll < 0.75 and vocab.phrases:
        return f'"{rng.choice(vocab.phrases)}"'
    if roll < 0.90:
        return f"({_word(rng, vocab)} OR {_word(rng, vocab)})"
    stem = _word(rng, vocab)
    return stem[: max(5, len(stem) - 3)] + "*"


def _filter(rng: random.Random, vocab: Vocabulary) -> str:
    roll = rng.random()
    if roll < 0.45 and vocab.categories:
        category = rng.choice(vocab.categories)
        return (
            f"cat:{category.split('.')[0]}.*"
            if "." in category and roll < 0.1
            else (f"cat:{category}")
        )
    if roll < 0.70 and vocab.surnames:
        return f"author:{rng.choice(vocab.surnames).lower()}"
    if roll < 0.85:
        return "-" + _word(rng, vocab)
    return "NOT type:replace"


def make_radar_queries(count: int, vocab: Vocabulary, seed: int = 7) -> list[str]:
    """1–4 clauses: one or two topics, sometimes a filter (category, author, negation)."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        parts = [_topic(rng, vocab) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if len(parts) < 4 and rng.random() < 0.4:
            parts.append(_filter(rng, vocab))
        if len(parts) == 1 and parts[0].startswith("author:"):
            continue
        query = " ".join(parts)
        try:
            parse_query(query)
        except QuerySyntaxError:
            continue  # a word the analyser splits oddly; draw again
        queries.append(query)
    return queries


def _rate(
    index: RadarIndex, docs: Sequence[PaperDocument], budget: float
) -> tuple[float, float, float]:
    """Papers per second of the first pass over ``docs`` (cold: every query's table of
    outcomes still to fill), then over further passes for at least ``budget`` seconds (a
    running matcher's steady state), and hits per paper."""
    started = time.perf_counter()
    for doc in docs:
        index.match(doc)
    cold = len(docs) / (time.perf_counter() - started)
    done, hits = 0, 0
    started = time.perf_counter()
    while True:
        for doc in docs:
            hits += len(index.match(doc))
        done += len(docs)
        elapsed = time.perf_counter() - started
        if elapsed >= budget:
            return cold, done / elapsed, hits / done


def _naive_rate(
    nodes: dict[str, Node], index: RadarIndex, docs: Sequence[PaperDocument], budget: float
) -> tuple[float, int, int]:
    """Papers per second of the naive loop over at least ``budget`` seconds (or every
    paper), how many papers that was, and on how many of them the index returned the
    same hits (radar ids, terms and order)."""
    done, agreed, spent = 0, 0, 0.0
    for doc in docs:
        started = time.perf_counter()
        expected = match_naive(nodes, doc)
        spent += time.perf_counter() - started
        done += 1
        agreed += sorted(index.match(doc)) == expected  # the index's order is free
        if spent >= budget:
            break
    return done / spent, done, agreed


def _bytes_per_radar(nodes: dict[str, Node]) -> float:
    """Memory the index holds per radar, from a separate build under tracemalloc."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    index = RadarIndex()
    for radar_id, node in nodes.items():
        index.add(radar_id, node)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del index
    return size / max(1, len(nodes))


def run_bench_match(
    counts: Sequence[int], budget: float = 2.0, semantic: Sequence[int] = ()
) -> int:
    """Print the tables; 1 if the index and the naive loop disagreed on any paper."""
    limit_blas_threads(1)
    papers = recorded_papers()
    started = time.perf_counter()
    docs = [PaperDocument.from_paper(p) for p in papers]
    analyse = (time.perf_counter() - started) / len(docs)
    vocab = Vocabulary(papers)
    print(
        f"corpus: {len(docs)} recorded papers; analysis {analyse * 1e6:.0f} µs/paper "
        f"(done once per paper, not per radar; excluded below)"
    )
    print(
        "papers/s: after one pass over the corpus (the steady state of a running matcher); "
        "cold/s: that first pass"
    )
    print(
        f"{'radars':>8} {'build s':>8} {'B/radar':>8} {'cold/s':>8} {'papers/s':>10} "
        f"{'vs 1st':>7} {'naive/s':>9} {'speed-up':>9} {'matches/paper':>14} "
        f"{'same as naive':>14}"
    )
    first_rate: float | None = None
    disagreed = False
    for count in counts:
        queries = make_radar_queries(count, vocab)
        nodes = {f"r{i}": parse_query(q) for i, q in enumerate(queries)}
        per_radar = _bytes_per_radar(nodes)
        gc.unfreeze()  # the previous count's index is garbage now
        gc.collect()
        # Timed without tracemalloc, which slows allocation several-fold; built and
        # frozen as the matcher loads its radars.
        t0 = time.perf_counter()
        with building_long_lived():
            index = RadarIndex()
            for radar_id, node in nodes.items():
                index.add(radar_id, node)
            build = time.perf_counter() - t0
        cold, rate, per_paper = _rate(index, docs, budget)
        naive, checked, agreed = _naive_rate(nodes, index, docs, budget)
        disagreed |= agreed < checked
        first_rate = first_rate or rate
        print(
            f"{count:>8} {build:>8.2f} {per_radar:>8.0f} {cold:>8.0f} {rate:>10.0f} "
            f"{rate / first_rate:>6.0%} {naive:>9.1f} {rate / naive:>8.0f}x {per_paper:>14.1f} "
            f"{f'{agreed}/{checked} papers':>14}"
        )
        del index  # freed before the next count's build is timed
    gc.unfreeze()
    if disagreed:
        print("the index and the naive loop disagreed: the figures above are not valid")
    if semantic:
        run_semantic_rows(semantic, budget)
    return 1 if disagreed else 0
