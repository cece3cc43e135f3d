"""A child that exits is restarted after a pause that doubles while it keeps exiting, and
every exit and restart is said; a child that stayed up starts again from the short pause."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from academichub.cli.restarts import Backoff, Supervised


@dataclass
class FakeProcess:
    pid: int
    code: int | None = None

    def poll(self) -> int | None:
        return self.code


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Spawner:
    started: list[FakeProcess] = field(default_factory=list)

    def __call__(self) -> subprocess.Popen[bytes]:
        self.started.append(FakeProcess(pid=100 + len(self.started)))
        return cast(subprocess.Popen[bytes], self.started[-1])


def supervised() -> tuple[Supervised, Spawner, Clock, list[str]]:
    spawner, clock, said = Spawner(), Clock(), []
    child = Supervised(
        "ingestor",
        spawner,
        log_path=Path("var/log/ingestor.log"),
        backoff=Backoff(first_seconds=1, max_seconds=8, stable_after_seconds=60),
        say=said.append,
        clock=clock,
    )
    return child, spawner, clock, said


def test_backoff_doubles_up_to_its_limit() -> None:
    backoff = Backoff(first_seconds=1, max_seconds=60)
    assert [backoff.delay(n) for n in (1, 2, 3, 6, 7, 100)] == [1, 2, 4, 32, 60, 60]


def test_an_exited_child_is_restarted_after_its_pause_and_it_is_said() -> None:
    child, spawner, clock, said = supervised()
    clock.now = 5
    spawner.started[0].code = 1

    child.check()
    assert len(spawner.started) == 1  # not yet: the pause runs first
    assert said == [
        "ingestor exited with code 1 after 5s; restarting it in 1s; see var/log/ingestor.log"
    ]
    clock.now = 5.5
    child.check()
    assert len(spawner.started) == 1
    clock.now = 6
    child.check()

    assert len(spawner.started) == 2
    assert child.process.pid == 101
    assert said[-1] == "ingestor restarted (pid 101)"
    assert child.restarts == 1


def test_a_crash_loop_waits_longer_each_time_and_says_how_many_in_a_row() -> None:
    child, spawner, clock, said = supervised()
    pauses = []
    for _ in range(5):
        spawner.started[-1].code = 2
        child.check()
        pause_from, running = clock.now, len(spawner.started)
        while len(spawner.started) == running:
            clock.now += 0.5
            child.check()
        pauses.append(clock.now - pause_from)

    assert pauses == [1, 2, 4, 8, 8]
    assert "5 exits in a row" in said[-2]


def test_a_child_that_stayed_up_starts_again_from_the_short_pause() -> None:
    child, spawner, clock, said = supervised()
    for _ in range(3):
        spawner.started[-1].code = 1
        child.check()
        clock.now += 10
        child.check()
    clock.now += 61  # up longer than stable_after
    spawner.started[-1].code = 1
    child.check()

    assert child.exits_in_a_row == 1
    assert said[-1].endswith("restarting it in 1s; see var/log/ingestor.log")
