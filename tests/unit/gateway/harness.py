"""What the gateway unit tests share: a paper builder and the app with its fakes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper
from academichub.gateway.app import create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.probes import FakeBrokerProbe
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
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


@dataclass
class Gateway:
    client: TestClient
    store: InMemoryStore
    publisher: RecordingPublisher
    probe: FakeBrokerProbe
    metrics: GatewayMetrics

    def add(self, *papers: Paper) -> None:
        self.store.upsert_papers(papers)


@pytest.fixture
def settings(tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(
        page_size=3, max_api_limit=5, common=CommonSettings(data_dir=tmp_path / "data")
    )


@pytest.fixture
def gateway(settings: GatewaySettings) -> Iterator[Gateway]:
    store = InMemoryStore()
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
    )
    with TestClient(app) as client:
        yield Gateway(client, store, publisher, probe, metrics)
