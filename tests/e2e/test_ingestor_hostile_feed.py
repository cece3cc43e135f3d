"""The crash loop of issue 13, reproduced with a real `academichub ingestor` process, a real
HTTP feed server and the real Tansu broker: one entry with a 1 MB abstract used to make an
event over the producer's 1 MiB limit, the process exited at it on every start, and the
entries after it and the feeds after it were never polled. Now the entry is truncated to
its bound, every feed is published, and the process keeps running until it is stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.contracts import Paper, TopicName
from academichub.contracts.bounds import PAPER_BOUNDS, TRUNCATION_MARKER
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.kafka import read_topic

pytestmark = pytest.mark.e2e
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
RSS = "application/rss+xml; charset=utf-8"


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([ACADEMICHUB, "ingestor"], env=env, stdout=out, stderr=out)


async def test_an_entry_with_a_one_megabyte_abstract_no_longer_stops_the_ingestor(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    recorded = QUANT_PH_RSS.read_bytes()
    huge = b"We show that the operator is self-adjoint. " * 25_000  # 1.1 MB
    big = re.sub(rb"(Abstract: )", lambda m: m.group(1) + huge, recorded, count=1)
    # The feed listed after it: the same entries under other ids.
    after = re.sub(rb"\b\d{2}(\d{2})\.(\d{4,5})", rb"26\1.\2", recorded)
    log = tmp_path / "ingestor.log"
    with serve_feeds({"/big": Route(big, RSS), "/after": Route(after, RSS)}) as server:
        feeds = [
            # The recording is from 2025, so the feeds look stale: no recovery through the
            # arXiv API (no traffic leaves 127.0.0.1).
            {
                "name": "arxiv-big",
                "format": "arxiv-rss",
                "url": server.url("/big"),
                "recover": False,
            },
            {
                "name": "arxiv-after",
                "format": "arxiv-rss",
                "url": server.url("/after"),
                "recover": False,
            },
        ]
        env = os.environ | {
            "ACADEMICHUB_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "ACADEMICHUB_DATA_DIR": str(tmp_path / "data"),
            "INGESTOR_FEEDS": json.dumps(feeds),
            "INGESTOR_METRICS_PORT": "0",
            "INGESTOR_HOST_MIN_INTERVAL_SECONDS": "{}",
            "INGESTOR_DEFAULT_MIN_INTERVAL_SECONDS": "0",
            "INGESTOR_POLL_INTERVAL_SECONDS": "3600",
        }
        ingestor = start(env, log)
        try:
            events = await read_topic(
                broker.bootstrap_servers, TopicName.PAPERS, expect=162, within=90
            )
            running = ingestor.poll() is None
        finally:
            ingestor.send_signal(signal.SIGTERM)
            code = ingestor.wait(30)

    output = log.read_text()
    assert running, output[-3000:]
    assert code == 0, output[-3000:]
    papers = [event for _, event in events if isinstance(event, Paper)]
    assert len({p.id for p in papers}) == 162, output[-3000:]
    (first,) = [p for p in papers if p.id == "arxiv:2504.17830"]
    assert len(first.abstract) <= PAPER_BOUNDS["abstract"].limit
    assert first.abstract.endswith(TRUNCATION_MARKER)
    assert "repaired truncated: abstract 1" in output
