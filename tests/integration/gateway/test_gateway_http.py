"""The gateway on a real uvicorn server over the embedded store, through real HTTP.

The store is seeded by an index writer (as the matcher would be), then the gateway
opens its own reader, exactly as in production. The second test runs the composition
root against the real local broker and reads the radar change back from the topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from academichub.broker.local import free_port
from academichub.broker.probe import BrokerUnavailable, FakeBrokerProbe, KafkaBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, RadarChange, TopicName, decode_event
from academichub.gateway.app import create_app
from academichub.gateway.bootstrap import serve
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.accounts import User, mint_api_key, new_user_id
from academichub.store.door import StoreThreads
from academichub.store.embedded import EmbeddedStore
from academichub.store.port import Store
from tests.support.brokers import BrokerUnderTest

pytestmark = pytest.mark.integration


def _paper(n: int, title: str, abstract: str, day: int) -> Paper:
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=1,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=abstract,
        authors=("Ada Lovelace",),
        categories=("quant-ph",),
        published=dt.date(2026, 6, day),
        url=f"https://arxiv.org/abs/2606.{n:05d}",
    )


PAPERS = (
    _paper(1, "Surface codes at scale", "Quantum error correction with surface codes.", 10),
    _paper(2, "Protein folding", "Deep learning predicts <b>protein</b> structures.", 11),
    _paper(3, "Rotations of qubits", "Fast single-qubit rotations for quantum gates.", 12),
)


def _seed(data_dir: Path) -> None:
    writer = EmbeddedStore(data_dir, index_writer=True)
    try:
        writer.papers.upsert_papers(PAPERS)
    finally:
        writer.close()


@contextmanager
def _serving(server: uvicorn.Server) -> Iterator[str]:
    """Run ``server`` on a thread, on a socket bound here (no race for a free port)."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def _user_key(data_dir: Path, name: str = "Ada") -> str:
    """A user in the embedded account store, and their key (as `users create` makes)."""
    store = EmbeddedStore(data_dir, index_writer=False)
    try:
        now = dt.datetime.now(dt.UTC)
        user = User(new_user_id(), name, f"{name.lower()}@example.org", False, now)
        store.accounts.add_user(user)
        token, key = mint_api_key(user.id, now)
        store.accounts.add_api_key(key)
    finally:
        store.close()
    return token


def test_search_through_real_http_over_the_embedded_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _seed(data_dir)
    token = _user_key(data_dir)
    store = EmbeddedStore(data_dir, index_writer=False)
    settings = GatewaySettings(common=CommonSettings(data_dir=data_dir))
    publisher = RecordingPublisher()
    threads = StoreThreads(2, name="gateway-test")
    app = create_app(
        settings,
        store=store,
        publisher=publisher,
        broker_probe=FakeBrokerProbe(),
        store_threads=threads,
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with (
            _serving(server) as base,
            httpx.Client(base_url=base, timeout=10, headers=headers) as client,
        ):
            # Papers are public metadata; radars need a key.
            assert httpx.get(base + "/api/papers").status_code == 200
            assert httpx.get(base + "/api/radars").status_code == 401
            found = client.get("/api/papers", params={"q": "quantum"}).json()
            assert found["total"] == 2
            # Facets come from the tantivy index and agree with the hits.
            assert found["facets"]["sources"] == [{"value": "arxiv", "count": 2}]
            assert found["facets"]["per_day"][-1] == {"date": "2026-06-12", "count": 1}
            assert {i["id"] for i in found["items"]} == {"arxiv:2606.00001", "arxiv:2606.00003"}
            assert all("<mark>" in i["snippet"] for i in found["items"])

            stemmed = client.get("/api/papers", params={"q": "rotation"}).json()
            assert [i["id"] for i in stemmed["items"]] == ["arxiv:2606.00003"]

            protein = client.get("/api/papers", params={"q": "protein"}).json()
            assert "&lt;b&gt;" in protein["items"][0]["snippet"]

            bad = client.get("/api/papers", params={"q": "quantum AND"})
            assert bad.status_code == 422
            assert bad.json()["position"] == len("quantum AND")

            home = client.get("/")
            assert home.status_code == 200
            assert "arXiv (quant-ph) 2026-06-12" in home.text
            assert home.text.index("Rotations of qubits") < home.text.index("Protein folding")

            created = client.post("/api/radars", json={"name": "QEC", "query": "surface codes"})
            assert created.status_code == 201
            radar_id = created.json()["id"]
            assert client.get(f"/api/radars/{radar_id}").json()["revision"] == 1
            assert client.get("/readyz").status_code == 200
        # The radar is in the shared SQLite file, where the matcher will read it.
        reopened = EmbeddedStore(data_dir, index_writer=False)
        try:
            stored = reopened.radars.get_radar(radar_id)
        finally:
            reopened.close()
        assert stored is not None
        assert stored.query == "surface codes"
        assert [key for _, key, _ in publisher.sent] == [radar_id]
    finally:
        threads.close()
        store.close()


async def _radar_change(bootstrap_servers: str, radar_id: str, within: float) -> RadarChange:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(str(TopicName.RADARS)) or {0}
        assigned = [TopicPartition(str(TopicName.RADARS), p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for message in messages:
                    if message.key == radar_id.encode():
                        event = decode_event(TopicName.RADARS, message.value)
                        assert isinstance(event, RadarChange)
                        return event
        raise AssertionError(f"no change for radar {radar_id} on the radars topic")
    finally:
        await consumer.stop()


async def _until_serving(base: str, task: asyncio.Task[None]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(300):
            assert not task.done(), task.exception() if task.done() else ""
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise AssertionError(f"the gateway at {base} did not serve")


async def test_composition_root_publishes_radar_changes(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    _seed(data_dir)
    token = _user_key(data_dir)
    settings = GatewaySettings(
        port=free_port(),
        store_threads=2,
        common=CommonSettings(data_dir=data_dir, bootstrap_servers=broker.bootstrap_servers),
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(settings, stop=stop, registry=CollectorRegistry()))
    base = f"http://127.0.0.1:{settings.port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        await _until_serving(base, serving)
        async with httpx.AsyncClient(base_url=base, timeout=10, headers=headers) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            created = await client.post(
                "/api/radars", json={"name": "QEC", "query": '"surface codes"'}
            )
            assert created.status_code == 201, created.text
            radar_id = created.json()["id"]
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)  # stops when told, and closes what it opened
    change = await _radar_change(broker.bootstrap_servers, radar_id, within=20)
    assert change.kind == "upsert"
    assert change.revision == 1
    assert change.radar is not None
    assert change.radar.query == '"surface codes"'


async def test_the_composition_root_serves_the_elasticsearch_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from academichub.store import factory
    from academichub.store.elastic import ElasticsearchStore
    from tests.support.fake_elasticsearch import FakeElasticsearch

    cluster = FakeElasticsearch()
    monkeypatch.setattr(factory, "_elasticsearch_client", lambda common: cluster.client())
    settings = GatewaySettings(
        port=free_port(),
        common=CommonSettings(store="elasticsearch", elasticsearch_url="http://127.0.0.1:9"),
    )
    opened: list[ElasticsearchStore] = []

    def open_configured() -> Store:
        store = factory.open_store(settings.common, index_writer=False)
        assert isinstance(store, ElasticsearchStore)
        opened.append(store)
        return store

    stop, publisher = asyncio.Event(), RecordingPublisher()
    serving = asyncio.create_task(
        serve(
            settings,
            stop=stop,
            registry=CollectorRegistry(),
            open_configured=open_configured,
            publisher=publisher,
            broker_probe=FakeBrokerProbe(),
        )
    )
    base = f"http://127.0.0.1:{settings.port}"
    try:
        await _until_serving(base, serving)
        (store,) = opened
        user = User("u_1", "Ada", "ada@example.org", True, dt.datetime.now(dt.UTC))
        store.accounts.add_user(user)
        token, key = mint_api_key(user.id, dt.datetime.now(dt.UTC))
        store.accounts.add_api_key(key)
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/readyz")).status_code == 200
            me = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["email"] == "ada@example.org"
            assert (await client.get("/api/papers")).json()["total"] == 0
        assert publisher.running
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)
    assert not publisher.running  # stopped on the way out
    assert "academichub-users" in cluster.indices  # the indices were created at start
    cluster.assert_clean()


async def test_broker_probe_answers_for_a_live_broker_and_not_for_a_dead_one(
    broker: BrokerUnderTest,
) -> None:
    await KafkaBrokerProbe(broker.bootstrap_servers, timeout_seconds=5).check()
    dead = KafkaBrokerProbe(f"127.0.0.1:{free_port()}", timeout_seconds=1)
    with pytest.raises(BrokerUnavailable, match="did not answer"):
        await dead.check()
