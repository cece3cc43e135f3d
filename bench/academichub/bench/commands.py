"""``academichub bench <what>``: the benchmark programs' arguments and runs.

Only arguments are declared here; each benchmark's code is imported when it runs.
"""

from __future__ import annotations

import argparse
from typing import Final

from academichub.platform.commands import Command, SubParsers

CACHE_HELP = "folder for the corpus's vectors (default: var/cache/embeddings)"
FIXTURES_HELP = "folder of feed fixtures (default: a checkout's tests/fixtures/feeds)"


def _counts(text: str) -> list[int]:
    return [int(c) for c in text.split(",") if c.strip()]


def _bench_arguments(sub: SubParsers) -> None:
    bench = sub.add_parser("bench", help="benchmark programs (figures and ratios in one run)")
    bench_sub = bench.add_subparsers(dest="bench", required=True, metavar="WHAT")
    bench_match = bench_sub.add_parser(
        "match", help="radar index vs naive loop; semantic radars' matrix scoring"
    )
    bench_match.add_argument(
        "--radars", default="1000,10000,100000", help="comma-separated radar counts"
    )
    bench_match.add_argument(
        "--semantic",
        default="1000,10000,100000",
        help="comma-separated semantic radar counts (empty: none)",
    )
    bench_match.add_argument(
        "--seconds", type=float, default=2.0, help="time spent measuring each rate"
    )
    bench_backfill = bench_sub.add_parser(
        "backfill", help="live matching while a broad radar is backfilled over a large store"
    )
    bench_backfill.add_argument("--papers", type=int, default=100_000, help="store size")
    bench_backfill.add_argument(
        "--batches", type=int, default=20, help="live batches timed before the backfill"
    )
    bench_pipeline = bench_sub.add_parser(
        "pipeline",
        help="the matcher as a process on a broker, a burst of papers; beside the pipeline "
        "in one process and the index alone",
    )
    bench_pipeline.add_argument(
        "--radars", default="10000,100000", help="comma-separated radar counts"
    )
    bench_pipeline.add_argument("--papers", type=int, default=2640, help="papers in the burst")
    bench_pipeline.add_argument(
        "--bootstrap-servers",
        help="an existing cluster with the topics made (default: a local Tansu started here)",
    )
    bench_pipeline.add_argument(
        "--json", action="store_true", help="one JSON object per radar count"
    )
    bench_search = bench_sub.add_parser(
        "search", help="/api/papers on a real server vs the same store queries"
    )
    bench_search.add_argument("--papers", type=int, default=100_000, help="corpus size")
    bench_search.add_argument(
        "--clients", default="1,8,32", help="comma-separated concurrent client counts"
    )
    bench_search.add_argument("--requests", type=int, default=600, help="requests per client count")
    bench_search.add_argument(
        "--workers", type=int, default=1, help="gateway processes sharing the port"
    )
    bench_embed = bench_sub.add_parser(
        "embed", help="abstracts/s of the embedded model (numpy, one BLAS thread)"
    )
    bench_embed.add_argument("--papers", type=int, default=200, help="abstracts embedded")
    bench_nearest = bench_sub.add_parser(
        "nearest", help="nearest papers by brute force in the embedded store, by store size"
    )
    bench_nearest.add_argument(
        "--papers", default="10000,100000,300000", help="comma-separated store sizes"
    )
    bench_relevance = bench_sub.add_parser(
        "relevance", help="seed, feedback and free-text radars: MiniLM vs TF-IDF on the feeds"
    )
    bench_relevance.add_argument("--cache", help=CACHE_HELP)
    bench_briefing = bench_sub.add_parser(
        "briefing",
        help="extractive briefings, old vs new: theme coherence, names, connections, TeX",
    )
    bench_briefing.add_argument(
        "--json", action="store_true", help="one JSON object per briefer (old, new)"
    )
    bench_briefing.add_argument("--cache", help=CACHE_HELP)
    bench_briefing.add_argument("--fixtures", help=FIXTURES_HELP)
    bench_briefing.add_argument(
        "--papers", help="canonical paper lines to use instead of the recorded feeds"
    )
    bench_ingest = bench_sub.add_parser(
        "ingest", help="our parse + normalise vs feedparser.parse alone, on recorded pages"
    )
    bench_ingest.add_argument(
        "--seconds", type=float, default=1.0, help="time spent measuring each cell"
    )
    bench_ingest.add_argument("--fixtures", help=FIXTURES_HELP)


def _run_bench(args: argparse.Namespace) -> int:
    if args.bench == "backfill":
        from academichub.bench.backfill import run_bench_backfill

        return run_bench_backfill(args.papers, args.batches)
    if args.bench == "pipeline":
        from academichub.bench.pipeline import run_bench_pipeline

        return run_bench_pipeline(
            _counts(args.radars), args.papers, args.bootstrap_servers, args.json
        )
    if args.bench == "search":
        from academichub.bench.search import run_bench_search

        return run_bench_search(args.papers, _counts(args.clients), args.requests, args.workers)
    if args.bench == "ingest":
        from academichub.bench.ingest import run_bench_ingest

        return run_bench_ingest(args.seconds, args.fixtures)
    if args.bench == "embed":
        from academichub.bench.embed import run_bench_embed

        return run_bench_embed(args.papers)
    if args.bench == "nearest":
        from academichub.bench.nearest import run_bench_nearest

        return run_bench_nearest(_counts(args.papers))
    if args.bench == "relevance":
        from academichub.bench.relevance import run_bench_relevance

        return run_bench_relevance(args.cache)
    if args.bench == "briefing":
        from academichub.bench.briefing import run_bench_briefing

        return run_bench_briefing(args.json, args.cache, args.fixtures, args.papers)
    if args.bench == "match":
        from academichub.bench.match import run_bench_match

        return run_bench_match(
            _counts(args.radars), budget=args.seconds, semantic=_counts(args.semantic)
        )
    raise AssertionError(f"unhandled benchmark {args.bench}")


COMMANDS: Final = (Command("bench", _bench_arguments, _run_bench),)
