"""What the gateway unit tests share: a paper builder and the app with its fakes.

The app runs over the in-memory store and account store with two users: Ada (whose key
the default client sends) and Grace, an admin. ``gateway.client_for(user)`` gives a
client with another user's key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper
from academichub.embedding.fake import FakeEmbedder
from academichub.gateway.app import create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.accounts import (
    AccountStore,
    InMemoryAccountStore,
    User,
    mint_api_key,
    new_user_id,
)
from academichub.store.memory import InMemoryStore

NOW = dt.datetime(2026, 6, 12, 9, 30, tzinfo=dt.UTC)
MakePaper = Callable[..., Paper]


def _paper(
    n: int,
    title: str,
    abstract: str = "",
    *,
    published: dt.date = dt.date(2026, 6, 12),
    source: str = "arxiv",
    categories: tuple[str, ...] = ("quant-ph",),
    version: int | None = 1,
    paper_id: str | None = None,
    **extra: Any,
) -> Paper:
    return Paper(
        id=paper_id or f"arxiv:2606.{n:05d}",
        version=version,
        source=source,
        announce_type="new",
        title=title,
        abstract=abstract or f"An abstract about {title}.",
        authors=("Ada Lovelace", "Alan Turing"),
        categories=categories,
        published=published,
        **{"url": f"https://arxiv.org/abs/2606.{n:05d}", **extra},
    )


@pytest.fixture
def make_paper() -> MakePaper:
    return _paper


def add_user(accounts: AccountStore, name: str, *, admin: bool = False) -> tuple[User, str]:
    """A user and a fresh API key of theirs."""
    user = User(new_user_id(), name, f"{name.lower()}@example.org", admin, NOW)
    accounts.add_user(user)
    token, key = mint_api_key(user.id, NOW)
    accounts.add_api_key(key)
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Gateway:
    client: TestClient  # sends Ada's key
    store: InMemoryStore
    accounts: InMemoryAccountStore
    publisher: RecordingPublisher
    probe: FakeBrokerProbe
    metrics: GatewayMetrics
    ada: User
    ada_key: str
    admin: User
    admin_key: str

    def add(self, *papers: Paper) -> None:
        self.store.papers.upsert_papers(papers)

    def client_for(self, token: str | None) -> TestClient:
        """A client of the same app sending ``token`` (None: no key at all)."""
        client = TestClient(self.client.app)
        if token is not None:
            client.headers.update(bearer(token))
        return client

    def new_user(self, name: str, *, admin: bool = False) -> tuple[User, str]:
        return add_user(self.accounts, name, admin=admin)


@pytest.fixture
def settings(tmp_path: Path) -> GatewaySettings:
    # Tests here send many deliberately wrong keys; the failure budget is tested in
    # test_limits.py with its own small setting.
    return GatewaySettings(
        page_size=3,
        max_api_limit=5,
        auth_failures_per_minute=10_000,
        common=CommonSettings(data_dir=tmp_path / "data"),
    )


@pytest.fixture
def gateway(settings: GatewaySettings) -> Iterator[Gateway]:
    store = InMemoryStore()
    accounts = store.accounts
    ada, ada_key = add_user(accounts, "Ada")
    admin, admin_key = add_user(accounts, "Grace", admin=True)
    publisher = RecordingPublisher()
    probe = FakeBrokerProbe()
    # A private registry per app: prometheus refuses the same metric twice on one registry.
    metrics = GatewayMetrics.standalone()
    app = create_app(
        settings,
        store=store,
        publisher=publisher,
        broker_probe=probe,
        metrics=metrics,
        clock=lambda: NOW,
        embedder=FakeEmbedder(dimension=64),
    )
    with TestClient(app, headers=bearer(ada_key)) as client:
        yield Gateway(
            client, store, accounts, publisher, probe, metrics, ada, ada_key, admin, admin_key
        )


def form_token(html: str, name: str = "csrf") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} field in the page"
    return found.group(1)


def sign_in(gateway: Gateway, token: str) -> TestClient:
    """A browser-like client (no key header) signed in at /signin with ``token``."""
    browser = gateway.client_for(None)
    form = browser.get("/signin")
    assert form.status_code == 200
    response = browser.post(
        "/signin",
        data={"key": token, "csrf": form_token(form.text), "next": "/radars"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return browser


def page_csrf(browser: TestClient, path: str = "/radars") -> str:
    """The session's CSRF token, as the page carries it."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', browser.get(path).text)
    assert found, "the page carries no CSRF token: not signed in?"
    return found.group(1)
