"""The gateway process freezes its start-up heap while it serves, and only then."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from academichub.gateway.process_heap import frozen_after_startup


def test_the_heap_is_frozen_after_the_inner_lifespan_started_and_thawed_after_it_stopped() -> None:
    seen: list[str] = []

    @asynccontextmanager
    async def inner(_: FastAPI) -> AsyncIterator[None]:
        seen.append(f"start, frozen={gc.get_freeze_count() > 0}")
        yield
        seen.append(f"stop, frozen={gc.get_freeze_count() > 0}")

    app = FastAPI(lifespan=frozen_after_startup(inner))
    with TestClient(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    # The inner lifespan starts before the freeze (what it builds is frozen too) and
    # stops after the thaw.
    assert seen == ["start, frozen=False", "stop, frozen=False"]


def test_without_an_inner_lifespan() -> None:
    with TestClient(FastAPI(lifespan=frozen_after_startup())):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
