"""Fixtures shared by every tier: paths to recorded fixtures, the real local brokers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.brokers import (
    BROKER_KINDS,
    BrokerKind,
    BrokerUnderTest,
    make_broker,
    why_no_kafka,
)

FIXTURES = Path(__file__).parent / "fixtures"
QUANT_PH_RSS = FIXTURES / "feeds" / "arxiv_rss" / "rss_2025-04-28_quant-ph_81items.xml"


@pytest.fixture(params=BROKER_KINDS)
def broker_kind(request: pytest.FixtureRequest) -> BrokerKind:
    """Every broker-facing test runs on Tansu, and on Apache Kafka when the kit is given."""
    kind: BrokerKind = request.param
    if kind == "kafka" and (reason := why_no_kafka()) is not None:
        pytest.skip(reason)
    return kind


@pytest.fixture
def broker(broker_kind: BrokerKind, tmp_path: Path) -> Iterator[BrokerUnderTest]:
    """A fresh real broker per test with the registry's topics (Tansu starts in
    milliseconds, one Kafka node in a few seconds)."""
    running = make_broker(broker_kind, tmp_path / f"{broker_kind}-broker")
    running.start()
    try:
        yield running
    finally:
        running.stop()
