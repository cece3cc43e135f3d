"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server.

They skip, saying why, where /usr/bin/chromium or the playwright package is missing
(CI installs both). Screenshots of every page go to test-artifacts/ at the repository root;
their Chinese text needs a CJK font on the machine (apt-get install fonts-noto-cjk), or it
shows as boxes (the tests do not depend on it).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.gateway.app import create_app
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.accounts import InMemoryAccountStore, User, mint_api_key, new_user_id
from academichub.store.memory import InMemoryStore

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]

pytestmark = pytest.mark.integration


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (uv pip install playwright)"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if reason:
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Site:
    base: str
    store: InMemoryStore
    accounts: InMemoryAccountStore
    key: str
    user: User


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    store = InMemoryStore()
    accounts = store.accounts
    now = dt.datetime.now(dt.UTC)
    user = User(new_user_id(), "Ada Lovelace", "ada@example.org", False, now)
    accounts.add_user(user)
    key, record = mint_api_key(user.id, now)
    accounts.add_api_key(record)
    app = create_app(
        GatewaySettings(common=CommonSettings(data_dir=tmp_path / "data")),
        store=store,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.02)
    try:
        yield Site(f"http://127.0.0.1:{port}", store, accounts, key, user)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
