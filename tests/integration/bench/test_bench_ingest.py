"""`academichub bench ingest` runs end to end at a tiny budget (it asserts no timing:
benchmarks are programs; this only keeps the program from rotting)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
XML_FORMATS = ("arxiv-rss", "arxiv-atom", "arxiv-oai", "biorxiv-rss", "rss")
JSON_FORMATS = ("biorxiv-json", "crossref-json")


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [ACADEMICHUB, "bench", "ingest", "--seconds", "0.01", *args],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def table(stdout: str) -> dict[str, list[str]]:
    """Rows of the figures table by format: file, entries, ours/s, feedparser/s, ratio, aim."""
    known = XML_FORMATS + JSON_FORMATS
    return {
        line.split()[0]: line.split()[1:]
        for line in stdout.splitlines()
        if line.split() and line.split()[0] in known
    }


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_bench_ingest_prints_a_row_per_format_with_positive_figures() -> None:
    rows = table(bench("--fixtures", str(FIXTURES / "feeds")).stdout)
    assert set(rows) == set(XML_FORMATS + JSON_FORMATS)
    # The largest real arXiv pages, as bundled with the ingestor.
    assert rows["arxiv-rss"][:2] == ["recorded/arxiv-rss_quant-ph_2025-04-28.xml", "81"]
    assert rows["arxiv-oai"][:2] == ["recorded/arxiv-oai_arxivraw-2014-page.xml", "1000"]
    for fmt in XML_FORMATS:
        _file, entries, ours, theirs, ratio, verdict, *_ = rows[fmt]
        assert number(entries) > 0
        assert number(ours) > 0
        assert number(theirs) > 0
        assert number(ratio) > 0
        assert verdict in ("met", "NOT")  # "NOT MET": a figure, never a test failure
    for fmt in JSON_FORMATS:
        _file, entries, ours, theirs, ratio, *_ = rows[fmt]
        assert number(entries) > 0
        assert number(ours) > 0
        assert (theirs, ratio) == ("-", "-")  # feedparser reads no JSON


def test_bench_ingest_without_fixtures_measures_the_bundled_feeds(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    done = bench("--fixtures", str(missing))
    assert f"no fixtures folder ({missing})" in done.stdout
    assert set(table(done.stdout)) == {"arxiv-rss", "arxiv-oai"}
