"""Fixtures shared by every tier: paths to recorded fixtures, the real local broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.broker.local import LocalBroker

FIXTURES = Path(__file__).parent / "fixtures"
QUANT_PH_RSS = FIXTURES / "feeds" / "arxiv_rss" / "rss_2025-04-28_quant-ph_81items.xml"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A fresh real Tansu broker per test (it starts in milliseconds), topics created."""
    log = tmp_path / "tansu.log"
    with LocalBroker(log_path=log) as running:
        yield running
