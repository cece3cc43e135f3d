"""`academichub bench match` runs end to end at a tiny budget (it asserts no timing:
benchmarks are programs; this only keeps the program from rotting), and its radars are
the kind the issue asks for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from academichub.bench.corpus import recorded_papers
from academichub.bench.match import Vocabulary, make_radar_queries
from academichub.radar.ast import And, Not, Or, Phrase
from academichub.radar.parser import parse_query

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def test_prints_one_row_per_radar_count_and_agrees_with_the_naive_loop() -> None:
    done = subprocess.run(
        [
            ACADEMICHUB,
            "bench",
            "match",
            "--radars",
            "50,400",
            "--semantic",
            "",
            "--seconds",
            "0.01",
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {
        line.split()[0]: line.split()[1:]
        for line in done.stdout.splitlines()
        if line.split() and line.split()[0].isdigit()
    }
    assert set(rows) == {"50", "400"}
    for cells in rows.values():
        # build s, B/radar, cold/s, papers/s, vs 1st, naive/s, speed-up, matches/paper,
        # then "n/n papers": every paper the naive loop ran got the same hits.
        agreed, checked = cells[8].split("/")
        assert agreed == checked
        assert int(checked) > 0
        assert float(cells[3]) > 0


def test_radars_are_drawn_from_the_feeds_with_every_kind_of_clause() -> None:
    vocab = Vocabulary(recorded_papers())
    queries = make_radar_queries(500, vocab)
    assert queries == make_radar_queries(500, vocab)  # the same radars on every run
    nodes = [parse_query(q) for q in queries]

    def parts(node: object) -> list[object]:
        children = getattr(node, "children", None)
        if children is not None:
            return [node, *(p for c in children for p in parts(c))]
        return [node, *parts(node.child)] if isinstance(node, Not) else [node]

    kinds = {type(p).__name__ for n in nodes for p in parts(n)}
    assert {"Word", "Phrase", "Prefix", "Or", "And", "Not", "Category", "Author"} <= kinds
    assert any(isinstance(n, Or) for n in nodes)
    assert all(len(n.children) <= 4 for n in nodes if isinstance(n, And))
    assert all(len(p.tokens) >= 2 for n in nodes for p in parts(n) if isinstance(p, Phrase))


def test_semantic_rows_print_rates_memory_and_int8_agreement() -> None:
    done = subprocess.run(
        [ACADEMICHUB, "bench", "match", "--radars", "20", "--semantic", "300", "--seconds", "0.01"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [
        line.split()
        for line in done.stdout.split("semantic radars:")[1].splitlines()
        if line.split() and line.split()[0] == "300"
    ]
    assert [r[1] for r in rows] == ["float32", "int8"]
    for cells in rows:
        # radars, rows, B/radar, papers/s, +explain/s, hits/paper (then int8's agreement)
        assert float(cells[2]) > 384  # at least an int8 row per radar
        assert float(cells[3]) > 0
        assert 0 < float(cells[5]) < 300
    finds = float(rows[1][6].rstrip("%"))
    assert finds > 90


def test_bench_embed_prints_the_embedded_models_rate() -> None:
    done = subprocess.run(
        [ACADEMICHUB, "bench", "embed", "--papers", "6"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sha256:53aa5117" in done.stdout
    assert "6 abstracts" in done.stdout
    assert "BLAS threads: 1" in done.stdout
