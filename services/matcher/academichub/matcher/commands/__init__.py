"""The matcher's commands: ``match``, ``embed`` and ``rank``, its engine over files.

Only arguments are declared here; each command's code is imported when it runs.
"""

from __future__ import annotations

import argparse
from typing import Final

from academichub.platform.commands import Command, SubParsers

PAPERS_HELP = "file of canonical paper lines"


def _match_arguments(sub: SubParsers) -> None:
    match = sub.add_parser("match", help="match JSON-lines radars against JSON-lines papers")
    match.add_argument("--radars", required=True, help='file of {"id": …, "query": …} lines')
    match.add_argument("--papers", required=True, help=PAPERS_HELP)


def _run_match(args: argparse.Namespace) -> int:
    from academichub.matcher.commands.match import run_match

    return run_match(args.radars, args.papers)


def _embed_arguments(sub: SubParsers) -> None:
    embed = sub.add_parser(
        "embed", help="print one vector per paper of a JSON-lines file (EMBEDDING_* settings)"
    )
    embed.add_argument("--papers", required=True, help=PAPERS_HELP)


def _run_embed(args: argparse.Namespace) -> int:
    from academichub.matcher.commands.embed import run_embed

    return run_embed(args.papers)


def _rank_arguments(sub: SubParsers) -> None:
    rank = sub.add_parser(
        "rank", help="print every paper with one radar's score (query, seeds, interest, 👍/👎)"
    )
    rank.add_argument(
        "--radar",
        required=True,
        help='JSON file: {"query", "seeds", "interest", "feedback": {"liked", "disliked"}, '
        '"threshold"}, each optional',
    )
    rank.add_argument("--papers", required=True, help=PAPERS_HELP)


def _run_rank(args: argparse.Namespace) -> int:
    from academichub.matcher.commands.rank import run_rank

    return run_rank(args.radar, args.papers)


COMMANDS: Final = (
    Command("match", _match_arguments, _run_match),
    Command("embed", _embed_arguments, _run_embed),
    Command("rank", _rank_arguments, _run_rank),
)
