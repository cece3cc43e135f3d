"""The shape every service's composition root shares: how a process starts and stops.

Each service has ``serve(settings, *, stop=None, ...)``: an ``AsyncExitStack`` that opens
everything in order and closes it in reverse, then its loops run together until ``stop``
is set. ``main()`` reads the settings and runs it::

    def main() -> None:
        run_main("matcher", MatcherSettings, serve)

    async def serve(settings, *, stop=None, registry=REGISTRY) -> None:
        async with contextlib.AsyncExitStack() as stack:
            stop = stack.enter_context(stop_on_signals(stop))
            ...  # open, start, push the matching close on the stack
            await run_until_stopped(stop, {"papers": loop.run(stop), ...}, grace_seconds=...)

* SIGINT and SIGTERM set ``stop`` (:func:`stop_on_signals`); each loop finishes the work
  in hand (a batch, a window) and returns. Loops still running ``grace_seconds`` after
  ``stop`` are cancelled (:func:`run_until_stopped`), so a process stops within its grace
  period whatever it was waiting for.
* A loop that fails (a bug, the broker or store gone) cancels the others; everything is
  closed in reverse order and the failure ends the process, loudly.
* Nothing happens at import; ``main`` builds the process's metrics once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

from pydantic_settings import BaseSettings

from academichub.platform.settings import CommonSettings, load_settings

log = logging.getLogger(__name__)

S = TypeVar("S", bound=BaseSettings)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event | None = None) -> Iterator[asyncio.Event]:
    """``stop`` when given (a test's, or an embedding program's: no signal is touched);
    otherwise a new event that SIGINT and SIGTERM set, for as long as the block runs."""
    if stop is not None:
        yield stop
        return
    loop = asyncio.get_running_loop()
    event = asyncio.Event()

    def received(sig: signal.Signals) -> None:
        log.info("%s: stopping", sig.name)
        event.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, received, sig)
    try:
        yield event
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


async def run_until_stopped(
    stop: asyncio.Event,
    loops: Mapping[str, Coroutine[Any, Any, None]],
    *,
    grace_seconds: float,
) -> None:
    """Run ``loops`` together until every one has returned (each watches ``stop``).

    ``grace_seconds`` after ``stop`` is set, the loops still running are cancelled. If a
    loop fails, the others are cancelled and its failure propagates.
    """
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(coro, name=name) for name, coro in loops.items()]
        deadline = group.create_task(_cancel_after_grace(stop, grace_seconds, tasks))
        await asyncio.wait(tasks)
        deadline.cancel()


async def _cancel_after_grace(
    stop: asyncio.Event, grace_seconds: float, tasks: list[asyncio.Task[None]]
) -> None:
    await stop.wait()
    await asyncio.sleep(grace_seconds)
    late = [task.get_name() for task in tasks if not task.done()]
    if late:
        log.error("%s did not stop within %gs: cancelled", ", ".join(late), grace_seconds)
    for task in tasks:
        task.cancel()


def run_main(name: str, settings_class: type[S], serve: Callable[[S], Awaitable[None]]) -> None:
    """Read ``settings_class`` from the environment, configure logging at its
    ``common.log_level``, and run ``serve`` until it returns.

    A :class:`ConfigError` (a bad variable, named; a port in use; an index writer held)
    propagates to the command line, which prints it and exits with 2; any other failure
    is a bug or an outage and ends the process with its traceback.
    """
    settings = load_settings(settings_class)
    common = getattr(settings, "common", None)
    logging.basicConfig(
        level=(common.log_level if isinstance(common, CommonSettings) else "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log.info("%s starting", name)
    asyncio.run(_awaited(serve(settings)))


async def _awaited(work: Awaitable[None]) -> None:
    await work
