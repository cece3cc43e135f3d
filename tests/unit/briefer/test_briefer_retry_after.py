import email.utils

import pytest

from academichub.briefer.openai_model import RetryPolicy, retry_after_seconds


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_as_an_http_date() -> None:
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"Retry-After": date}, now=now) == pytest.approx(30)


def test_backoff_doubles_up_to_its_cap_with_jitter_on_its_second_half() -> None:
    policy = RetryPolicy(backoff_seconds=0.5, max_backoff_seconds=3)
    assert [policy.backoff(a, 1.0) for a in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert [policy.backoff(a, 0.0) for a in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 1.5]
    assert policy.backoff(2, 0.5) == 0.75


def test_a_retry_after_is_honoured_as_the_least_wait_plus_a_little_jitter() -> None:
    policy = RetryPolicy()
    assert policy.honour(2.0, 0.0) == 2.0
    assert policy.honour(2.0, 1.0) == pytest.approx(2.2)
    assert policy.honour(30.0, 1.0) == 31.0  # jitter is at most a second
    assert policy.honour(0.0, 1.0) == 0.0
