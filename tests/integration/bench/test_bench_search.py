"""`academichub bench search` runs end to end on a small corpus (it asserts no timing:
benchmarks are programs; this only keeps the program from rotting)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def test_bench_search_prints_a_row_per_client_count() -> None:
    done = subprocess.run(
        [ACADEMICHUB, "bench", "search", "--papers", "400", "--clients", "1,3", "--requests", "40"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "loaded 400 papers" in done.stdout
    rows = [line.split("|") for line in done.stdout.splitlines() if line.count("|") == 3]
    assert [row[0].strip() for row in rows] == ["clients", "1", "3"]
    for row in rows[1:]:
        assert row[1].count("ms") == 2  # store p50, p99
        assert row[2].count("ms") == 2  # gateway p50, p99
