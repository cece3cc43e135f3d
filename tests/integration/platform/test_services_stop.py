"""Every service, as the process ``academichub <service>`` runs, becomes ready, then stops
cleanly on SIGTERM (exit code 0, well before the 30 s after which the test kills it),
closing what it opened: the one composition-root shape at work in all four."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.support.brokers import BrokerUnderTest
from tests.support.system import running_system

pytestmark = pytest.mark.integration

# The port variable each service serves /readyz on.
READY_PORT = {
    "ingestor": "INGESTOR_METRICS_PORT",
    "matcher": "MATCHER_WEB_PORT",
    "briefer": "BRIEFER_METRICS_PORT",
    "gateway": "GATEWAY_PORT",
}


@pytest.mark.parametrize("service", sorted(READY_PORT))
def test_a_service_is_ready_then_stops_on_sigterm(
    service: str, broker: BrokerUnderTest, tmp_path: Path
) -> None:
    with running_system(
        tmp_path,
        broker,
        ACADEMICHUB_OFFLINE="1",  # the ingestor replays its bundled recordings: no network
        ACADEMICHUB_STOP_GRACE_SECONDS="3",
    ) as system:
        port = system.env[READY_PORT[service]]
        system.start(service)
        system.wait_for(
            f"{service} to be ready",
            lambda: httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200,
        )
        assert system.stop(service, sig=signal.SIGTERM, grace=30) == 0
        log = system.log(service)
        assert f"{service} stopped" in log
        assert "Traceback" not in log
