"""Offline, the ingestor loop replays the recorded feeds bundled with the package: every
recorded paper published once, nothing asked of the network, and a replayed (old) feed is
neither taken for a stale one nor paged through (a recording is one page)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.ingestor.bootstrap import run_forever
from academichub.ingestor.fetch import HttpFetcher
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.replay import replay_feeds
from academichub.ingestor.settings import IngestorSettings
from academichub.store.embedded import EmbeddedStore
from tests.support.store_doors import on_its_thread

pytestmark = pytest.mark.integration


def recorded_keys() -> set[tuple[str, int | None]]:
    keys = set()
    for feed in replay_feeds():
        data = Path(feed.url.removeprefix("file://")).read_bytes()
        keys |= {paper.key for paper in FORMATS[feed.format](data).papers}
    return keys


async def test_offline_loop_publishes_every_recorded_paper_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMICHUB_OFFLINE", "1")
    settings = IngestorSettings()
    expected = await asyncio.to_thread(recorded_keys)
    publisher, stop = RecordingPublisher(), asyncio.Event()
    # Offline nothing goes to the network: the HTTP client's transport refuses any request.
    asked: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(599)

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    fetcher = HttpFetcher(client, max_bytes=10_000_000)
    metrics = IngestorMetrics(CollectorRegistry())
    with on_its_thread(lambda: EmbeddedStore(tmp_path, index_writer=False)) as store:
        state = store.part(lambda s: s.ingest)
        loop = asyncio.create_task(run_forever(settings, state, publisher, fetcher, metrics, stop))
        try:
            for _ in range(200):
                if len(publisher.sent) >= len(expected):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # room for anything published twice
            stop.set()
            await asyncio.wait_for(loop, 10)
            cursors = [
                await store.run(lambda s, name=feed.name: s.ingest.get_cursor(name)) or {}
                for feed in replay_feeds()
            ]
        finally:
            stop.set()
            await client.aclose()
    keys = [(p.id, p.version) for _, _, p in publisher.sent]  # type: ignore[attr-defined]
    assert asked == []
    assert len(keys) == len(set(keys))
    assert set(keys) == expected
    assert all(c.get("stale") != "1" and c.get("last_success_at") for c in cursors)
