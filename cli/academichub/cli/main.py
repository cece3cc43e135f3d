"""``academichub <command>``: each service, the local broker, the whole system, tools.

Service commands import their service lazily, so ``academichub parse`` does not load
aiokafka and ``academichub gateway`` does not load the matcher.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from academichub.cli.backfill import add_parser as add_backfill_parser
from academichub.cli.settings_help import SettingsHelp
from academichub.cli.topics import add_parser as add_topics_parser
from academichub.cli.users import add_parser as add_users_parser
from academichub.platform.errors import ConfigError

SERVICES = ("ingestor", "matcher", "briefer", "gateway")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="academichub",
        description="AcademicHub: research radars over arXiv, bioRxiv/medRxiv and journals.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="run the broker and all four services on this machine")
    up.add_argument("--offline", action="store_true", help="replay bundled feeds (no network)")
    sub.add_parser("broker", help="run the local Tansu broker and create the topics")
    add_topics_parser(sub)
    for name in SERVICES:
        service = sub.add_parser(
            name,
            help=f"run the {name} service (what its container runs)",
            description=f"Run the {name} service. Every setting is an environment variable, "
            "validated at start-up; the list below gives each with its default.",
            add_help=False,
        )
        service.add_argument("-h", "--help", action=SettingsHelp)
    parse = sub.add_parser("parse", help="print a feed file as canonical papers, one JSON a line")
    parse.add_argument("--format", required=True, help="feed format, e.g. arxiv-rss")
    parse.add_argument("file", help="path of the feed file, or - for standard input")
    match = sub.add_parser("match", help="match JSON-lines radars against JSON-lines papers")
    match.add_argument("--radars", required=True, help='file of {"id": …, "query": …} lines')
    match.add_argument("--papers", required=True, help="file of canonical paper lines")
    embed = sub.add_parser(
        "embed", help="print one vector per paper of a JSON-lines file (EMBEDDING_* settings)"
    )
    embed.add_argument("--papers", required=True, help="file of canonical paper lines")
    rank = sub.add_parser(
        "rank", help="print every paper with one radar's score (query, seeds, interest, 👍/👎)"
    )
    rank.add_argument(
        "--radar",
        required=True,
        help='JSON file: {"query", "seeds", "interest", "feedback": {"liked", "disliked"}, '
        '"threshold"}, each optional',
    )
    rank.add_argument("--papers", required=True, help="file of canonical paper lines")
    brief = sub.add_parser(
        "brief", help="print the briefing of JSON-lines papers (the briefer's own code path)"
    )
    brief.add_argument("--papers", required=True, help="file of canonical paper lines")
    brief.add_argument("--language", required=True, choices=("zh", "en"))
    brief.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL; none: extractive)"
    )
    brief.add_argument("--model", help="model name (default: OPENAI_MODEL)")
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
    bench_relevance.add_argument(
        "--cache", help="folder for the corpus's vectors (default: var/cache/embeddings)"
    )
    bench_briefing = bench_sub.add_parser(
        "briefing",
        help="extractive briefings, old vs new: theme coherence, names, connections, TeX",
    )
    bench_briefing.add_argument(
        "--json", action="store_true", help="one JSON object per briefer (old, new)"
    )
    bench_briefing.add_argument(
        "--cache", help="folder for the corpus's vectors (default: var/cache/embeddings)"
    )
    bench_briefing.add_argument(
        "--fixtures", help="folder of feed fixtures (default: a checkout's tests/fixtures/feeds)"
    )
    bench_briefing.add_argument(
        "--papers", help="canonical paper lines to use instead of the recorded feeds"
    )
    bench_ingest = bench_sub.add_parser(
        "ingest", help="our parse + normalise vs feedparser.parse alone, on recorded pages"
    )
    bench_ingest.add_argument(
        "--seconds", type=float, default=1.0, help="time spent measuring each cell"
    )
    bench_ingest.add_argument(
        "--fixtures", help="folder of feed fixtures (default: a checkout's tests/fixtures/feeds)"
    )
    add_users_parser(sub)
    add_backfill_parser(sub)
    sub.add_parser(
        "reindex",
        help="normalise stored papers again (TeX accents) and rewrite the search index "
        "(after an upgrade; matches are kept, nothing is matched again)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command in SERVICES:
            importlib.import_module(f"academichub.{args.command}.bootstrap").main()
            return 0
        if args.command == "broker":
            from academichub.cli.supervisor import run_broker

            return run_broker()
        if args.command == "topics":
            from academichub.cli.topics import run_topics

            return run_topics(args)
        if args.command == "up":
            from academichub.cli.supervisor import run_up

            return run_up(offline=args.offline)
        if args.command == "match":
            from academichub.cli.match import run_match

            return run_match(args.radars, args.papers)
        if args.command == "backfill":
            from academichub.ingestor.backfill_run import run_backfill_command

            return run_backfill_command(args)
        if args.command == "users":
            from academichub.cli.users import run_users

            return run_users(args)
        if args.command == "bench" and args.bench == "search":
            from academichub.bench.search import run_bench_search

            clients = [int(c) for c in args.clients.split(",") if c.strip()]
            return run_bench_search(args.papers, clients, args.requests, args.workers)
        if args.command == "bench" and args.bench == "ingest":
            from academichub.bench.ingest import run_bench_ingest

            return run_bench_ingest(args.seconds, args.fixtures)
        if args.command == "embed":
            from academichub.cli.embed import run_embed

            return run_embed(args.papers)
        if args.command == "rank":
            from academichub.cli.rank import run_rank

            return run_rank(args.radar, args.papers)
        if args.command == "bench" and args.bench == "embed":
            from academichub.bench.embed import run_bench_embed

            return run_bench_embed(args.papers)
        if args.command == "bench" and args.bench == "nearest":
            from academichub.bench.nearest import run_bench_nearest

            return run_bench_nearest([int(n) for n in args.papers.split(",") if n.strip()])
        if args.command == "bench" and args.bench == "relevance":
            from academichub.bench.relevance import run_bench_relevance

            return run_bench_relevance(args.cache)
        if args.command == "bench" and args.bench == "briefing":
            from academichub.bench.briefing import run_bench_briefing

            return run_bench_briefing(args.json, args.cache, args.fixtures, args.papers)
        if args.command == "brief":
            from academichub.cli.brief import run_brief

            return run_brief(args.papers, args.language, args.base_url, args.model)
        if args.command == "bench":
            from academichub.bench.match import run_bench_match

            counts = [int(c) for c in args.radars.split(",") if c.strip()]
            semantic = [int(c) for c in args.semantic.split(",") if c.strip()]
            return run_bench_match(counts, budget=args.seconds, semantic=semantic)
        if args.command == "reindex":
            from academichub.cli.reindex import run_reindex

            return run_reindex()
        if args.command == "parse":
            from academichub.cli.parse import run_parse

            return run_parse(args.format, args.file)
    except ConfigError as exc:
        print(f"academichub: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
