"""The ingestor's commands: ``parse``, ``backfill`` and ``reindex``.

Only arguments are declared here; each command's code is imported when it runs.
"""

from __future__ import annotations

import argparse
from typing import Final

from academichub.ingestor.commands.backfill import add_parser as add_backfill_parser
from academichub.platform.commands import Command, SubParsers


def _parse_arguments(sub: SubParsers) -> None:
    parse = sub.add_parser("parse", help="print a feed file as canonical papers, one JSON a line")
    parse.add_argument("--format", required=True, help="feed format, e.g. arxiv-rss")
    parse.add_argument("file", help="path of the feed file, or - for standard input")


def _run_parse(args: argparse.Namespace) -> int:
    from academichub.ingestor.commands.parse import run_parse

    return run_parse(args.format, args.file)


def _run_backfill(args: argparse.Namespace) -> int:
    from academichub.ingestor.backfill_run import run_backfill_command

    return run_backfill_command(args)


def _reindex_arguments(sub: SubParsers) -> None:
    sub.add_parser(
        "reindex",
        help="normalise stored papers again (TeX accents) and rewrite the search index "
        "(after an upgrade; matches are kept, nothing is matched again)",
    )


def _run_reindex(args: argparse.Namespace) -> int:
    from academichub.ingestor.commands.reindex import run_reindex

    return run_reindex()


COMMANDS: Final = (
    Command("parse", _parse_arguments, _run_parse),
    Command("backfill", add_backfill_parser, _run_backfill),
    Command("reindex", _reindex_arguments, _run_reindex),
)
