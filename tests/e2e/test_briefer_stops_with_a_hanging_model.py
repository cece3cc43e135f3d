"""SIGTERM stops a real `academichub briefer` process within its grace period while a model
call hangs: the call is cancelled (the model server sees the client hang up), the process
exits 0, and the window stays open in the store for the next start.

Before: the closer waited for the model between windows only, so a hanging or slow model
kept a stopping briefer for its whole timeout and retries (over 20 s in issue 13)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from pathlib import Path

import pytest

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Match, Paper, Radar, TopicName
from academichub.store.embedded import EmbeddedStore
from tests.integration.briefer.chat_server import Reply, serve_chat
from tests.support.brokers import BrokerUnderTest
from tests.support.system import running_system

pytestmark = pytest.mark.e2e

NOW = dt.datetime.now(dt.UTC)
IDS = ("arxiv:2606.00001", "arxiv:2606.00002")
HANG = 600.0  # the model never answers while the test runs
GRACE = 30.0  # the longest the test waits before killing the process (k8s gives it 90 s)


def prepare_store(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir, index_writer=True)
    try:
        store.radars.put_radar(
            Radar(
                id="r1",
                owner="ops",
                name="Codes",
                query="surface code",
                language="en",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        store.papers.upsert_papers(
            [
                Paper(
                    id=pid,
                    version=1,
                    source="arxiv",
                    title=f"Surface codes, part {n}",
                    abstract=f"We show lattice surgery result {n} for surface codes.",
                    categories=("quant-ph",),
                    published=NOW.date(),
                )
                for n, pid in enumerate(IDS, start=1)
            ]
        )
    finally:
        store.close()


async def send_matches(bootstrap_servers: str) -> None:
    publisher = KafkaPublisher(bootstrap_servers, client_id="e2e")
    await publisher.start()
    try:
        matches = [
            Match(radar_id="r1", paper_id=pid, version=1, score=1.0, matched_at=NOW) for pid in IDS
        ]
        await publisher.publish_many(TopicName.MATCHES, [("r1", m) for m in matches])
    finally:
        await publisher.stop()


def test_sigterm_stops_the_briefer_and_cancels_its_hanging_model_call(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    with (
        serve_chat() as chat,
        running_system(
            tmp_path,
            broker,
            OPENAI_BASE_URL=chat.base_url,
            OPENAI_MODEL="e2e-model",
            BRIEFER_WINDOW_MAX_PAPERS="2",
            BRIEFER_CHECK_INTERVAL_SECONDS="0.2",
            # Nothing but a cancellation can end the call: no timeout, no deadline first.
            BRIEFER_LLM_TIMEOUT_SECONDS="600",
            BRIEFER_MODEL_DEADLINE_SECONDS="600",
        ) as system,
    ):
        chat.responder = lambda body: Reply(content="{}", delay=HANG)
        prepare_store(system.data_dir)
        asyncio.run(send_matches(broker.bootstrap_servers))
        system.start("briefer")
        assert chat.received.wait(90), system.log("briefer")[-3000:]  # a call is in flight

        code = system.stop("briefer", signal.SIGTERM, grace=GRACE)

        log = system.log("briefer")
        assert code == 0, log[-3000:]  # -9 would mean it outlived the grace and was killed
        assert chat.hung_up.wait(10), log[-3000:]  # the in-flight call was cancelled
        assert "briefer stopped" in log

    store = EmbeddedStore(system.data_dir, index_writer=False)
    try:
        assert [w.radar_id for w in store.briefings.open_windows()] == ["r1"]
        assert store.briefings.briefings_for_radar("r1") == []
    finally:
        store.close()
