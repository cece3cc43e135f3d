"""The briefer over the embedded store, which keeps a match's marks per group (a paper
version's matches recorded at one instant): a group confirmed in parts -- its events
split per partition of ``matches``, or an older matcher's single matches -- is queued
once all of it is, and what a lost event carried is recovered from the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.service import BrieferService
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import PaperMatches, TopicName
from academichub.contracts.decoding import decode_event
from academichub.contracts.match_groups import match_events, regroup
from academichub.store.door import AsyncStore
from academichub.store.embedded import EmbeddedStore
from tests.unit.briefer.briefer_samples import T0, make_composer, match, paper, pid, radar

pytestmark = pytest.mark.integration

LATER = T0 + dt.timedelta(minutes=6)  # past the briefer's unqueued_after


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path, index_writer=True)
    for radar_id in ("r1", "r2", "r3"):
        store.radars.put_radar(radar(radar_id))
    store.papers.upsert_papers([paper(n) for n in (1, 2)])
    try:
        yield store
    finally:
        store.close()


def service(store: EmbeddedStore, now: dt.datetime) -> BrieferService:
    return BrieferService(
        store=AsyncStore.inline(store),
        publisher=RecordingPublisher(),
        composer=make_composer(None),
        policy=WindowPolicy(max_papers=10, max_age=dt.timedelta(hours=1)),
        metrics=BrieferMetrics(CollectorRegistry()),
        clock=lambda: now,
    )


def queued(store: EmbeddedStore) -> set[tuple[str, str]]:
    return {(w.radar_id, i.paper_id) for w in store.briefings.open_windows() for i in w.items}


async def test_a_group_whose_event_of_one_partition_was_lost_is_recovered(
    store: EmbeddedStore,
) -> None:
    (group,) = regroup([match(1, radar_id=r) for r in ("r1", "r2", "r3")])
    store.matches.record_found([group])
    # r1 on partition 0, the others on partition 1: two events; the second is lost.
    first, _lost = (
        decode_event(TopicName.MATCHES, value)
        for _, value in match_events([group], lambda radar_id: int(radar_id != "r1"))
    )
    assert isinstance(first, PaperMatches)
    assert await service(store, T0).handle_match_events([first]) == 1
    assert await service(store, T0).recover_unqueued() == 0  # maybe still on its way
    assert await service(store, LATER).recover_unqueued() == 2
    assert queued(store) == {("r1", pid(1)), ("r2", pid(1)), ("r3", pid(1))}
    assert await service(store, LATER).recover_unqueued() == 0
    assert store.matches.unqueued_matches(LATER) == []


async def test_single_matches_of_an_older_matcher_confirm_their_group_one_by_one(
    store: EmbeddedStore,
) -> None:
    a, b = match(2, radar_id="r1"), match(2, radar_id="r2")
    store.matches.record_matches([a, b])
    svc = service(store, LATER)
    assert await svc.handle_matches([a]) == 1
    assert store.matches.unqueued_matches(LATER) == [b]  # the rest of its group still owed
    assert await svc.handle_matches([b]) == 1
    assert await svc.handle_matches([a]) == 0  # a replay: queued once
    assert store.matches.unqueued_matches(LATER) == []
    assert await svc.recover_unqueued() == 0
