"""The store's briefer state (summaries, briefing delivery and upgrades, token usage):
the in-memory fake and the embedded store behave alike. The Elasticsearch adapter must
pass the same suite when it adds these methods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from academichub.briefer.domain.store_parts import BrieferStore
from academichub.contracts import Briefing
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperSummary, PendingItem
from tests.unit.briefer.briefer_samples import T0, match, pid, radar

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "embedded"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BrieferStore]:
    opened: Any = (
        InMemoryStore()
        if request.param == "memory"
        else EmbeddedStore(tmp_path / "data", index_writer=False)
    )
    yield opened
    opened.close()


def summary(n: int, version: int | None = 1, text: str = "first") -> PaperSummary:
    return PaperSummary(pid(n), version, f"{text} en", f"{text} 中文", "m", T0)


def briefing(window: int = 1, *, degraded: bool = True, overview: str = "x") -> Briefing:
    return Briefing(
        id=Briefing.make_id("r1", window),
        radar_id="r1",
        window=window,
        language="en",
        provider="extractive" if degraded else "openai",
        degraded=degraded,
        degraded_reason="model failed: down" if degraded else None,
        overview=overview,
        paper_ids=(pid(1),),
        window_opened_at=T0,
        window_closed_at=T0,
        created_at=T0,
    )


def close(store: BrieferStore, b: Briefing) -> bool:
    store.briefings.enqueue_for_briefing(match(b.window, radar_id=b.radar_id))
    item = PendingItem(pid(b.window), 1, 1.0, T0)
    return store.briefings.close_window(b, [item])


def test_summaries_are_written_once_per_paper_version(store: BrieferStore) -> None:
    assert store.briefer.put_summaries([summary(1), summary(1, 2), summary(2, None)]) == 3
    assert store.briefer.put_summaries([summary(1, text="second"), summary(3)]) == 1  # first wins
    found = store.briefer.get_summaries([(pid(1), 1), (pid(1), 2), (pid(2), None), (pid(9), 1)])
    assert set(found) == {(pid(1), 1), (pid(1), 2), (pid(2), None)}
    assert found[(pid(1), 1)] == summary(1)
    assert found[(pid(2), None)].tldr_zh == "first 中文"


def test_a_closed_window_is_unpublished_until_marked(store: BrieferStore) -> None:
    b = briefing(degraded=False)
    assert close(store, b)
    assert store.briefer.unpublished_briefings() == [(b, 1)]
    store.briefer.mark_briefing_published(b.id, 1)
    assert store.briefer.unpublished_briefings() == []


def test_a_marked_degraded_briefing_is_upgraded_once_in_place(store: BrieferStore) -> None:
    degraded = briefing()
    store.briefer.mark_for_upgrade(degraded.id)  # the mark may come before the briefing
    assert store.briefer.briefings_to_upgrade() == []
    assert close(store, degraded)
    store.briefer.mark_briefing_published(degraded.id, 1)
    assert store.briefer.briefings_to_upgrade() == [degraded]

    better = briefing(degraded=False, overview="by the model").model_copy(
        update={"created_at": T0 + dt.timedelta(hours=1)}
    )
    assert store.briefer.upgrade_briefing(better) == 2
    assert store.briefings.get_briefing(degraded.id) == better
    assert store.briefings.briefings_for_radar("r1") == [better]
    assert store.briefer.briefings_to_upgrade() == []
    assert store.briefer.unpublished_briefings() == [(better, 2)]
    assert store.briefer.upgrade_briefing(better) is None  # no second rewrite
    store.briefer.mark_briefing_published(degraded.id, 1)  # a late mark of the old revision
    assert store.briefer.unpublished_briefings() == [(better, 2)]
    store.briefer.mark_briefing_published(degraded.id, 2)
    assert store.briefer.unpublished_briefings() == []


def test_only_marked_and_still_degraded_briefings_are_upgraded(store: BrieferStore) -> None:
    good = briefing(1, degraded=False)
    close(store, good)
    store.briefer.mark_for_upgrade(good.id)
    assert store.briefer.upgrade_briefing(briefing(1, degraded=False, overview="other")) is None
    assert store.briefings.get_briefing(good.id) == good

    unmarked = briefing(2)
    close(store, unmarked)
    assert store.briefer.upgrade_briefing(briefing(2, degraded=False)) is None

    dropped = briefing(3)
    close(store, dropped)
    store.briefer.mark_for_upgrade(dropped.id)
    store.briefer.drop_upgrade(dropped.id)
    assert store.briefer.upgrade_briefing(briefing(3, degraded=False)) is None
    assert [b.id for b in store.briefer.briefings_to_upgrade()] == [good.id]


def test_an_upgrade_may_not_move_a_briefing_to_another_window(store: BrieferStore) -> None:
    b = briefing(1)
    close(store, b)
    store.briefer.mark_for_upgrade(b.id)
    moved = briefing(1, degraded=False).model_copy(update={"window": 2})
    with pytest.raises(ValueError, match="radar and window"):
        store.briefer.upgrade_briefing(moved)


def test_token_usage_adds_up_per_day_and_account(store: BrieferStore) -> None:
    day = T0.date()
    store.briefer.add_token_usage(day, ["radar:r1", "user:alice"], 100)
    store.briefer.add_token_usage(day, ["radar:r2", "user:alice"], 50)
    store.briefer.add_token_usage(day + dt.timedelta(days=1), ["user:alice"], 7)
    assert store.briefer.token_usage(day, ["radar:r1", "radar:r2", "user:alice", "user:bob"]) == {
        "radar:r1": 100,
        "radar:r2": 50,
        "user:alice": 150,
        "user:bob": 0,
    }
    assert store.briefer.token_usage(day + dt.timedelta(days=1), ["user:alice"]) == {
        "user:alice": 7
    }


def test_the_embedded_state_survives_a_reopen(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "data", index_writer=False)
    first.radars.put_radar(radar())
    first.briefer.put_summaries([summary(1)])
    close(first, briefing())
    first.briefer.mark_for_upgrade("r1.w1")
    first.briefer.add_token_usage(T0.date(), ["radar:r1"], 5)
    first.close()
    again = EmbeddedStore(tmp_path / "data", index_writer=False)
    try:
        assert again.briefer.get_summaries([(pid(1), 1)]) == {(pid(1), 1): summary(1)}
        assert [b.id for b in again.briefer.briefings_to_upgrade()] == ["r1.w1"]
        assert again.briefer.unpublished_briefings()[0][1] == 1
        assert again.briefer.token_usage(T0.date(), ["radar:r1"]) == {"radar:r1": 5}
    finally:
        again.close()


def test_briefings_stored_before_the_migration_count_as_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from academichub.store.embedded import database

    mine = next(i for i, m in enumerate(database._MIGRATIONS) if "paper_summaries" in m)
    with monkeypatch.context() as older:
        older.setattr(database, "_MIGRATIONS", database._MIGRATIONS[:mine])
        older.setattr(database, "SCHEMA_VERSION", mine)
        before = EmbeddedStore(tmp_path / "data", index_writer=False)
        close(before, briefing(degraded=False))
        before.close()
    after = EmbeddedStore(tmp_path / "data", index_writer=False)
    try:
        assert after.briefings.get_briefing("r1.w1") == briefing(degraded=False)
        assert after.briefer.unpublished_briefings() == []  # it was published when written
    finally:
        after.close()
