"""A circuit breaker around a :class:`~academichub.briefer.domain.model.ChatModel`.

Without one, every window closed during an outage waits out the adapter's timeouts and
retries before falling back, and every pass of the upgrader hammers a dead endpoint.
With one::

    closed ──K consecutive failures──▶ open ──cool-down elapsed──▶ half-open
      ▲                                  ▲                             │
      └──────── the trial call succeeds ─┼─────────────────────────────┤
                                         └──── the trial call fails ───┘

- *closed*: calls go through. Every failure counts -- any
  :class:`~academichub.briefer.domain.model.ModelError` (unavailable, rejected, a body that is no
  completion, a refusal) and every answer that comes back with a ``problem`` (slower than
  the adapter's ``slow_seconds``, or not JSON of the asked shape): an endpoint that answers
  only slowly or only garbage is no more usable than one that does not answer. A good
  answer resets the count.
- *open*: calls fail at once with ``ModelUnavailable`` naming the last failure, so the
  composer writes the extractive briefing immediately.
- *half-open*: after ``cooldown_seconds`` one trial call goes through (others still fail
  fast); its outcome closes or re-opens the circuit.

Pure: the clock is injected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, Protocol

from academichub.briefer.domain.model import (
    ChatAnswer,
    ChatModel,
    ChatRequest,
    ModelError,
    ModelUnavailable,
)

State = Literal["closed", "open", "half_open"]


class BreakerObserver(Protocol):
    def observe_circuit(self, state: State) -> None: ...


class _NoObserver:
    def observe_circuit(self, state: State) -> None:
        pass


class CircuitBreaker:
    """A :class:`~academichub.briefer.domain.model.ChatModel` that stops calling a failing one."""

    def __init__(
        self,
        inner: ChatModel,
        *,
        failures: int = 5,
        cooldown_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        observer: BreakerObserver | None = None,
    ) -> None:
        if failures < 1 or cooldown_seconds <= 0:
            raise ValueError("a breaker needs failures >= 1 and a positive cool-down")
        self._inner = inner
        self._threshold = failures
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._observer: BreakerObserver = observer or _NoObserver()
        self._state: State = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._last_failure = ""
        self._trial_in_flight = False

    @property
    def provider(self) -> str:
        return self._inner.provider

    @property
    def model(self) -> str:
        return self._inner.model

    @property
    def state(self) -> State:
        return self._state

    def ready(self) -> bool:
        """Whether a call now would reach the endpoint (closed, or a trial is due)."""
        if self._state == "closed":
            return True
        if self._state == "open":
            return self._clock() - self._opened_at >= self._cooldown
        return not self._trial_in_flight

    async def complete(self, request: ChatRequest) -> ChatAnswer:
        trial = self._admit()
        try:
            answer = await self._inner.complete(request)
        except ModelError as exc:
            self._failed(exc.reason)
            raise
        except BaseException:
            if trial:  # a bug or a cancellation: let the next call try again
                self._trial_in_flight = False
            raise
        if answer.problem is not None:
            self._failed(answer.problem)
        else:
            self._succeeded()
        return answer

    def _admit(self) -> bool:
        """Let the call through or raise; True when it is the half-open trial."""
        if self._state == "closed":
            return False
        if self._state == "open":
            waited = self._clock() - self._opened_at
            if waited < self._cooldown:
                raise ModelUnavailable(
                    f"circuit open after {self._failures} consecutive failures "
                    f"(last: {self._last_failure}); next try in "
                    f"{self._cooldown - waited:.0f}s"
                )
            self._set("half_open")
        if self._trial_in_flight:
            raise ModelUnavailable(
                f"circuit half-open, a trial request is in flight (last: {self._last_failure})"
            )
        self._trial_in_flight = True
        return True

    def _failed(self, reason: str) -> None:
        self._trial_in_flight = False
        self._failures += 1
        self._last_failure = reason[:300]
        if self._state == "half_open" or self._failures >= self._threshold:
            self._opened_at = self._clock()
            self._set("open")

    def _succeeded(self) -> None:
        self._trial_in_flight = False
        self._failures = 0
        if self._state != "closed":
            self._set("closed")

    def _set(self, state: State) -> None:
        self._state = state
        self._observer.observe_circuit(state)
