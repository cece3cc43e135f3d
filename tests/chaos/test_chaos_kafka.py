"""The broker faults of the chaos suite on Apache Kafka (issue 13.8-9), when the kit is
given (``ACADEMICHUB_TEST_KAFKA``, tests/support/brokers.py): Kafka keeps its logs across a
restart, unlike Tansu, so what is tested is that nothing in flight is lost or doubled when
producers and consumers lose it for a while and find it again, and that a consumer whose
broker is away says it is not ready. The table goes to ``test-artifacts/chaos-kafka.md``.

The broker restart and the poison run here (the consumers' offsets, dead letters and a
lost connection are where the brokers differ); the service faults do not depend on the
broker's kind and one Kafka node already costs the machine a JVM: they run on Tansu
(test_chaos.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.chaos.scenarios import (
    broker_restart_mid_stream,
    poison_of_every_kind,
    start_day_zero,
    world_on,
)
from tests.chaos.world import World
from tests.support.brokers import make_broker, why_no_kafka

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    if (reason := why_no_kafka()) is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("chaos-kafka")
    broker = make_broker("kafka", folder / "kafka-broker")
    with world_on(broker, folder, request, "chaos-kafka.md") as world:
        yield world


def test_day_zero_on_kafka(world: World) -> None:
    start_day_zero(world, stored_at_least=1)
    world.settle("day 0 (Kafka)", since=time.monotonic())


def test_broker_restart_mid_stream_on_kafka(world: World) -> None:
    broker_restart_mid_stream(world, day=1)


def test_poison_of_every_kind_on_kafka(world: World) -> None:
    poison_of_every_kind(world, lambda: world.publish_rss_day(2))
