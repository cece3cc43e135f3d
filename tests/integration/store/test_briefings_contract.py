"""The briefings part: windows open, fill and close exactly once."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.store.port import Store
from tests.integration.store.factories import P1, P2, P3, P4, T0, briefing, match

pytestmark = pytest.mark.integration

# --- briefing windows ---------------------------------------------------------------


def test_briefing_window_lifecycle(store: Store) -> None:
    first = match(P1, at=T0, score=0.3)
    second = match(P2, at=T0 + dt.timedelta(minutes=5), score=0.8)
    assert store.briefings.enqueue_for_briefing(first)
    assert store.briefings.enqueue_for_briefing(second)
    assert not store.briefings.enqueue_for_briefing(first)  # already queued
    [window] = store.briefings.open_windows()
    assert (window.radar_id, window.window, window.opened_at) == ("r1", 1, T0)
    assert [(i.paper_id, i.version, i.score, i.enqueued_at) for i in window.items] == [
        (P1, 1, 0.3, T0),
        (P2, 1, 0.8, T0 + dt.timedelta(minutes=5)),
    ]

    b1 = briefing("r1", 1, (P1, P2))
    assert store.briefings.close_window(b1, window.items)
    assert not store.briefings.close_window(b1, window.items)  # the window is already written
    assert store.briefings.open_windows() == []
    assert store.briefings.get_briefing(b1.id) == b1
    assert not store.briefings.enqueue_for_briefing(first)  # already briefed
    assert not store.briefings.enqueue_for_briefing(match(P1, at=T0 + dt.timedelta(days=1)))

    later = T0 + dt.timedelta(days=1)
    third = match(P3, at=later)
    assert store.briefings.enqueue_for_briefing(third)
    [window2] = store.briefings.open_windows()
    assert (window2.window, window2.opened_at, len(window2.items)) == (2, later, 1)
    b2 = briefing("r1", 2, (P3,))
    assert store.briefings.close_window(b2, window2.items)
    assert store.briefings.briefings_for_radar("r1") == [b2, b1]
    assert store.briefings.briefings_for_radar("r1", limit=1) == [b2]
    assert store.briefings.briefings_for_radar("r2") == []
    assert store.briefings.get_briefing("r1.w9") is None


def test_closing_part_of_a_window_leaves_the_rest_open(store: Store) -> None:
    items = [match(pid, at=T0 + dt.timedelta(minutes=i)) for i, pid in enumerate((P1, P2, P3))]
    for m in items:
        store.briefings.enqueue_for_briefing(m)
    store.briefings.enqueue_for_briefing(match(P4, radar_id="r2", at=T0))
    windows = store.briefings.open_windows()
    assert [(w.radar_id, w.window, len(w.items)) for w in windows] == [("r1", 1, 3), ("r2", 1, 1)]
    r1 = windows[0]
    # The briefing covers the first two; the third arrived while it was being written.
    assert store.briefings.close_window(briefing("r1", 1, (P1, P2)), r1.items[:2])
    [rest, untouched] = store.briefings.open_windows()
    assert (rest.radar_id, rest.window) == ("r1", 2)
    assert [i.paper_id for i in rest.items] == [P3]
    assert rest.opened_at == T0 + dt.timedelta(minutes=2)
    assert untouched.radar_id == "r2"
    assert untouched.window == 1
