"""The ingestor process killed mid-harvest and started again: nothing published twice,
nothing missed. Real `academichub ingestor` processes, real HTTP, the real broker."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from academichub.contracts import TopicName
from academichub.ingestor.domain import pages
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import FeedServer, Route, serve_feeds
from tests.support.kafka import read_topic
from tests.support.paged import oai_pages, oai_record_ids

pytestmark = pytest.mark.e2e
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
TOKEN_1 = "/oai?verb=ListRecords&resumptionToken=t1"
TOKEN_2 = "/oai?verb=ListRecords&resumptionToken=t2"


def start_ingestor(
    broker: BrokerUnderTest, data: Path, server: FeedServer, log: Path
) -> subprocess.Popen[bytes]:
    feeds = [
        {
            "name": "arxiv-oai",
            "format": "arxiv-oai",
            "url": server.url("/oai?set=physics:hep-th"),
            "lookback_days": 2,
        }
    ]
    env = os.environ | {
        "ACADEMICHUB_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ACADEMICHUB_DATA_DIR": str(data),
        "INGESTOR_FEEDS": json.dumps(feeds),
        "INGESTOR_METRICS_PORT": "0",
        "INGESTOR_HOST_MIN_INTERVAL_SECONDS": "{}",
        "INGESTOR_DEFAULT_MIN_INTERVAL_SECONDS": "0",
        "INGESTOR_POLL_INTERVAL_SECONDS": "3600",
    }
    out = open(log, "ab")  # noqa: SIM115 - owned by the child
    return subprocess.Popen([ACADEMICHUB, "ingestor"], env=env, stdout=out, stderr=out)


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_killed_ingestor_resumes_its_harvest_without_duplicates_or_gaps(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    bodies = oai_pages([120, 80, 50])
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
    with serve_feeds({}) as server:
        first = pages.oai_first(server.url("/oai?set=physics:hep-th"), since=since)
        first_path = first.removeprefix(server.url(""))
        server.routes[first_path] = Route(bodies[0], "text/xml")
        # The second page hangs: the process is killed while it waits for it.
        server.routes[TOKEN_1] = Route(bodies[1], "text/xml", delay_seconds=30)
        server.routes[TOKEN_2] = Route(bodies[2], "text/xml")
        log = tmp_path / "ingestor.log"
        crashed = start_ingestor(broker, tmp_path / "data", server, log)
        try:
            wait_for(lambda: any(p == TOKEN_1 for p, _, _ in server.requests), 60, "page 2")
        finally:
            crashed.send_signal(signal.SIGKILL)
            crashed.wait(10)

        server.routes[TOKEN_1] = Route(bodies[1], "text/xml")
        server.requests.clear()
        restarted = start_ingestor(broker, tmp_path / "data", server, log)
        try:
            wait_for(lambda: any(p == TOKEN_2 for p, _, _ in server.requests), 60, "page 3")
            events = await read_topic(
                broker.bootstrap_servers, TopicName.PAPERS, expect=251, within=15
            )
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(20)

    # The restarted process went on from page 2: page 1 was not asked for again.
    assert [p for p, _, _ in server.requests][:2] == [TOKEN_1, TOKEN_2], log.read_text()[-2000:]
    keys = [str(key) for key, _ in events]
    expected = [f"arxiv:{i}" for body in bodies for i in oai_record_ids(body)]
    assert len(keys) == len(set(keys)) == 250
    assert sorted(keys) == sorted(expected)
