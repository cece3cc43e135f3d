"""The retrying fetcher: which failures it retries, how long it waits, and when it gives up.

The inner fetcher is scripted and the sleeps are recorded, so nothing here waits.
"""

from __future__ import annotations

import email.utils
import random

import pytest

from academichub.ingestor.fetch import (
    FetchResult,
    NetworkUnreachable,
    ResponseTooLarge,
    ScriptedFetcher,
    UnsupportedEncoding,
)
from academichub.ingestor.retry import (
    RetryAfterTooLong,
    RetryingFetcher,
    RetryPolicy,
    parse_retry_after,
)
from academichub.platform.errors import TransientError
from tests.conftest import FIXTURES

URL = "https://export.arxiv.org/api/query?id_list=2504.17830"
NOW = 1_780_000_000.0  # a fixed wall clock for HTTP-dates
OK = FetchResult(200, b"<feed/>", etag='"v1"', content_type="application/atom+xml")


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def retrying(
    *answers: FetchResult | Exception,
    policy: RetryPolicy | None = None,
    fraction: float = 0.5,
    min_interval: float | None = None,
) -> tuple[RetryingFetcher, ScriptedFetcher, Sleeps, list[tuple[str, int, float, str]]]:
    inner = ScriptedFetcher({URL: list(answers)})
    sleeps = Sleeps()
    retries: list[tuple[str, int, float, str]] = []
    fetcher = RetryingFetcher(
        inner,
        policy or RetryPolicy(),
        sleep=sleeps,
        random=lambda: fraction,
        on_retry=lambda *retry: retries.append(retry),
        min_interval=None if min_interval is None else (lambda _url: min_interval),
        clock=lambda: NOW,
    )
    return fetcher, inner, sleeps, retries


def busy(status: int = 503, retry_after: str | None = None) -> FetchResult:
    return FetchResult(status, b"busy", content_type="text/plain", retry_after=retry_after)


async def test_retry_after_in_seconds_is_waited_out_then_the_answer_returned() -> None:
    fetcher, inner, sleeps, retries = retrying(busy(503, "7"), OK)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [7.0]
    assert retries == [(URL, 1, 7.0, "HTTP 503")]
    assert len(inner.requests) == 2


async def test_retry_after_as_an_http_date_is_the_time_until_that_date() -> None:
    date = email.utils.formatdate(NOW + 90, usegmt=True)  # "..., 00:00:00 GMT"
    fetcher, _, sleeps, _ = retrying(busy(429, date), OK)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [90.0]


async def test_a_retry_after_date_already_past_means_retry_now() -> None:
    date = email.utils.formatdate(NOW - 60, usegmt=True)
    fetcher, _, sleeps, _ = retrying(busy(503, date), OK)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [0.0]


async def test_an_unreadable_retry_after_falls_back_to_backoff() -> None:
    fetcher, _, sleeps, _ = retrying(busy(503, "in a little while"), OK, fraction=0.5)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [0.5]  # 0.5 * base_delay


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_each_retryable_status_is_retried(status: int) -> None:
    fetcher, inner, _, _ = retrying(busy(status), OK)

    assert await fetcher.fetch(URL) == OK
    assert len(inner.requests) == 2


async def test_backoff_doubles_per_attempt_and_the_last_status_is_returned() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=300.0)
    fetcher, inner, sleeps, retries = retrying(busy(503), policy=policy, fraction=0.5)

    result = await fetcher.fetch(URL)

    assert result.status == 503  # out of attempts: the caller classifies the status
    assert len(inner.requests) == 5
    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0]
    assert [attempt for _, attempt, _, _ in retries] == [1, 2, 3, 4]


async def test_backoff_is_capped_at_max_delay() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=100.0, max_delay=300.0)
    fetcher, _, sleeps, _ = retrying(busy(503), policy=policy, fraction=0.999)

    await fetcher.fetch(URL)

    assert sleeps.delays == pytest.approx([99.9, 199.8, 299.7, 299.7])


async def test_full_jitter_spreads_each_wait_over_zero_to_its_ceiling() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=2.0, max_delay=300.0)
    ceilings = [2.0, 4.0, 8.0]
    seen: list[list[float]] = [[], [], []]
    rng = random.Random(7)
    for _ in range(200):
        inner = ScriptedFetcher({URL: [busy(502)]})
        sleeps = Sleeps()
        await RetryingFetcher(inner, policy, sleep=sleeps, random=rng.random).fetch(URL)
        for i, delay in enumerate(sleeps.delays):
            seen[i].append(delay)

    for delays, ceiling in zip(seen, ceilings, strict=True):
        assert all(0.0 <= delay < ceiling for delay in delays)
        # Spread over the window, not bunched at the ceiling (that is what jitter is for).
        assert min(delays) < 0.1 * ceiling
        assert max(delays) > 0.9 * ceiling


async def test_timeouts_are_retried_and_the_last_cause_named_when_attempts_run_out() -> None:
    policy = RetryPolicy(max_attempts=3)
    first = TransientError(f"{URL}: ReadError: connection reset")
    last = TransientError(f"{URL}: timed out (read): ReadTimeout")
    fetcher, inner, sleeps, retries = retrying(first, first, last, policy=policy)

    with pytest.raises(TransientError) as raised:
        await fetcher.fetch(URL)

    message = str(raised.value)
    assert message.startswith(URL)
    assert message.count(URL) == 1
    assert "gave up after 3 attempts" in message
    assert "timed out (read)" in message
    assert raised.value.__cause__ is last
    assert len(inner.requests) == 3
    assert len(sleeps.delays) == 2
    assert retries[0][3] == "ReadError: connection reset"


async def test_a_transient_error_then_success_returns_the_success() -> None:
    fetcher, inner, sleeps, _ = retrying(TransientError(f"{URL}: RemoteProtocolError"), OK)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [0.5]
    assert len(inner.requests) == 2


async def test_conditional_get_headers_go_with_every_attempt() -> None:
    fetcher, inner, _, _ = retrying(busy(503), OK)

    await fetcher.fetch(URL, etag='"v0"')

    assert inner.requests == [(URL, '"v0"'), (URL, '"v0"')]


async def test_a_retry_after_beyond_the_limit_gives_up_at_once_without_sleeping() -> None:
    fetcher, inner, sleeps, _ = retrying(busy(503, "7200"), OK)

    with pytest.raises(RetryAfterTooLong) as raised:
        await fetcher.fetch(URL)

    assert isinstance(raised.value, TransientError)
    assert raised.value.delay == 7200.0
    assert URL in str(raised.value)
    assert "Retry-After 7200 s" in str(raised.value)
    assert "3600 s" in str(raised.value)
    assert sleeps.delays == []
    assert len(inner.requests) == 1


async def test_a_retry_after_date_beyond_the_limit_gives_up_too() -> None:
    date = email.utils.formatdate(NOW + 2 * 86400, usegmt=True)
    fetcher, _, sleeps, _ = retrying(busy(429, date), OK)

    with pytest.raises(RetryAfterTooLong):
        await fetcher.fetch(URL)
    assert sleeps.delays == []


@pytest.mark.parametrize("status", [200, 304, 400, 401, 403, 404, 410])
async def test_answers_that_are_not_hiccups_are_returned_at_once(status: int) -> None:
    answer = FetchResult(status, b"whatever")
    fetcher, inner, sleeps, _ = retrying(answer, OK)

    assert await fetcher.fetch(URL) is answer
    assert len(inner.requests) == 1
    assert sleeps.delays == []


async def test_the_arxiv_error_feed_http_400_is_not_retried() -> None:
    body = (FIXTURES / "feeds/arxiv_api/api_2026_error_http400_bad_id.xml").read_bytes()
    error_feed = FetchResult(400, body, content_type="application/atom+xml")
    fetcher, inner, sleeps, _ = retrying(error_feed, OK)

    assert await fetcher.fetch(URL) is error_feed
    assert (len(inner.requests), sleeps.delays) == (1, [])


@pytest.mark.parametrize(
    "error",
    [
        NetworkUnreachable(f"{URL}: cannot connect: [Errno -3] name resolution"),
        ResponseTooLarge(f"{URL}: body exceeds 50000000 bytes", received=50_000_001),
        UnsupportedEncoding(f"{URL}: refused: Content-Encoding 'br' is not one ..."),
    ],
)
async def test_no_route_and_refused_responses_are_raised_at_once(error: TransientError) -> None:
    fetcher, inner, sleeps, _ = retrying(error, OK)

    with pytest.raises(type(error)) as raised:
        await fetcher.fetch(URL)

    assert raised.value is error
    assert (len(inner.requests), sleeps.delays) == (1, [])


async def test_retries_are_never_sooner_than_the_hosts_minimum_interval() -> None:
    fetcher, _, sleeps, _ = retrying(busy(503), busy(503, "1"), OK, fraction=0.0, min_interval=3.0)

    assert await fetcher.fetch(URL) == OK
    assert sleeps.delays == [3.0, 3.0]  # jitter drew 0 s, the server asked for 1 s: arXiv's 3 s


async def test_one_attempt_means_no_retry() -> None:
    policy = RetryPolicy(max_attempts=1)
    fetcher, _, sleeps, _ = retrying(busy(503), OK, policy=policy)
    assert (await fetcher.fetch(URL)).status == 503

    fetcher, _, sleeps, _ = retrying(TransientError(f"{URL}: ReadError"), OK, policy=policy)
    with pytest.raises(TransientError, match="gave up after 1 attempt; last: ReadError"):
        await fetcher.fetch(URL)
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Fri, 01 Jan 2027 00:00:00 GMT", 1798761600.0 - NOW),
        ("Fri, 01 Jan 2027 00:00:00 -0000", 1798761600.0 - NOW),
        ("Friday, 01-Jan-27 00:00:00 GMT", 1798761600.0 - NOW),  # obsolete RFC 850 form
        ("-3", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    "fields",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"max_delay": float("inf")}],
)
def test_a_policy_that_cannot_work_is_refused(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="RetryPolicy"):
        RetryPolicy(**fields)  # type: ignore[arg-type]
