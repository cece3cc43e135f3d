"""The delivery part: settings, the outbox of stored briefings, digests that carry each
briefing once, and a ledger whose every message is claimed once."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Briefing
from academichub.store.delivery import (
    Delivery,
    DigestPreference,
    Webhook,
    digest_delivery_id,
    webhook_delivery_id,
)
from academichub.store.port import PendingItem, Store
from tests.integration.store.factories import P1, P2, P3, P4, T0, briefing, match

pytestmark = pytest.mark.integration


def stored(store: Store, radar_id: str, window: int, paper_id: str, at: dt.datetime) -> Briefing:
    """A briefing closed through the briefings part, created at ``at``."""
    b = briefing(radar_id, window, (paper_id,)).model_copy(update={"created_at": at})
    store.briefings.enqueue_for_briefing(match(paper_id, radar_id=radar_id, at=T0))
    assert store.briefings.close_window(b, [PendingItem(paper_id, 1, 1.0, T0)])
    return b


def preference(user_id: str = "u1", cadence: str = "daily", **extra: object) -> DigestPreference:
    return DigestPreference.model_validate(
        {
            "user_id": user_id,
            "email": f"{user_id}@example.org",
            "cadence": cadence,
            "since": T0,
            "updated_at": T0,
            **extra,
        }
    )


def webhook_record(briefing_id: str, revision: int = 1, **extra: object) -> Delivery:
    return Delivery.model_validate(
        {
            "id": webhook_delivery_id(briefing_id, revision),
            "channel": "webhook",
            "radar_ids": ("r1",),
            "briefing_ids": (briefing_id,),
            "revision": revision,
            "created_at": T0,
            "updated_at": T0,
            **extra,
        }
    )


def digest_record(user_id: str, end: dt.datetime) -> Delivery:
    return Delivery(
        id=digest_delivery_id(user_id, end),
        channel="email",
        user_id=user_id,
        created_at=end,
        updated_at=end,
    )


def test_settings_are_kept_and_replaced(store: Store) -> None:
    part = store.delivery
    assert part.get_digest_preference("u1") is None
    part.put_digest_preference(preference("u1"))
    part.put_digest_preference(preference("u2", cadence="off"))
    part.put_digest_preference(
        preference("u3", cadence="weekly", weekday=4, timezone="Asia/Shanghai")
    )
    assert part.get_digest_preference("u1") == preference("u1")
    assert [p.user_id for p in part.digest_preferences()] == ["u1", "u3"]
    part.put_digest_preference(preference("u1", cadence="off"))
    assert [p.user_id for p in part.digest_preferences()] == ["u3"]

    hook = Webhook(radar_id="r1", url="https://hooks.example.org/x", format="slack", updated_at=T0)
    assert part.get_webhook("r1") is None
    part.put_webhook(hook)
    part.put_webhook(hook.model_copy(update={"format": "feishu", "secret": "s"}))
    assert part.get_webhook("r1") == hook.model_copy(update={"format": "feishu", "secret": "s"})
    assert part.delete_webhook("r1")
    assert not part.delete_webhook("r1")
    assert part.get_webhook("r1") is None


def test_the_signing_key_is_made_once(store: Store) -> None:
    key = store.delivery.signing_key()
    assert len(key) == 32
    assert store.delivery.signing_key() == key


def test_the_outbox_lists_each_revision_until_delivered(store: Store) -> None:
    b1 = stored(store, "r1", 1, P1, T0)
    b2 = stored(store, "r2", 1, P2, T0)
    assert store.delivery.undelivered_briefings() == [(b1, 1), (b2, 1)]
    assert store.delivery.undelivered_briefings(limit=1) == [(b1, 1)]
    store.delivery.mark_briefing_delivered(b1.id, 1)
    store.delivery.mark_briefing_delivered("r9.w1", 1)  # nothing stored: nothing marked
    assert store.delivery.undelivered_briefings() == [(b2, 1)]

    store.delivery.mark_briefing_delivered(b2.id, 1)
    assert store.delivery.undelivered_briefings() == []


def test_an_upgraded_revision_is_delivered_again(store: Store) -> None:
    degraded = briefing("r1", 1, (P1,)).model_copy(
        update={"degraded": True, "degraded_reason": "model failed: down"}
    )
    store.briefer.mark_for_upgrade(degraded.id)
    store.briefings.enqueue_for_briefing(match(P1, at=T0))
    assert store.briefings.close_window(degraded, [PendingItem(P1, 1, 1.0, T0)])
    store.delivery.mark_briefing_delivered(degraded.id, 1)
    better = degraded.model_copy(
        update={"degraded": False, "degraded_reason": None, "overview": "by the model"}
    )
    assert store.briefer.upgrade_briefing(better) == 2
    assert store.delivery.undelivered_briefings() == [(better, 2)]
    store.delivery.mark_briefing_delivered(degraded.id, 1)  # late, older: changes nothing
    assert store.delivery.undelivered_briefings() == [(better, 2)]
    store.delivery.mark_briefing_delivered(degraded.id, 2)
    assert store.delivery.undelivered_briefings() == []


def test_a_delivery_is_claimed_once_and_recorded(store: Store) -> None:
    part = store.delivery
    first = webhook_record("r1.w1")
    assert part.claim(first)
    assert not part.claim(first)
    assert not part.claim(first.model_copy(update={"attempts": 5}))
    assert part.get_deliveries([first.id, "webhook:none:r1"]) == {first.id: first}
    assert part.latest_deliveries("r1") == [first]

    later = T0 + dt.timedelta(minutes=1)
    retrying = first.model_copy(
        update={
            "state": "retrying",
            "detail": "HTTP 503",
            "updated_at": later,
            "next_attempt_at": later + dt.timedelta(seconds=30),
        }
    )
    part.record(retrying)
    assert part.due_retries(later) == []
    due_at = later + dt.timedelta(seconds=30)
    assert part.due_retries(due_at) == [retrying]

    taken = part.reclaim(retrying, due_at)
    assert taken is not None
    assert (taken.state, taken.attempts, taken.next_attempt_at) == ("sending", 2, None)
    assert part.reclaim(retrying, due_at) is None  # a second briefer gets nothing
    assert part.due_retries(due_at) == []
    assert part.get_deliveries([first.id])[first.id] == taken

    # An attempt still "sending" long after it began was interrupted.
    assert part.stale_deliveries(due_at) == []
    assert part.stale_deliveries(due_at + dt.timedelta(seconds=1)) == [taken]
    sent = taken.model_copy(update={"state": "sent", "detail": "HTTP 200"})
    part.record(sent)
    assert part.stale_deliveries(due_at + dt.timedelta(hours=1)) == []
    assert part.latest_deliveries("r1") == [sent]
    assert part.latest_deliveries("r2") == []


def test_a_digest_carries_each_briefing_once(store: Store) -> None:
    old = stored(store, "r1", 1, P1, T0 - dt.timedelta(days=3))
    b2 = stored(store, "r1", 2, P2, T0 + dt.timedelta(hours=1))
    b3 = stored(store, "r2", 1, P3, T0 + dt.timedelta(hours=2))
    other = stored(store, "r3", 1, P4, T0 + dt.timedelta(hours=2))  # another user's radar
    end = T0 + dt.timedelta(days=1)

    claimed = store.delivery.claim_digest(digest_record("u1", end), ["r1", "r2"], T0, limit=10)
    assert claimed is not None
    assert claimed.briefing_ids == (b3.id, b2.id)  # newest first; not older than since
    assert set(claimed.radar_ids) == {"r1", "r2"}
    assert claimed.state == "sending"
    assert store.delivery.get_deliveries([claimed.id]) == {claimed.id: claimed}
    # Claimed once: a second briefer gets nothing.
    assert store.delivery.claim_digest(digest_record("u1", end), ["r1", "r2"], T0, 10) is None

    # The next period carries only what came since; an empty period is decided as empty.
    next_end = end + dt.timedelta(days=1)
    empty = store.delivery.claim_digest(digest_record("u1", next_end), ["r1", "r2"], T0, 10)
    assert empty is not None
    assert (empty.state, empty.briefing_ids) == ("empty", ())
    b4 = stored(store, "r2", 2, P4, T0 + dt.timedelta(days=2))
    third = store.delivery.claim_digest(
        digest_record("u1", next_end + dt.timedelta(days=1)), ["r1", "r2"], T0, 10
    )
    assert third is not None
    assert third.briefing_ids == (b4.id,)
    assert store.delivery.latest_deliveries("r2") == [third]
    assert store.delivery.latest_deliveries("r1") == [claimed]
    del old, other


def test_a_digest_takes_at_most_its_limit(store: Store) -> None:
    made = [stored(store, "r1", w, p, T0 + dt.timedelta(hours=w)) for w, p in ((1, P1), (2, P2))]
    made.append(stored(store, "r1", 3, P3, T0 + dt.timedelta(hours=3)))
    claimed = store.delivery.claim_digest(
        digest_record("u1", T0 + dt.timedelta(days=1)), ["r1"], T0, limit=2
    )
    assert claimed is not None
    assert claimed.briefing_ids == (made[2].id, made[1].id)
