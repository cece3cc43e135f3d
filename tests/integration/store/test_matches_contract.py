"""The matches part: recorded once, emitted once, per version, best first."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import NearestPaper
from academichub.contracts.match_groups import flatten, regroup
from academichub.store.port import BackfillMark, Store
from tests.integration.store.factories import P1, P2, P3, P4, T0, match

pytestmark = pytest.mark.integration

# --- matches ------------------------------------------------------------------------


def test_matches_are_recorded_once_and_emitted_once(store: Store) -> None:
    m1, m2 = match(P1, score=0.5), match(P2, score=0.9)
    assert store.matches.record_matches([m1, m2]) == [m1, m2]
    # Not emitted yet (a crash before producing): a replay hands them back, as first stored.
    replay = match(P1, score=0.1)
    assert store.matches.record_matches([replay, m2]) == [m1, m2]
    store.matches.mark_emitted(regroup([m1]))
    assert store.matches.record_matches([m1, m2]) == [m2]
    store.matches.mark_emitted(regroup([m2]))
    assert store.matches.record_matches([m1, m2]) == []
    assert store.matches.matches_for_radar("r1") == [m2, m1]


def test_versions_match_separately(store: Store) -> None:
    v1, v2 = match(P1, version=1), match(P1, version=2)
    assert store.matches.record_matches([v1, v2]) == [v1, v2]
    store.matches.mark_emitted(regroup([v1]))
    assert store.matches.record_matches([v1, v2]) == [v2]
    assert store.matches.versions_matched(P1, ["r1"]) == {"r1": {1, 2}}
    assert store.matches.versions_matched(P2, ["r1"]) == {}
    assert store.matches.versions_matched(P1, ["r2"]) == {}
    none_version = match(P4, version=None)
    assert store.matches.record_matches([none_version]) == [none_version]
    store.matches.mark_emitted(regroup([none_version]))
    assert store.matches.record_matches([none_version]) == []
    assert store.matches.versions_matched(P4, ["r1"]) == {"r1": {None}}


def test_matches_for_radar_best_first_since_and_limit(store: Store) -> None:
    old = match(P1, score=0.9, at=T0)
    new_low = match(P2, score=0.2, at=T0 + dt.timedelta(hours=2))
    new_high = match(P3, score=0.7, at=T0 + dt.timedelta(hours=1))
    other_radar = match(P4, radar_id="r2", score=1.0)
    store.matches.record_matches([old, new_low, new_high, other_radar])
    assert store.matches.matches_for_radar("r1") == [old, new_high, new_low]
    assert store.matches.matches_for_radar("r1", limit=2) == [old, new_high]
    since = T0 + dt.timedelta(hours=1)
    assert store.matches.matches_for_radar("r1", since=since) == [new_high, new_low]
    assert store.matches.matches_for_radar("r2") == [other_radar]
    assert store.matches.matches_for_radar("nobody") == []


def test_found_matches_are_recorded_per_paper_with_what_each_carries(store: Store) -> None:
    keyword = match(P1, radar_id="r1", score=0.5)
    semantic = match(P1, radar_id="r2", score=0.8).model_copy(
        update={
            "score_kind": "similarity",
            "terms": (),
            "nearest": (NearestPaper(paper_id=P2, similarity=0.71),),
        }
    )
    (group,) = regroup([keyword, semantic])
    group.new_paper = True  # stored just now: nothing to look up
    assert flatten(store.matches.record_found([group])) == [keyword, semantic]
    # The paper seen again: what is recorded is handed back, as first recorded, until emitted.
    (again,) = regroup([keyword.model_copy(update={"score": 0.1}), semantic])
    assert flatten(store.matches.record_found([again])) == [keyword, semantic]
    store.matches.mark_emitted([group])
    assert store.matches.record_found([again]) == []
    assert store.matches.versions_matched(P1, ["r1", "r2", "r3"]) == {"r1": {1}, "r2": {1}}
    assert store.matches.matches_for_radar("r2") == [semantic]


# --- retraction and backfill marks ----------------------------------------------------


def test_retracted_matches_are_gone_and_leave_the_open_window(store: Store) -> None:
    kept, gone, v2 = match(P1), match(P2), match(P2, version=2)
    other = match(P2, radar_id="r2")
    store.matches.record_matches([kept, gone, v2, other])
    store.matches.mark_emitted(regroup([kept, gone, other]))
    for m in (kept, gone, other):
        store.briefings.enqueue_for_briefing(m)
    assert sorted(store.matches.match_keys("r1")) == sorted([kept.key, gone.key, v2.key])

    assert store.matches.retract_matches([gone.key, gone.key, match(P3).key]) == 1
    assert sorted(store.matches.match_keys("r1")) == sorted([kept.key, v2.key])
    assert store.matches.versions_matched(P2, ["r1"]) == {"r1": {2}}
    assert store.matches.match_keys("r2") == [other.key]
    windows = {w.radar_id: [i.paper_id for i in w.items] for w in store.briefings.open_windows()}
    assert windows == {"r1": [P1], "r2": [P2]}
    # Retracted, it is owed to no window; matched again later (a query changed back), it
    # is recorded afresh and owed again.
    everything = T0 + dt.timedelta(days=1)
    assert gone not in store.matches.unqueued_matches(everything)
    assert store.matches.record_matches([gone]) == [gone]
    assert gone in store.matches.unqueued_matches(everything)

    assert store.matches.retract_matches([kept.key]) == 1
    assert {w.radar_id for w in store.briefings.open_windows()} == {"r2"}  # r1's emptied


def test_a_backfill_mark_is_kept_per_radar_newest_revision_wins(store: Store) -> None:
    assert store.matches.backfill_mark("r1") is None
    first = BackfillMark("r1", 2, "qubit", dt.date(2026, 5, 14), dt.date(2026, 6, 12), 7, T0)
    store.matches.mark_backfilled(first)
    assert store.matches.backfill_mark("r1") == first
    older = BackfillMark("r1", 1, "quantum", dt.date(2026, 5, 1), dt.date(2026, 5, 30), 3, T0)
    store.matches.mark_backfilled(older)  # a replica late with an older revision
    assert store.matches.backfill_mark("r1") == first
    newer = BackfillMark("r1", 3, "qubit AND decoder", first.first_day, first.last_day, 2, T0)
    store.matches.mark_backfilled(newer)
    assert store.matches.backfill_mark("r1") == newer
    assert store.matches.backfill_mark("r2") is None
    store.matches.forget_backfill("r1")
    store.matches.forget_backfill("r1")  # idempotent
    assert store.matches.backfill_mark("r1") is None


def test_matches_wait_unqueued_until_the_briefer_confirms_them(store: Store) -> None:
    early = match(P1, at=T0)
    late = match(P2, at=T0 + dt.timedelta(minutes=10))
    other = match(P3, radar_id="r2", at=T0 + dt.timedelta(minutes=5))
    store.matches.record_matches([late, early, other])
    cutoff = T0 + dt.timedelta(minutes=7)
    assert store.matches.unqueued_matches(cutoff) == [early, other]  # oldest first
    assert store.matches.unqueued_matches(cutoff, limit=1) == [early]
    store.matches.mark_emitted(regroup([early]))  # emitted is not queued
    store.matches.mark_queued([early, early])
    store.matches.mark_queued([match(P4)])  # never recorded: nothing to confirm
    assert store.matches.unqueued_matches(cutoff) == [other]
    everything = T0 + dt.timedelta(hours=1)
    assert store.matches.unqueued_matches(everything) == [other, late]
    # A replay records nothing new, and leaves what was confirmed confirmed.
    store.matches.record_matches([early, late])
    store.matches.mark_queued([other, late])
    assert store.matches.unqueued_matches(everything) == []


# --- marks per group ------------------------------------------------------------------
# A group: the matches of one paper version recorded at one matched_at (one FoundMatches).


def test_a_group_marked_emitted_in_part_owes_the_rest(store: Store) -> None:
    a, b, c = (match(P1, radar_id=r) for r in ("r1", "r2", "r3"))
    (group,) = regroup([a, b, c])
    store.matches.record_found([group])
    # A store keeping marks per group may mark nothing here; none may mark the rest.
    store.matches.mark_emitted(regroup([a]))
    assert {b, c} <= set(store.matches.record_matches([a, b, c]))
    store.matches.mark_emitted([group])
    assert store.matches.record_matches([a, b, c]) == []


def test_a_group_recorded_again_at_the_same_instant_owes_its_new_matches(store: Store) -> None:
    # Two backfills started at one instant record the same paper version for two radars.
    first, second = match(P1, radar_id="r1"), match(P1, radar_id="r2")
    store.matches.record_matches([first])
    store.matches.mark_emitted(regroup([first]))
    store.matches.mark_queued([first])
    assert store.matches.record_matches([second]) == [second]
    everything = T0 + dt.timedelta(days=1)
    assert second in store.matches.unqueued_matches(everything)
    # A replay of the second: handed back until its group is marked (the first may be too).
    assert second in store.matches.record_matches([first, second])
    store.matches.mark_emitted(regroup([first, second]))
    assert store.matches.record_matches([first, second]) == []
    store.matches.mark_queued([second])
    assert first not in store.matches.unqueued_matches(everything)  # confirmed before
    store.matches.mark_queued([first])
    assert store.matches.unqueued_matches(everything) == []


def test_a_group_confirmed_queued_in_parts_is_queued_once_all_of_it_is(store: Store) -> None:
    # A group's events are split per partition, and an older matcher sent single matches:
    # the briefer confirms a group a few matches at a time, in any order, some twice.
    a, b, c = (match(P1, radar_id=r) for r in ("r1", "r2", "r3"))
    later = match(P1, radar_id="r4", at=T0 + dt.timedelta(minutes=1))  # another group
    store.matches.record_matches([a, b, c, later])
    everything = T0 + dt.timedelta(days=1)
    store.matches.mark_queued([b])
    assert store.matches.unqueued_matches(everything) == [a, c, later]
    store.matches.mark_queued([b, later])
    assert store.matches.unqueued_matches(everything) == [a, c]
    # One of the rest retracted: the group keeps its confirmations, the rest stays owed.
    assert store.matches.retract_matches([c.key]) == 1
    assert store.matches.unqueued_matches(everything) == [a]
    store.matches.mark_queued([a])
    assert store.matches.unqueued_matches(everything) == []
    # A replay of the batch records nothing new and leaves the group confirmed.
    store.matches.record_matches([a, b])
    assert store.matches.unqueued_matches(everything) == []


def test_a_group_retracted_in_part_keeps_its_marks_for_the_rest(store: Store) -> None:
    a, b = match(P1, radar_id="r1"), match(P1, radar_id="r2")
    (group,) = regroup([a, b])
    store.matches.record_found([group])
    store.matches.mark_emitted([group])
    store.matches.mark_queued([a, b])
    assert store.matches.retract_matches([a.key]) == 1
    assert store.matches.record_matches([b]) == []  # still emitted
    everything = T0 + dt.timedelta(days=1)
    assert store.matches.unqueued_matches(everything) == []
    # Recorded again (the radar's query changed back), the retracted one is owed afresh.
    again = match(P1, radar_id="r1", at=T0 + dt.timedelta(hours=1))
    assert store.matches.record_matches([again]) == [again]
    assert store.matches.unqueued_matches(everything) == [again]
