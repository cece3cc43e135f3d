"""Keeping a child process running: restarted with backoff when it exits, and said so.

``academichub up`` runs each service as a child. One that exits -- a crash, a bug, a broker
that went away -- is started again after a pause that doubles with each exit in a row
(1 s, 2 s, 4 s ... up to a minute), instead of the supervisor stopping everything; a child
that stayed up long enough (``stable_after``) starts again from the shortest pause. Every
exit and restart is printed, with the child's log, so the operator sees a crash loop for
what it is.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Backoff", "Supervised"]


@dataclass(frozen=True)
class Backoff:
    first_seconds: float = 1.0
    max_seconds: float = 60.0
    stable_after_seconds: float = 120.0  # up this long: the next exit is not "in a row"

    def delay(self, exits_in_a_row: int) -> float:
        """The pause before restarting after the ``exits_in_a_row``-th exit in a row (1+)."""
        return min(self.max_seconds, self.first_seconds * 2.0 ** min(exits_in_a_row - 1, 32))


class Supervised:
    """One child process, restarted by :meth:`check` when it has exited.

    ``spawn`` starts the process; ``say`` prints a line for the operator; ``clock`` is
    monotonic seconds (injected so tests never wait).
    """

    def __init__(
        self,
        name: str,
        spawn: Callable[[], subprocess.Popen[bytes]],
        *,
        log_path: Path,
        backoff: Backoff,
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.log_path = log_path
        self._spawn = spawn
        self._backoff = backoff
        self._say = say
        self._clock = clock
        self.process = spawn()
        self._started_at = clock()
        self._restart_at: float | None = None
        self.exits_in_a_row = 0
        self.restarts = 0

    def check(self) -> None:
        """Notice an exit (and schedule the restart), or restart when its pause is over."""
        now = self._clock()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._restart_at = None
                self.process = self._spawn()
                self._started_at = now
                self.restarts += 1
                self._say(f"{self.name} restarted (pid {self.process.pid})")
            return
        code = self.process.poll()
        if code is None:
            return
        uptime = now - self._started_at
        stable = uptime >= self._backoff.stable_after_seconds
        self.exits_in_a_row = 1 if stable else self.exits_in_a_row + 1
        delay = self._backoff.delay(self.exits_in_a_row)
        self._restart_at = now + delay
        in_a_row = f", {self.exits_in_a_row} exits in a row" if self.exits_in_a_row > 1 else ""
        self._say(
            f"{self.name} exited with code {code} after {uptime:.0f}s{in_a_row}; "
            f"restarting it in {delay:.0f}s; see {self.log_path}"
        )
