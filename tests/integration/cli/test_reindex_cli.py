"""``academichub reindex`` on an embedded store: stored papers normalised again and
searchable with the current analysis, matches kept, nothing duplicated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.radar.parser import parse_query
from academichub.store.embedded import EmbeddedStore
from tests.integration.store.factories import match, paper

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
OLD = [
    paper(1, r"Nonlinear Schr\"odinger equations", r"after R\'{e}nyi, for $\"x$", version=1),
    paper(1, r"Nonlinear Schr\"{o}dinger equations", version=2, authors=(r"J. G\"unther",)),
    paper(2, "Galaxies", "plain text"),
]


def reindex(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACADEMICHUB_STORE": "embedded", "ACADEMICHUB_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [ACADEMICHUB, "reindex"], capture_output=True, text=True, timeout=120, env=env
    )


def stored_before_the_rule(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir, index_writer=True)
    try:
        store.papers.upsert_papers(OLD)
        store.matches.record_matches([match(OLD[1].id, version=2), match(OLD[2].id)])
    finally:
        store.close()


def test_reindex_rewrites_papers_and_keeps_matches(tmp_path: Path) -> None:
    stored_before_the_rule(tmp_path)
    done = reindex(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 stored paper documents rewritten" in done.stdout
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        current = store.papers.get_paper(OLD[0].id)
        assert current is not None
        assert (current.title, current.authors) == (
            "Nonlinear Schrödinger equations",
            ("J. Günther",),
        )
        assert current.version == 2
        assert store.papers.paper_versions(current.id) == [1, 2]
        page = store.papers.search(parse_query('schrodinger author:"gunther"'))
        assert [hit.paper.id for hit in page.hits] == [current.id]
        assert len(store.matches.matches_for_radar("r1")) == 2
    finally:
        store.close()
    again = reindex(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 stored paper documents rewritten" in again.stdout


def test_reindex_beside_a_running_matcher_queues_the_index_for_it(tmp_path: Path) -> None:
    stored_before_the_rule(tmp_path)
    matcher = EmbeddedStore(tmp_path, index_writer=True)  # holds the index writer
    try:
        done = reindex(tmp_path)
        assert done.returncode == 0, done.stderr
        assert "indexes the rewritten papers from its queue" in done.stderr
        assert matcher.papers.search(parse_query("schrodinger")).total == 0
        assert matcher.papers.drain_index_queue() == 1
        assert matcher.papers.search(parse_query("schrodinger")).total == 1
    finally:
        matcher.close()
