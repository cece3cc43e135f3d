"""``academichub backfill arxiv|medrxiv|biorxiv --from DATE``: the command's arguments.

The run itself is :mod:`academichub.ingestor.backfill_run`, imported only when the command
runs, so other commands do not load the HTTP client and the broker.
"""

from __future__ import annotations

import argparse
import datetime as dt


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backfill = sub.add_parser(
        "backfill", help="harvest a date range into the pipeline (resumes when run again)"
    )
    backfill.add_argument("source", choices=("arxiv", "medrxiv", "biorxiv"))
    backfill.add_argument("--from", dest="since", type=_date, metavar="DATE", help="first day")
    backfill.add_argument("--until", type=_date, metavar="DATE", help="last day (default: open)")
    backfill.add_argument("--set", dest="set_spec", help="arXiv OAI-PMH set, e.g. cs:cs:AI")
    backfill.add_argument(
        "--restart", action="store_true", help="harvest from the first page even if done before"
    )
    backfill.add_argument(
        "--ids",
        type=_ids,
        default=(),
        metavar="ID[,ID...]",
        help="arXiv only: look these ids up through the arXiv API instead of a date range",
    )
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar")


def _ids(text: str) -> tuple[str, ...]:
    return tuple(i.strip() for i in text.split(",") if i.strip())
