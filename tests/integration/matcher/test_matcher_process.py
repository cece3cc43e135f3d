"""``academichub matcher`` as a process on the real broker: ready once its radars are
loaded, both consumers poll and the broker answers; live while they poll; SIGTERM stops
it cleanly; it writes nothing into the directory it runs in."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.brokers import BrokerUnderTest
from tests.support.system import running_system

pytestmark = pytest.mark.integration


def test_the_matcher_is_ready_when_consuming_and_stops_on_sigterm(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    with running_system(tmp_path, broker) as system:
        port = system.env["MATCHER_WEB_PORT"]
        out = (system.log_dir / "matcher.log").open("ab")
        system.processes["matcher"] = subprocess.Popen(
            [sys.executable, "-m", "academichub.cli.main", "matcher"],
            env=system.env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()

        def ready() -> dict[str, object] | None:
            answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            body: dict[str, object] = answer.json()
            return body if answer.status_code == 200 else None

        body = system.wait_for("the matcher to be ready", ready)
        assert body["checks"] == {
            "radars": "ok",
            "consumer papers": "ok",
            "consumer radars": "ok",
            "store": "ok",
            "broker": "ok",
        }
        live = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        assert live.status_code == 200
        assert live.json()["checks"] == {"consumer papers": "ok", "consumer radars": "ok"}
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        assert 'academichub_consumer_last_poll_timestamp_seconds{topic="papers"}' in metrics
        assert 'academichub_consumer_last_poll_timestamp_seconds{topic="radars"}' in metrics

        assert system.stop("matcher", sig=signal.SIGTERM, grace=30) == 0
        log = system.log("matcher")
        assert "matcher stopped" in log
        assert "Traceback" not in log
    assert list(workdir.iterdir()) == []  # no data folder of its own in the cwd
