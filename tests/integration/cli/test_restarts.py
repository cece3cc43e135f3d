"""A real child process that exits is started again by its supervisor, which says so."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from academichub.cli.restarts import Backoff, Supervised

pytestmark = pytest.mark.integration


def test_a_crashing_child_is_restarted_with_backoff(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    script = (
        f"import pathlib, sys; pathlib.Path({str(runs)!r}).open('a').write('run\\n'); sys.exit(3)"
    )
    said: list[str] = []

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", script])

    child = Supervised(
        "briefer",
        spawn,
        log_path=tmp_path / "briefer.log",
        backoff=Backoff(first_seconds=0.05, max_seconds=0.2),
        say=said.append,
    )
    deadline = time.monotonic() + 60  # a guard against a hang, not a measure of speed
    while child.restarts < 3 and time.monotonic() < deadline:
        child.check()
        time.sleep(0.01)
    child.process.wait(10)

    assert child.restarts == 3
    assert runs.read_text().count("run") == 4
    exits = [line for line in said if "exited with code 3" in line]
    assert len(exits) == 3
    assert "restarting it in" in exits[0]
    assert "3 exits in a row" in exits[2]
    assert sum("briefer restarted (pid" in line for line in said) == 3
