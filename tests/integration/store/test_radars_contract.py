"""The radars part: revisions, deletes that replays cannot undo, listings."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.store.port import Store
from tests.integration.store.factories import T0, radar

pytestmark = pytest.mark.integration


# --- radars -------------------------------------------------------------------------


def test_radar_revisions(store: Store) -> None:
    assert store.radars.put_radar(radar("r1", revision=1))
    assert not store.radars.put_radar(radar("r1", revision=1, query="replayed"))
    assert store.radars.put_radar(radar("r1", revision=3, query="newer"))
    assert not store.radars.put_radar(radar("r1", revision=2, query="late"))
    stored = store.radars.get_radar("r1")
    assert stored is not None
    assert (stored.revision, stored.query) == (3, "newer")
    assert store.radars.get_radar("missing") is None


def test_a_deleted_radar_is_not_resurrected_by_a_replay(store: Store) -> None:
    store.radars.put_radar(radar("r1", revision=2))
    assert store.radars.delete_radar("r1")
    assert not store.radars.delete_radar("r1")
    assert not store.radars.delete_radar("never-existed")
    assert store.radars.get_radar("r1") is None
    # Replaying the topic from the start: old upserts, and one as new as the delete.
    assert not store.radars.put_radar(radar("r1", revision=1))
    assert not store.radars.put_radar(radar("r1", revision=2))
    assert not store.radars.put_radar(radar("r1", revision=3))
    assert store.radars.list_radars() == []
    # A genuinely later revision (re-created after the delete) is stored.
    assert store.radars.put_radar(radar("r1", revision=4))
    assert store.radars.get_radar("r1") == radar("r1", revision=4)


def test_list_radars_oldest_first_by_owner(store: Store) -> None:
    late = radar("b", owner="alice", created_at=T0 + dt.timedelta(days=1))
    early = radar("z", owner="alice", created_at=T0)
    other = radar("a", owner="bob", created_at=T0)
    for r in (late, early, other):
        store.radars.put_radar(r)
    assert store.radars.list_radars() == [other, early, late]
    assert store.radars.list_radars("alice") == [early, late]
    assert store.radars.list_radars("carol") == []
