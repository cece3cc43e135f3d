"""An ASGI app served by uvicorn as one of a service's loops, stopped by its stop event.

uvicorn's own ``serve()`` installs signal handlers and re-raises the signal once it has
shut down; inside a service the composition root owns the signals
(:mod:`academichub.platform.lifecycle`), so this server leaves them alone and stops when
``stop`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any, Literal

import uvicorn

from academichub.platform.errors import ConfigError

# uvicorn's exit code when the application's lifespan start-up fails.
STARTUP_FAILURE = 3


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the composition root's stop event stops this server


class StartupFailed(ConfigError):
    """The application's lifespan start-up failed; uvicorn logged why."""


async def serve_http(
    app: Any,
    *,
    host: str,
    port: int,
    stop: asyncio.Event,
    lifespan: Literal["on", "off"] = "off",
    **options: Any,
) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set, then shut down gracefully
    (requests under way are finished). Refusing to start is a :class:`ConfigError`."""
    config = uvicorn.Config(
        app, host=host, port=port, lifespan=lifespan, log_config=None, **options
    )
    server = _Server(config)

    async def stop_when_told() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_told())
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn exits when it cannot bind or start the app
        if exc.code == STARTUP_FAILURE:
            raise StartupFailed(f"the app on {host}:{port} failed to start") from None
        raise ConfigError(f"could not serve HTTP on {host}:{port} (see the log above)") from None
    finally:
        watcher.cancel()
