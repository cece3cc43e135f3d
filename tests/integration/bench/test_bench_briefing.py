"""`academichub bench briefing --json` on a small input: one JSON object per briefer with
exactly the report's keys (it asserts no quality bar beyond the two that must hold: no
citation outside a window and no TeX command left, for the new briefer)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.bench.briefing import KEYS
from academichub.ingestor.formats.registry import FORMATS
from tests.conftest import QUANT_PH_RSS

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def test_the_json_report_has_one_object_per_briefer_with_the_reports_keys(
    tmp_path: Path,
) -> None:
    papers = list(FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers[:40])
    # Ingest now turns TeX letters into Unicode; papers stored before that (not yet
    # re-normalised by `academichub reindex`) still carry them, and the report must see it.
    papers = [p.model_copy(update={"title": p.title + ' in Schr\\"odinger cats'}) for p in papers]
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(p.model_dump_json() + "\n" for p in papers))
    done = subprocess.run(
        [
            ACADEMICHUB,
            "bench",
            "briefing",
            "--json",
            "--papers",
            str(path),
            "--cache",
            str(tmp_path / "vectors"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout
    reports = [json.loads(line) for line in lines]
    assert [r["briefer"] for r in reports] == ["old", "new"]
    for report in reports:
        assert set(report) == {"briefer", *KEYS}
        assert isinstance(report["within_theme_similarity"], float)
        assert isinstance(report["across_theme_similarity"], float)
        assert 0.0 <= report["generic_theme_name_share"] <= 1.0
        assert isinstance(report["cross_field_connections"], int)
        assert isinstance(report["citations_outside_window"], int)
        assert isinstance(report["tex_chars_left"], int)
    old, new = reports
    assert new["citations_outside_window"] == 0
    assert new["tex_chars_left"] == 0
    assert old["tex_chars_left"] > 0  # the old briefer quoted TeX: the figure can see it
    assert new["generic_theme_name_share"] == 0.0
    # The vectors were cached where asked.
    assert list((tmp_path / "vectors").glob("*.npz"))


def test_a_file_without_papers_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    done = subprocess.run(
        [ACADEMICHUB, "bench", "briefing", "--json", "--papers", str(empty)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no papers" in done.stderr
