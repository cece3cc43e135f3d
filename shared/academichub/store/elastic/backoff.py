"""Backoff on HTTP 429: Elasticsearch saying "too many requests, slow down".

A 429 is back-pressure (a full write queue, a tripped circuit breaker, indexing pressure),
not a failure: the request is retried after a growing, jittered pause, a bounded number of
times, then :class:`~academichub.store.elastic.errors.Overloaded` is raised so the service
crashes without committing and replays later. The jitter spreads the retries of many
matcher replicas that were pushed back at the same moment.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from elasticsearch import ApiError

from academichub.store.elastic.errors import Overloaded

TOO_MANY_REQUESTS: Final = 429

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """``attempts`` tries in all; before try ``n`` (n >= 1) it sleeps about
    ``min(cap, initial * 2**(n-1))`` seconds, between half and all of it ("equal jitter")."""

    attempts: int = 6
    initial: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"Backoff.attempts must be at least 1, got {self.attempts}")

    def pause(self, retry: int) -> None:
        """Sleep before the ``retry``-th retry (1 for the first)."""
        ceiling = min(self.cap, self.initial * 2 ** (retry - 1))
        self.sleep(ceiling / 2 + ceiling / 2 * self.jitter())

    def call(self, request: Callable[[], T], what: str) -> T:
        """``request()``, retried while Elasticsearch answers 429."""
        for attempt in range(self.attempts):
            if attempt:
                self.pause(attempt)
            try:
                return request()
            except ApiError as exc:
                if exc.status_code != TOO_MANY_REQUESTS:
                    raise
        raise Overloaded(f"{what}: Elasticsearch answered 429 to all {self.attempts} attempts")
