"""The pacer keeps arXiv's rule: one request at a time, three seconds apart, per host."""

from __future__ import annotations

import asyncio
import itertools

from academichub.ingestor.domain.politeness import HostPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_requests_to_one_host_are_spaced_by_its_interval() -> None:
    clock = FakeClock()
    pacer = HostPacer({"rss.arxiv.org": 3.0}, 1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(3):
        async with pacer.slot("https://rss.arxiv.org/rss/cs.AI"):
            starts.append(clock.now)
            clock.now += 0.5  # the request itself takes half a second
    assert [b - a for a, b in itertools.pairwise(starts)] == [3.0, 3.0]
    assert clock.slept == [2.5, 2.5]


async def test_other_hosts_use_their_own_interval_and_do_not_wait_for_arxiv() -> None:
    clock = FakeClock()
    pacer = HostPacer({"rss.arxiv.org": 3.0}, 1.0, clock=clock, sleep=clock.sleep)
    async with pacer.slot("https://rss.arxiv.org/rss/cs.AI"):
        pass
    async with pacer.slot("https://api.crossref.org/works/x"):
        pass
    assert clock.slept == []
    async with pacer.slot("https://api.crossref.org/works/y"):
        pass
    assert clock.slept == [1.0]


async def test_one_connection_at_a_time_per_host() -> None:
    pacer = HostPacer({}, 0.0)
    inside = 0
    most = 0

    async def request() -> None:
        nonlocal inside, most
        async with pacer.slot("https://export.arxiv.org/api/query"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(request() for _ in range(5)))
    assert most == 1
