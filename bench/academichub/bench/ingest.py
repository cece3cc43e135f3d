"""``academichub bench ingest``: our parse + normalise against ``feedparser.parse`` alone.

For each feed format it takes the largest recorded page it can find -- the feeds bundled with
the ingestor (``recorded/``: the arXiv RSS and OAI-PMH arXivRaw pages), then, for the other
formats, the fixtures of a source checkout (``tests/fixtures/feeds``) -- loads the bytes, and
times two things on those same bytes:

* **ours**: ``FORMATS[format](data)``, the whole ingest path from bytes to validated canonical
  ``Paper`` contracts (for arxiv-rss that path *includes* a ``feedparser.parse``);
* **feedparser**: ``feedparser.parse`` alone, with the options our arxiv-rss parser passes
  (no HTML sanitising, no URI resolution: its cheapest setting, so the stricter baseline).

The ratio is our seconds per entry over feedparser's, both counted over the entries *we* read
from the page; per page it is the same ratio. feedparser has no JSON reader, so JSON formats
get our figure only. The aim is a ratio of at most 1.5.

Each cell is measured for at least ``budget`` seconds in repeats that alternate between the two
sides (so a neighbour's load hits both alike); the fastest repeat counts, as the least disturbed.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import feedparser

from academichub.ingestor.formats import FeedParse
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.replay import replay_dir, replay_feeds

AIM: Final = 1.5
# Fixture folders of a source checkout, by the format whose parser reads them.
FIXTURE_FORMATS: Final[dict[str, str]] = {
    "arxiv_rss": "arxiv-rss",
    "arxiv_oai": "arxiv-oai",
    "arxiv_api": "arxiv-atom",
    "biorxiv_api": "biorxiv-json",
    "biorxiv_rss": "biorxiv-rss",
    "journal_feeds": "rss",
    "crossref": "crossref-json",
}
JSON_FORMATS: Final = frozenset({"biorxiv-json", "crossref-json"})
MIN_REPEATS: Final = 5
REPEATS_PER_BUDGET: Final = 10  # a repeat lasts about budget / this


@dataclass(frozen=True, slots=True)
class Page:
    """One recorded document, loaded: what it is, where it came from, its bytes."""

    format: str
    label: str  # where it came from, as printed
    data: bytes
    entries: int  # entries our parser reads from it (papers + skipped entries)


@dataclass(frozen=True, slots=True)
class Row:
    page: Page
    ours: float  # best seconds per page
    feedparser: float | None  # None: no feedparser counterpart (JSON)
    feedparser_entries: int | None  # entries feedparser itself recognises

    @property
    def ratio(self) -> float | None:
        return None if self.feedparser is None else self.ours / self.feedparser


def default_fixtures_dir() -> Path | None:
    """``tests/fixtures/feeds`` of the source checkout this file sits in, else of the working
    directory; None in an installed copy run away from a checkout."""
    candidates = [*Path(__file__).resolve().parents, Path.cwd()]
    for root in candidates:
        folder = root / "tests" / "fixtures" / "feeds"
        if folder.is_dir():
            return folder
    return None


def _entries(result: FeedParse) -> int:
    return len(result.papers) + len(result.errors)


def _richest(fmt: str, paths: Sequence[tuple[Path, str]]) -> Page | None:
    """The page of ``paths`` with the most papers (then the most bytes); None if none has any."""
    best: tuple[int, int, Page] | None = None
    for path, label in paths:
        data = path.read_bytes()
        result = FORMATS[fmt](data)
        if not result.papers:
            continue  # an error feed, an empty day, a page of skipped records
        key = (len(result.papers), len(data))
        if best is None or key > best[:2]:
            best = (*key, Page(fmt, label, data, _entries(result)))
    return None if best is None else best[2]


def find_pages(fixtures: Path | None) -> list[Page]:
    """One page per format: bundled recorded feeds first, fixtures for the formats they lack."""
    by_format: dict[str, list[tuple[Path, str]]] = {}
    for feed in replay_feeds():
        path = Path(feed.url.removeprefix("file://"))
        by_format.setdefault(feed.format, []).append((path, f"recorded/{path.name}"))
    if fixtures is not None:
        for folder, fmt in FIXTURE_FORMATS.items():
            if fmt in by_format:
                continue
            for path in sorted((fixtures / folder).glob("*.*")):
                by_format.setdefault(fmt, []).append((path, f"fixtures/{folder}/{path.name}"))
    pages = []
    for fmt in FORMATS:
        page = _richest(fmt, by_format.get(fmt, ()))
        if page is not None:
            pages.append(page)
    return pages


def _feedparser_parse(data: bytes) -> feedparser.FeedParserDict:
    # BytesIO: feedparser takes a bare string for a file name or URL. Options as arxiv_rss's.
    return feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)


def _loops(call: Callable[[], object], target: float) -> int:
    """Calls per repeat so that one repeat lasts about ``target`` seconds (at least one)."""
    started = time.perf_counter()
    call()
    once = max(time.perf_counter() - started, 1e-7)
    return max(1, int(target / once))


def time_side_by_side(calls: Sequence[Callable[[], object]], budget: float) -> list[float]:
    """Best seconds per call of each of ``calls``, in alternating repeats until each has run
    for ``budget`` seconds and at least :data:`MIN_REPEATS` times."""
    loops = [_loops(call, budget / REPEATS_PER_BUDGET) for call in calls]
    best = [float("inf")] * len(calls)
    spent = [0.0] * len(calls)
    repeats = 0
    while repeats < MIN_REPEATS or min(spent) < budget:
        for i, call in enumerate(calls):
            started = time.perf_counter()
            for _ in range(loops[i]):
                call()
            elapsed = time.perf_counter() - started
            spent[i] += elapsed
            best[i] = min(best[i], elapsed / loops[i])
        repeats += 1
    return best


def measure(page: Page, budget: float) -> Row:
    parse = FORMATS[page.format]
    data = page.data
    if page.format in JSON_FORMATS:
        (ours,) = time_side_by_side([lambda: parse(data)], budget)
        return Row(page, ours, None, None)
    recognised = len(_feedparser_parse(data).entries)
    ours, theirs = time_side_by_side([lambda: parse(data), lambda: _feedparser_parse(data)], budget)
    return Row(page, ours, theirs, recognised)


def format_table(rows: Sequence[Row]) -> list[str]:
    width = max([len("file"), *(len(r.page.label) for r in rows)])
    header = (
        f"{'format':<13} {'file':<{width}} {'entries':>7} {'ours/s':>9} "
        f"{'feedparser/s':>12} {'ratio':>6}  aim (ratio <= {AIM})"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        n = row.page.entries
        ratio = row.ratio
        theirs = "-" if row.feedparser is None else f"{n / row.feedparser:,.0f}"
        verdict = (
            "n/a (no feedparser for JSON)"
            if ratio is None
            else ("met" if ratio <= AIM else "NOT MET")
        )
        lines.append(
            f"{row.page.format:<13} {row.page.label:<{width}} {n:>7} "
            f"{n / row.ours:>9,.0f} {theirs:>12} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>6}  {verdict}"
        )
    return lines


def run_bench_ingest(budget: float = 1.0, fixtures_dir: str | None = None) -> int:
    fixtures = Path(fixtures_dir) if fixtures_dir else default_fixtures_dir()
    if fixtures is None or not fixtures.is_dir():
        print(
            f"note: no fixtures folder ({fixtures or 'tests/fixtures/feeds not found'}); "
            f"measuring only the feeds bundled in {replay_dir()}. "
            "Pass --fixtures DIR (a checkout's tests/fixtures/feeds) for the other formats."
        )
        fixtures = None
    pages = find_pages(fixtures)
    print(f"bundled feeds: {replay_dir()}; fixtures: {fixtures or '-'}")
    print(
        "ingest: bytes -> canonical Paper (FORMATS[format]) vs feedparser.parse alone, "
        "same bytes loaded before timing"
    )
    print(
        f"each cell: >= {budget:g} s in alternating repeats, fastest repeat; "
        "ratio = our s/entry / feedparser s/entry"
    )
    rows = []
    for page in pages:
        rows.append(measure(page, budget))
    for line in format_table(rows):
        print(line)
    for row in rows:
        if row.feedparser_entries is not None and row.feedparser_entries != row.page.entries:
            print(
                f"note: {row.page.format}: feedparser recognises {row.feedparser_entries} "
                f"entries in this page (we read {row.page.entries}); its rate is over ours, "
                "i.e. the time it takes to parse the same bytes"
            )
    if any(row.page.format == "arxiv-rss" for row in rows):
        print("note: arxiv-rss: our path runs feedparser.parse itself, so its ratio is >= 1")
    missed = [row.page.format for row in rows if (row.ratio or 0.0) > AIM]
    print(f"aim: {'NOT met by ' + ', '.join(missed) if missed else 'met by every format'}")
    return 0
