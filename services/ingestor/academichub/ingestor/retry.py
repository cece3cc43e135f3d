"""Retrying a fetch that may work if tried again: bounded, backed off, honouring Retry-After.

What :class:`RetryingFetcher` retries, and what it does not::

    TransientError from the inner fetcher   retried: timeouts, resets, a body cut short
      NetworkUnreachable                    raised at once: no route at all, and the caller
                                            falls back to the offline replay -- don't stall it
      ResponseRefused                       raised at once: a body over the cap or an encoding
                                            refused will not change in a few seconds
    HTTP 429, 500, 502, 503, 504            retried
    any other status                        returned at once. A 4xx is an answer, not a hiccup:
                                            arXiv's error feed comes as HTTP 400

The wait before the next attempt is the response's ``Retry-After`` when it has one (seconds
or an HTTP-date), else exponential backoff with full jitter,
``random() * min(max_delay, base_delay * 2**(attempt - 1))``: spreading each retry over its
whole window keeps clients that failed together from retrying together. With ``min_interval``
a retry never comes sooner than the host's minimum gap, so backoff cannot break arXiv's
one-request-every-3-seconds rule.

When the attempts run out, an HTTP status comes back as the last :class:`FetchResult` (the
caller classifies it) and an exception becomes a :class:`TransientError` naming the url, the
attempts and the last cause. A ``Retry-After`` longer than ``max_retry_after`` gives up at once
with :class:`RetryAfterTooLong` instead of sleeping for an hour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from academichub.ingestor.fetch import (
    Fetcher,
    FetchResult,
    NetworkUnreachable,
    ResponseRefused,
)
from academichub.platform.errors import TransientError

__all__ = [
    "RETRY_STATUSES",
    "RetryAfterTooLong",
    "RetryPolicy",
    "RetryingFetcher",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_SECONDS_RE: Final = re.compile(r"\d+(?:\.\d+)?")
# 2**64 seconds is far past any max_delay; the cap keeps 2**attempt a float for any attempt.
_MAX_EXPONENT: Final = 64


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one fetch. ``max_attempts`` counts the first try (1 = never retry)."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 300.0
    max_retry_after: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts must be at least 1, not {self.max_attempts}"
            )
        for name in ("base_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"RetryPolicy.{name} must be a finite number >= 0, not {value}")

    def backoff(self, attempt: int, fraction: float) -> float:
        """The jittered wait after failed attempt ``attempt`` (1-based); ``fraction`` in [0, 1)."""
        ceiling = self.base_delay * 2.0 ** min(attempt - 1, _MAX_EXPONENT)
        return fraction * min(self.max_delay, ceiling)


class RetryAfterTooLong(TransientError):
    """The server asked for a longer wait than the policy allows; nothing was retried.

    ``delay`` is the wait asked for, in seconds: the caller may use it to leave the host
    alone that long.
    """

    def __init__(self, url: str, status: int, delay: float, limit: float) -> None:
        super().__init__(
            f"{url}: HTTP {status} with Retry-After {delay:.0f} s, longer than the {limit:.0f} s "
            "this fetcher will wait; giving up until the next poll"
        )
        self.url = url
        self.status = status
        self.delay = delay


def parse_retry_after(value: str, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None if it is neither form.

    ``value`` is delta-seconds (``120``) or an HTTP-date (``Wed, 21 Oct 2026 07:28:00 GMT``);
    ``now`` is the wall clock in Unix seconds. A date in the past means "now" (0).
    """
    text = value.strip()
    if _SECONDS_RE.fullmatch(text):
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC with the zone unstated
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


class RetryingFetcher:
    """A :class:`~academichub.ingestor.fetch.Fetcher` that retries its inner fetcher.

    ``sleep``, ``random`` and ``clock`` (wall-clock seconds, for HTTP-dates) are injected so
    tests never wait. ``on_retry(url, attempt, delay, reason)`` is called before each wait
    (``attempt`` is the one that failed, from 1) -- for metrics. ``min_interval(url)`` is the
    least gap, in seconds, between two requests to that url's host.
    """

    def __init__(
        self,
        inner: Fetcher,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random.random,
        on_retry: Callable[[str, int, float, str], None] | None = None,
        min_interval: Callable[[str], float] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep
        self._random = random
        self._on_retry = on_retry
        self._min_interval = min_interval
        self._clock = clock

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        attempts = self._policy.max_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await self._inner.fetch(url, etag=etag, last_modified=last_modified)
            except (NetworkUnreachable, ResponseRefused):
                raise
            except TransientError as exc:
                cause = _cause(url, exc)
                if attempt >= attempts:
                    tries = "1 attempt" if attempt == 1 else f"{attempt} attempts"
                    raise TransientError(f"{url}: gave up after {tries}; last: {cause}") from exc
                delay = self._policy.backoff(attempt, self._random())
                reason = cause
            else:
                if result.status not in RETRY_STATUSES or attempt >= attempts:
                    return result
                delay = self._delay_for(url, result, attempt)
                reason = f"HTTP {result.status}"
            if self._min_interval is not None:
                delay = max(delay, self._min_interval(url))
            log.info("%s: %s; retry %d of %d in %.1f s", url, reason, attempt, attempts - 1, delay)
            if self._on_retry is not None:
                self._on_retry(url, attempt, delay, reason)
            await self._sleep(delay)

    def _delay_for(self, url: str, result: FetchResult, attempt: int) -> float:
        asked = (
            parse_retry_after(result.retry_after, now=self._clock())
            if result.retry_after is not None
            else None
        )
        if asked is None:
            return self._policy.backoff(attempt, self._random())
        if asked > self._policy.max_retry_after:
            raise RetryAfterTooLong(url, result.status, asked, self._policy.max_retry_after)
        return asked


def _cause(url: str, exc: Exception) -> str:
    # The fetcher's messages start with the url; the retrier's own message names it once.
    text = str(exc).removeprefix(f"{url}: ")
    return text or type(exc).__name__
