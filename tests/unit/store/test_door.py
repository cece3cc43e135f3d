"""The one door to the store from async code: where calls run, and what cancelling does."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from academichub.store.door import AsyncStore, StoreThreads


@dataclass
class Recorder:
    """A stand-in store that records the thread of every call."""

    opened_on: str = field(default_factory=lambda: threading.current_thread().name)
    calls: list[str] = field(default_factory=list)
    part: list[str] = field(default_factory=list)

    def where(self) -> str:
        name = threading.current_thread().name
        self.calls.append(name)
        return name


@pytest.fixture
def threads() -> Iterator[StoreThreads]:
    owned = StoreThreads(1, name="door-test")
    yield owned
    owned.close()


async def test_a_fake_is_called_inline_on_the_callers_thread() -> None:
    door = AsyncStore.inline(Recorder())
    here = threading.current_thread().name
    assert await door.run(lambda r: r.where()) == here
    assert door.call(lambda r: r.where()) == here
    assert door.inline_calls


async def test_a_blocking_store_is_opened_and_called_on_the_doors_own_thread(
    threads: StoreThreads,
) -> None:
    door = threads.open(Recorder)
    assert not door.inline_calls
    opened_on = door.call(lambda r: r.opened_on)
    assert opened_on.startswith("door-test")
    results = await asyncio.gather(*(door.run(lambda r: r.where()) for _ in range(5)))
    # One thread: every call, the opening included, on the same one, never on the loop's.
    assert set(results) == {opened_on}
    assert door.call(lambda r: r.where()) == opened_on


async def test_a_pool_runs_calls_side_by_side() -> None:
    pool = StoreThreads(2, name="door-pool")
    try:
        door = pool.open(Recorder)
        both_inside = threading.Barrier(2, timeout=5)

        def meet(_: Recorder) -> str:
            both_inside.wait()  # only returns once two calls run at the same time
            return threading.current_thread().name

        names = await asyncio.gather(door.run(meet), door.run(meet))
        assert len(set(names)) == 2
    finally:
        pool.close()


async def test_a_part_is_reached_on_the_same_threads(threads: StoreThreads) -> None:
    door = threads.open(Recorder)
    part = door.part(lambda r: r.part)
    await part.run(lambda calls: calls.append(threading.current_thread().name))
    assert door.call(lambda r: r.part) == [door.call(lambda r: r.opened_on)]


async def test_cancelling_a_caller_waits_for_the_call_to_finish(threads: StoreThreads) -> None:
    door = threads.open(Recorder)
    started, release = threading.Event(), threading.Event()
    written: list[str] = []

    def write(_: Recorder) -> None:
        started.set()
        release.wait(5)
        written.append("done")

    task = asyncio.create_task(door.run(write))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done(), "a cancelled write must not be reported before it ended"
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert written == ["done"]


async def test_a_probe_may_abandon_its_call_on_cancel(threads: StoreThreads) -> None:
    door = threads.open(Recorder)
    started, release = threading.Event(), threading.Event()

    def hang(_: Recorder) -> None:
        started.set()
        release.wait(5)

    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await door.run(hang, abandon_on_cancel=True)
        assert started.is_set()
    finally:
        release.set()


async def test_a_failure_is_raised_to_the_caller(threads: StoreThreads) -> None:
    door = threads.open(Recorder)

    def fail(_: Recorder) -> None:
        raise ValueError("the store said no")

    with pytest.raises(ValueError, match="the store said no"):
        await door.run(fail)


async def test_closed_threads_refuse_calls() -> None:
    owned = StoreThreads(1, name="door-closed")
    door = owned.open(Recorder)
    owned.close()
    owned.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await door.run(lambda r: r.where())


def test_a_store_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        StoreThreads(0)
