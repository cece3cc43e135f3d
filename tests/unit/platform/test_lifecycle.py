"""The composition roots' shared shape: loops that stop when told, within a grace period."""

from __future__ import annotations

import asyncio
import signal

import pytest

from academichub.platform.lifecycle import run_until_stopped, stop_on_signals


async def test_loops_that_watch_stop_end_together() -> None:
    stop = asyncio.Event()
    finished: list[str] = []

    async def loop(name: str) -> None:
        await stop.wait()
        finished.append(name)

    runner = asyncio.create_task(
        run_until_stopped(stop, {"a": loop("a"), "b": loop("b")}, grace_seconds=5)
    )
    await asyncio.sleep(0.01)
    assert not runner.done()
    stop.set()
    await asyncio.wait_for(runner, 5)
    assert sorted(finished) == ["a", "b"]


async def test_a_loop_still_busy_after_the_grace_period_is_cancelled() -> None:
    stop = asyncio.Event()
    cleaned: list[str] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)  # a model call that never answers
        finally:
            cleaned.append("stubborn")

    async def polite() -> None:
        await stop.wait()

    runner = asyncio.create_task(
        run_until_stopped(stop, {"stubborn": stubborn(), "polite": polite()}, grace_seconds=0.05)
    )
    stop.set()
    await asyncio.wait_for(runner, 5)  # returns: the stubborn loop was cancelled
    assert cleaned == ["stubborn"]


async def test_a_failing_loop_cancels_the_others_and_propagates() -> None:
    stop = asyncio.Event()
    cancelled: list[str] = []

    async def failing() -> None:
        raise RuntimeError("the store is gone")

    async def other() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append("other")
            raise

    with pytest.raises(ExceptionGroup) as caught:
        await run_until_stopped(stop, {"a": failing(), "b": other()}, grace_seconds=5)
    assert caught.group_contains(RuntimeError, match="the store is gone")
    assert cancelled == ["other"]


async def test_a_given_stop_event_is_used_and_no_signal_is_touched() -> None:
    before = signal.getsignal(signal.SIGTERM)
    given = asyncio.Event()
    with stop_on_signals(given) as stop:
        assert stop is given
        assert signal.getsignal(signal.SIGTERM) is before


async def test_sigterm_sets_the_stop_event_while_the_block_runs() -> None:
    with stop_on_signals() as stop:
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 5)
    loop = asyncio.get_running_loop()
    assert not loop.remove_signal_handler(signal.SIGTERM)  # removed on the way out
