"""Long-lived structures are built without collections and frozen afterwards."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from academichub.platform.heap import building_long_lived


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # give the test process's objects back to the collector
    gc.enable()


class Node:
    def __init__(self) -> None:
        self.peer: Node | None = None


def test_objects_built_inside_are_frozen_and_collection_resumes() -> None:
    gc.enable()
    frozen_before = gc.get_freeze_count()
    with building_long_lived():
        assert not gc.isenabled()  # no collection walks the structure while it grows
        kept = [Node() for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(kept)


def test_garbage_made_inside_is_collected_not_frozen() -> None:
    with building_long_lived():
        cycle = Node()
        cycle.peer = cycle
        watch = weakref.ref(cycle)
        del cycle
        assert watch() is not None  # only the collector frees a cycle
    assert watch() is None


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    with building_long_lived():
        pass
    assert not gc.isenabled()
