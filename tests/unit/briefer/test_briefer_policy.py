import datetime as dt

import pytest

from academichub.briefer.domain.policy import WindowPolicy, due_windows, next_close
from academichub.contracts import BriefingSchedule
from academichub.store.port import OpenWindow, PendingItem
from tests.unit.briefer.briefer_samples import T0

POLICY = WindowPolicy(max_papers=3, max_age=dt.timedelta(hours=1))


def item(paper: str, score: float = 1.0, at: dt.datetime = T0, version: int = 1) -> PendingItem:
    return PendingItem(paper_id=paper, version=version, score=score, enqueued_at=at)


def window(*items: PendingItem, radar: str = "r1", number: int = 1) -> OpenWindow:
    return OpenWindow(radar, number, min(i.enqueued_at for i in items), items)


def test_a_young_window_below_the_size_is_not_due() -> None:
    w = window(item("a"), item("b"))
    assert due_windows([w], now=T0 + dt.timedelta(minutes=59), policy=POLICY) == []


def test_a_window_is_due_when_it_holds_max_papers() -> None:
    (due,) = due_windows([window(item("a"), item("b"), item("c"))], now=T0, policy=POLICY)
    assert due.reason == "full"
    assert set(due.paper_ids) == {"a", "b", "c"}
    assert due.held_back == 0


def test_two_versions_of_one_paper_count_once_and_both_are_closed() -> None:
    w = window(item("a", version=1), item("a", version=2), item("b"))
    assert due_windows([w], now=T0, policy=POLICY) == []
    (due,) = due_windows([w], now=T0 + dt.timedelta(hours=1), policy=POLICY)
    assert due.paper_ids.count("a") == 1
    assert len(due.items) == 3


def test_a_window_is_due_when_its_oldest_item_reaches_max_age() -> None:
    w = window(item("a", at=T0), item("b", at=T0 + dt.timedelta(minutes=30)))
    (due,) = due_windows([w], now=T0 + dt.timedelta(hours=1), policy=POLICY)
    assert due.reason == "aged"
    assert due.opened_at == T0


def test_an_oversized_window_takes_the_best_papers_and_holds_back_the_rest() -> None:
    scores = {"a": 0.5, "b": 3.0, "c": 2.0, "d": 2.0, "e": 9.0}
    w = window(
        *(item(p, s, at=T0 + dt.timedelta(seconds=i)) for i, (p, s) in enumerate(scores.items()))
    )
    (due,) = due_windows([w], now=T0, policy=POLICY)
    # Ties (c, d) go to the earlier match.
    assert due.paper_ids == ("e", "b", "c")
    assert {i.paper_id for i in due.items} == {"e", "b", "c"}
    assert due.held_back == 2
    assert due.scores == {"e": 9.0, "b": 3.0, "c": 2.0}


def test_due_windows_come_oldest_first() -> None:
    late = window(item("a", at=T0 + dt.timedelta(minutes=5)), radar="late")
    early = window(item("b", at=T0), radar="early")
    due = due_windows([late, early], now=T0 + dt.timedelta(hours=2), policy=POLICY)
    assert [d.radar_id for d in due] == ["early", "late"]


def test_naive_timestamps_are_read_as_utc_instead_of_crashing() -> None:
    naive = T0.replace(tzinfo=None)
    w = OpenWindow("r1", 1, naive, (item("a", at=naive),))
    (due,) = due_windows([w], now=T0 + dt.timedelta(hours=1), policy=POLICY)
    assert due.opened_at == T0


def test_a_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least one"):
        WindowPolicy(max_papers=0, max_age=dt.timedelta(seconds=1))
    with pytest.raises(ValueError, match="positive"):
        WindowPolicy(max_papers=1, max_age=dt.timedelta(0))


# --- each radar's schedule ------------------------------------------------------------

LOOSE = WindowPolicy(max_papers=100, max_age=dt.timedelta(days=8))
MONDAY = dt.datetime(2026, 6, 8, 0, 0, tzinfo=dt.UTC)  # T0 is Friday 2026-06-12 08:00


@pytest.mark.parametrize(
    ("schedule", "opened", "closes"),
    [
        (BriefingSchedule(kind="daily", hour=7), T0, T0.replace(hour=7) + dt.timedelta(days=1)),
        (BriefingSchedule(kind="daily", hour=9), T0, T0.replace(hour=9)),
        (BriefingSchedule(kind="daily", hour=8), T0, T0 + dt.timedelta(days=1)),
        (BriefingSchedule(kind="weekly", hour=7), T0, MONDAY.replace(hour=7) + dt.timedelta(7)),
        (BriefingSchedule(kind="weekly", hour=7), MONDAY, MONDAY.replace(hour=7)),
        (
            BriefingSchedule(kind="weekly", hour=7),
            MONDAY.replace(hour=7),
            MONDAY.replace(hour=7) + dt.timedelta(7),
        ),
    ],
)
def test_daily_and_weekly_windows_close_at_the_next_scheduled_hour(
    schedule: BriefingSchedule, opened: dt.datetime, closes: dt.datetime
) -> None:
    assert next_close(schedule, opened) == closes
    w = window(item("a", at=opened))
    schedules = {"r1": schedule}
    assert (
        due_windows([w], now=closes - dt.timedelta(seconds=1), policy=LOOSE, schedules=schedules)
        == []
    )
    (due,) = due_windows([w], now=closes, policy=LOOSE, schedules=schedules)
    assert due.reason == "scheduled"


def test_an_every_n_window_closes_at_n_papers_and_takes_the_best_n() -> None:
    schedules = {"r1": BriefingSchedule(kind="every_n", n=2)}
    one = window(item("a", 1.0))
    assert (
        due_windows([one], now=T0 + dt.timedelta(days=7), policy=LOOSE, schedules=schedules) == []
    )
    three = window(item("a", 1.0), item("b", 3.0), item("c", 2.0))
    (due,) = due_windows([three], now=T0, policy=LOOSE, schedules=schedules)
    assert (due.reason, due.paper_ids, due.held_back) == ("scheduled", ("b", "c"), 1)


def test_the_configured_maximum_closes_a_window_whatever_its_schedule() -> None:
    schedules = {"r1": BriefingSchedule(kind="weekly", hour=7)}
    full = window(*(item(str(n)) for n in range(3)))
    (due,) = due_windows([full], now=T0, policy=POLICY, schedules=schedules)
    assert due.reason == "full"
    old = window(item("a", at=T0))
    (due,) = due_windows([old], now=T0 + dt.timedelta(hours=1), policy=POLICY, schedules=schedules)
    assert due.reason == "aged"


def test_a_radar_without_a_schedule_is_held_to_the_maximum_only() -> None:
    w = window(item("a", at=T0), radar="gone")
    assert due_windows([w], now=T0 + dt.timedelta(minutes=59), policy=POLICY, schedules={}) == []


def test_a_first_window_closes_once_the_backfilled_papers_are_in_it() -> None:
    daily = {"r1": BriefingSchedule(kind="daily", hour=7)}
    two = window(item("a"), item("b"))
    # The backfill found three: the third is still on its way.
    assert due_windows([two], now=T0, policy=POLICY, schedules=daily, backfilled={"r1": 3}) == []
    (due,) = due_windows(
        [window(item("a"), item("b"), item("c"))],
        now=T0,
        policy=WindowPolicy(max_papers=10, max_age=dt.timedelta(hours=1)),
        schedules=daily,
        backfilled={"r1": 3},
    )
    assert due.reason == "backfill"
    assert set(due.paper_ids) == {"a", "b", "c"}
    # Later windows follow the schedule; a radar without a finished backfill too.
    later = window(item("d"), item("e"), number=2)
    assert due_windows([later], now=T0, policy=POLICY, schedules=daily, backfilled={"r1": 2}) == []
    assert due_windows([two], now=T0, policy=POLICY, schedules=daily) == []
