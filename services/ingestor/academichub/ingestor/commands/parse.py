"""``academichub parse``: the ingestor's own normalisation, applied to a file."""

from __future__ import annotations

import sys
from pathlib import Path

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.registry import FORMATS


def run_parse(fmt: str, file: str) -> int:
    parse = FORMATS.get(fmt)
    if parse is None:
        print(
            f"academichub parse: unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}",
            file=sys.stderr,
        )
        return 2
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        print(f"academichub parse: cannot read {file}: {exc}", file=sys.stderr)
        return 2
    try:
        result = parse(data)
    except FeedError as exc:
        print(f"academichub parse: {file}: {exc}", file=sys.stderr)
        return 1
    out = sys.stdout
    for paper in result.papers:
        out.write(paper.model_dump_json() + "\n")
    for error in result.errors:
        print(f"skipped entry {error.index} ({error.entry_id}): {error.reason}", file=sys.stderr)
    if result.feed.is_error:
        print(
            f"academichub parse: the feed reports an error: {result.feed.error_message}",
            file=sys.stderr,
        )
        return 1
    print(f"{len(result.papers)} papers, {len(result.errors)} entries skipped", file=sys.stderr)
    return 0
