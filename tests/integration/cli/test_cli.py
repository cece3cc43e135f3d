"""The installed `academichub` command: parse and match over real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import QUANT_PH_RSS

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ACADEMICHUB, *args], capture_output=True, text=True, timeout=60)


def test_parse_prints_81_canonical_papers() -> None:
    done = run("parse", "--format", "arxiv-rss", str(QUANT_PH_RSS))
    assert done.returncode == 0, done.stderr
    papers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(papers) == 81
    assert all(p["id"].startswith("arxiv:") and "v" not in p["id"].split(".")[-1] for p in papers)
    assert not [p for p in papers if "Announce Type" in p["abstract"]]
    types = [p["announce_type"] for p in papers]
    assert (
        types.count("new"),
        types.count("replace"),
        types.count("cross"),
        types.count("replace-cross"),
    ) == (40, 22, 10, 9)
    assert "81 papers, 0 entries skipped" in done.stderr


def test_parse_refuses_what_is_not_a_feed(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body>Not found</body></html>")
    done = run("parse", "--format", "arxiv-rss", str(page))
    assert done.returncode == 1
    assert "page.html" in done.stderr
    unknown = run("parse", "--format", "nonsense", str(page))
    assert unknown.returncode == 2
    assert "arxiv-rss" in unknown.stderr


def test_match_prints_explained_matches_and_names_bad_radars(tmp_path: Path) -> None:
    papers = tmp_path / "papers.jsonl"
    papers.write_text(run("parse", "--format", "arxiv-rss", str(QUANT_PH_RSS)).stdout)
    radars = tmp_path / "radars.jsonl"
    radars.write_text(
        '{"id": "ent", "query": "entanglement -harvesting"}\n'
        '{"id": "bad", "query": "quantum AND ("}\n'
    )
    done = run("match", "--radars", str(radars), "--papers", str(papers))
    assert done.returncode == 1  # a radar was skipped, and said so
    assert "radars.jsonl:2: radar 'bad': position" in done.stderr
    matches = [json.loads(line) for line in done.stdout.splitlines()]
    assert matches
    assert {m["radar_id"] for m in matches} == {"ent"}
    assert all(set(m) == {"radar_id", "paper_id", "version", "score", "terms"} for m in matches)
    assert all(m["terms"] and m["score"] > 0 for m in matches)
    titles = {p["id"]: p["title"] + p["abstract"] for p in map(json.loads, papers.open())}
    for m in matches:
        assert "ntangl" in titles[m["paper_id"]]
        assert "arvesting" not in titles[m["paper_id"]]
