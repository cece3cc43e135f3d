"""Recorded papers for benchmarks: the feeds bundled with the ingestor, parsed by the
ingestor's own code, so benchmarks run offline on realistic text."""

from __future__ import annotations

from pathlib import Path

from academichub.contracts import Paper
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.replay import replay_feeds


def recorded_papers(extra: list[tuple[str, Path]] | None = None) -> list[Paper]:
    papers: list[Paper] = []
    sources = [(f.format, Path(f.url.removeprefix("file://"))) for f in replay_feeds()]
    for fmt, path in sources + list(extra or []):
        papers.extend(FORMATS[fmt](path.read_bytes()).papers)
    return papers
