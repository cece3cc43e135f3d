"""Start-up pieces of the composition root that need no broker: settings, waiting, wiring."""

from __future__ import annotations

import pytest

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import RadarChange, TopicName
from academichub.gateway.bootstrap import wait_for_broker
from academichub.gateway.settings import GatewaySettings
from academichub.platform.errors import ConfigError, TransientError
from academichub.platform.settings import load_settings


def test_port_comes_from_gateway_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9123")
    settings = load_settings(GatewaySettings)
    assert settings.port == 9123
    assert settings.host == "127.0.0.1"


def test_a_bad_port_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "eighty")
    with pytest.raises(ConfigError, match="GATEWAY_PORT"):
        load_settings(GatewaySettings)


async def test_waiting_for_the_broker_gives_up_naming_what_to_check() -> None:
    probe = FakeBrokerProbe(failure="Kafka at 127.0.0.1:1 did not answer")
    with pytest.raises(TransientError, match="ACADEMICHUB_BOOTSTRAP_SERVERS"):
        await wait_for_broker(probe, within=0.5)
    assert probe.calls >= 2  # it retried before giving up


async def test_waiting_for_the_broker_returns_once_it_answers() -> None:
    class HealsOnThirdCall(FakeBrokerProbe):
        async def check(self) -> None:
            if self.calls == 2:
                self.failure = None
            await super().check()

    probe = HealsOnThirdCall(failure="starting")
    await wait_for_broker(probe, within=30)
    assert probe.calls == 3


async def test_publishing_before_the_lifespan_started_is_a_wiring_error() -> None:
    publisher = KafkaPublisher("127.0.0.1:1", client_id="test")
    change = RadarChange(kind="delete", radar_id="r_1", revision=2)
    with pytest.raises(RuntimeError, match="before start"):
        await publisher.publish(TopicName.RADARS, "r_1", change)
    await publisher.stop()  # stopping what never started is harmless
