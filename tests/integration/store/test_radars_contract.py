"""The radars part: revisions, deletes that replays cannot undo, listings; the outbox of
unannounced changes; one radar per idempotency key."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.store.port import KeyedRadar, RequestKey, Store
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


# --- the outbox of radar changes ----------------------------------------------------


def test_every_radar_change_is_unannounced_until_marked(store: Store) -> None:
    assert store.radars.unannounced_changes() == []
    first = radar("r1", revision=1)
    assert store.radars.put_radar(first)
    (change,) = store.radars.unannounced_changes()
    assert (change.kind, change.radar_id, change.revision, change.radar) == (
        "upsert",
        "r1",
        1,
        first,
    )
    store.radars.mark_announced("r1", 1)
    assert store.radars.unannounced_changes() == []
    # A refused write (a replay) announces nothing.
    assert not store.radars.put_radar(radar("r1", revision=1, query="replayed"))
    assert store.radars.unannounced_changes() == []


def test_only_a_radars_latest_change_waits_and_an_older_mark_leaves_it(store: Store) -> None:
    store.radars.put_radar(radar("r1", revision=1))
    store.radars.put_radar(radar("r1", revision=2, query="newer"))
    (change,) = store.radars.unannounced_changes()
    assert (change.revision, change.radar and change.radar.query) == (2, "newer")
    store.radars.mark_announced("r1", 1)  # a late acknowledgement of the first revision
    assert [c.revision for c in store.radars.unannounced_changes()] == [2]
    assert store.radars.delete_radar("r1")
    (deleted,) = store.radars.unannounced_changes()
    assert (deleted.kind, deleted.radar_id, deleted.revision, deleted.radar) == (
        "delete",
        "r1",
        3,
        None,
    )
    store.radars.mark_announced("r1", 3)
    store.radars.mark_announced("never", 1)  # nothing to mark: no error
    assert store.radars.unannounced_changes() == []


def test_unannounced_changes_are_limited(store: Store) -> None:
    for n in range(5):
        store.radars.put_radar(radar(f"r{n}"))
    assert len(store.radars.unannounced_changes(limit=3)) == 3
    assert {c.radar_id for c in store.radars.unannounced_changes()} == {f"r{n}" for n in range(5)}


# --- one radar per idempotency key ----------------------------------------------------


def key(
    k: str = "k1", *, scope: str = "alice", fingerprint: str = "f1", hours: int = 24
) -> RequestKey:
    return RequestKey(scope, k, fingerprint, T0 + dt.timedelta(hours=hours))


def test_a_key_makes_one_radar_and_a_retry_gets_it_back(store: Store) -> None:
    made = store.radars.put_radar_once(radar("r1"), key(), T0)
    assert made == KeyedRadar(radar("r1"), created=True)
    assert store.radars.get_radar("r1") == radar("r1")
    # The retry carries a new random id: nothing is written, the first radar comes back.
    again = store.radars.put_radar_once(radar("r2"), key(), T0 + dt.timedelta(minutes=1))
    assert again == KeyedRadar(radar("r1"), created=False, same_request=True)
    assert store.radars.get_radar("r2") is None
    # The same key for another request says so, and writes nothing.
    other = store.radars.put_radar_once(
        radar("r3"), key(fingerprint="f2"), T0 + dt.timedelta(minutes=2)
    )
    assert other == KeyedRadar(radar("r1"), created=False, same_request=False)
    assert [r.id for r in store.radars.list_radars()] == ["r1"]


def test_keys_are_scoped_per_user_and_expire(store: Store) -> None:
    assert store.radars.put_radar_once(radar("r1"), key(hours=1), T0) is not None
    bob = store.radars.put_radar_once(radar("r2", owner="bob"), key(scope="bob"), T0)
    assert bob is not None
    assert bob.created
    later = T0 + dt.timedelta(hours=2)  # alice's key expired: it is free again
    fresh = store.radars.put_radar_once(radar("r3"), key(hours=30), later)
    assert fresh is not None
    assert fresh.created
    assert {r.id for r in store.radars.list_radars()} == {"r1", "r2", "r3"}


def test_a_taken_id_under_a_new_key_writes_nothing(store: Store) -> None:
    store.radars.put_radar(radar("r1"))
    assert store.radars.put_radar_once(radar("r1", query="other"), key(), T0) is None
    stored = store.radars.get_radar("r1")
    assert stored is not None
    assert stored.query == "quantum"
    # The key was not spent on it.
    made = store.radars.put_radar_once(radar("r2"), key(), T0)
    assert made is not None
    assert made.created
