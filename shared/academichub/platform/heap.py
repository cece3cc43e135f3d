"""The garbage collector and a process's big, long-lived structures.

A matcher holding 100,000 radars owns millions of objects that live as long as the
process. The cyclic collector walks every tracked object on each full collection: at
that size one pause takes most of a second, and loading the radars triggers dozens.
Such structures are built with the collector paused and then frozen (:func:`gc.freeze`,
made for this): later collections skip them, and radars added afterwards are collected
as usual.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["building_long_lived"]


@contextlib.contextmanager
def building_long_lived() -> Iterator[None]:
    """Build what is made inside without collections, then freeze all that survives."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Collected once first: garbage frozen with the rest would never be freed.
        gc.collect()
        gc.freeze()
        if was_enabled:
            gc.enable()
