"""Delivery on Elasticsearch against hand-checked exchanges
(tests/fixtures/elastic/delivery.json; see test_elastic_replay.py): the outbox listing
(refresh, then a search on ``delivered: false`` in storing order), a claim as
``op_type=create`` and a second claim answered 409, the conditional mark of a delivered
revision, a digest claimed in its steps (none unfinished, the uncarried briefings of its
radars, the record, the marks, the flag), and a retry lost to another briefer (the
conditional write answered 409). The same behaviour runs against the fake cluster in the
contract suite."""

from __future__ import annotations

import datetime as dt

from academichub.store.delivery import Delivery, digest_delivery_id, webhook_delivery_id
from academichub.store.elastic import Backoff, ElasticsearchStore
from tests.integration.store.factories import P1, P2, T0, briefing
from tests.unit.store.test_elastic_replay import replay

# Stored in the cluster before the exchanges (their close is not part of them).
B1 = briefing("r1", 1, (P1,))
B2 = briefing("r2", 1, (P2,))
END = T0 + dt.timedelta(days=1)
HOOK = Delivery(
    id=webhook_delivery_id(B1.id, 1),
    channel="webhook",
    radar_ids=("r1",),
    briefing_ids=(B1.id,),
    revision=1,
    created_at=END,
    updated_at=END,
)
DIGEST = Delivery(
    id=digest_delivery_id("u1", END),
    channel="email",
    user_id="u1",
    created_at=END,
    updated_at=END,
)
RETRYING = HOOK.model_copy(
    update={
        "state": "retrying",
        "detail": "HTTP 503",
        "next_attempt_at": END + dt.timedelta(seconds=30),
    }
)


def scenario(store: ElasticsearchStore) -> list[object]:
    """The calls the exchanges answer, and what each returned."""
    part = store.delivery
    return [
        part.undelivered_briefings(10),
        part.claim(HOOK),
        part.claim(HOOK),
        part.mark_briefing_delivered(B1.id, 1),
        part.claim_digest(DIGEST, ["r1", "r2"], T0, 10),
        part.record(RETRYING),
        part.reclaim(RETRYING, END + dt.timedelta(minutes=1)),
    ]


def test_outbox_claims_a_digest_and_a_lost_retry() -> None:
    with replay("delivery") as client:
        store = ElasticsearchStore(client, backoff=Backoff(sleep=lambda _: None))
        outbox, claimed, again, marked, digest, recorded, reclaimed = scenario(store)
    assert outbox == [(B1, 1), (B2, 1)]
    assert (claimed, again, marked, recorded) == (True, False, None, None)
    assert isinstance(digest, Delivery)
    assert digest.briefing_ids == (B2.id, B1.id)  # equally new: by id, descending
    assert set(digest.radar_ids) == {"r1", "r2"}
    assert reclaimed is None  # another briefer's write came first (409)
