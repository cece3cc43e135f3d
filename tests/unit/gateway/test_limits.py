"""Per-key rate limits (429 with Retry-After), request size limits, pagination caps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.gateway.app import create_app
from academichub.gateway.limits import RateLimiter
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.memory import InMemoryStore
from tests.unit.gateway.harness import Gateway, MakePaper, add_user, bearer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.take("k") for _ in range(3)] == [None, None, None]
    wait = limiter.take("k")
    assert wait == pytest.approx(1.0)
    assert limiter.take("other") is None  # budgets are per key
    clock.now += 1.0
    assert limiter.take("k") is None
    assert limiter.take("k") == pytest.approx(1.0)


def test_forgets_idle_keys_when_there_are_too_many() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock)
    limiter.MAX_KEYS = 3
    for key in "abc":
        limiter.take(key)
    clock.now += 10
    limiter.take("d")
    assert limiter.take("a") is None  # a fresh bucket: the old one was dropped


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    settings = GatewaySettings(
        common=CommonSettings(data_dir=tmp_path),
        rate_limit_per_minute=60,
        rate_limit_burst=2,
        anonymous_rate_limit_per_minute=2,
        max_body_bytes=2048,
        max_url_bytes=1024,
        auth_failures_per_minute=3,
    )
    store = InMemoryStore()
    _, ada = add_user(store.accounts, "Ada")
    _, bob = add_user(store.accounts, "Bob")
    app = create_app(
        settings,
        store=store,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
    )
    with TestClient(app) as client:
        yield client, ada, bob


def test_a_key_over_its_rate_gets_429_with_retry_after(
    strict: tuple[TestClient, str, str],
) -> None:
    client, ada, bob = strict
    statuses = [client.get("/api/radars", headers=bearer(ada)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/radars", headers=bearer(ada))
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    # Another key has its own budget.
    assert client.get("/api/radars", headers=bearer(bob)).status_code == 200


def test_anonymous_pages_are_limited_per_address(strict: tuple[TestClient, str, str]) -> None:
    client, _, _ = strict
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_large_body_is_refused_before_the_route(strict: tuple[TestClient, str, str]) -> None:
    client, ada, _ = strict
    big = {"name": "x", "query": "q" * 1900, "language": "zh", "pad": "y" * 500}
    response = client.post("/api/radars", json=big, headers=bearer(ada))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"query": "'
        for _ in range(10):
            yield b"q" * 500
        yield b'"}'

    streamed = client.post(
        "/api/radars/preview",
        content=chunks(),
        headers={**bearer(ada), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_a_long_url_is_refused(strict: tuple[TestClient, str, str]) -> None:
    client, ada, _ = strict
    response = client.get("/api/papers", params={"q": "x" * 2000}, headers=bearer(ada))
    assert response.status_code == 414
    assert "bytes" in response.json()["message"]


def test_pages_cannot_start_past_the_offset_cap(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(make_paper(1, "One"))
    response = gateway.client.get("/api/papers", params={"offset": 100_000})
    assert response.status_code == 422
    assert "narrow" in response.json()["message"]
    capped = gateway.client.get("/api/radars/r_x/matches", params={"limit": 10**6})
    assert capped.status_code == 404  # accepted (capped), then the radar is missing


def test_sign_in_attempts_are_limited_per_address(strict: tuple[TestClient, str, str]) -> None:
    client, _, _ = strict
    statuses = [
        client.post("/signin", data={"key": "ahk_guess", "csrf": "x"}).status_code for _ in range(3)
    ]
    assert statuses == [403, 403, 429]  # refused (no form cookie), then throttled


def test_failed_authentication_is_limited_per_address(
    strict: tuple[TestClient, str, str],
) -> None:
    client, ada, _ = strict
    wrong = [
        client.get("/api/radars", headers=bearer("ahk_guess" + str(i))).status_code
        for i in range(4)
    ]
    assert wrong == [401, 401, 401, 429]
    # Once the address has spent its failure budget, even a valid key is not looked at
    # until the budget refills: guessing gains nothing from mixing in a real key.
    blocked = client.get("/api/radars", headers=bearer(ada))
    assert blocked.status_code == 429
    assert "failed authentications" in blocked.json()["message"]
    assert int(blocked.headers["Retry-After"]) >= 1


def test_no_key_and_malformed_headers_count_as_failures_too(
    strict: tuple[TestClient, str, str],
) -> None:
    client, _, _ = strict
    statuses = [
        client.get("/api/sources").status_code,
        client.get("/api/sources", headers={"Authorization": "Basic eA=="}).status_code,
        client.get("/api/papers", headers=bearer("not-a-key")).status_code,
        client.get("/api/me").status_code,
    ]
    assert statuses == [401, 401, 401, 429]


def test_a_browser_gets_the_size_refusals_as_pages(strict: tuple[TestClient, str, str]) -> None:
    client, _, _ = strict
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    long_url = client.get("/", params={"q": "x" * 2000}, headers=html)
    assert long_url.status_code == 414
    assert long_url.headers["content-type"].startswith("text/html")
    assert "网址过长" in long_url.text
    assert "1024" in long_url.text
    client.cookies.set("ah_lang", "en")
    big = client.post("/radars", content=b"x" * 4096, headers=html)
    assert big.status_code == 413
    assert "Request too large" in big.text
    assert "2048" in big.text
