import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.model import (
    ChatModel,
    ModelOutputInvalid,
    ModelUnavailable,
    ScriptedChatModel,
)
from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.service import BrieferService, run_closer
from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.memory_source import InMemorySource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.publisher import BrokerUnavailable, RecordingPublisher
from academichub.broker.records import RawEvent
from academichub.contracts import (
    Briefing,
    BriefingSchedule,
    DeadLetter,
    Match,
    PaperMatches,
    TopicName,
    encode_event,
)
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.unit.briefer.briefer_samples import (
    T0,
    make_composer,
    match,
    paper,
    pid,
    radar,
    well_behaved,
)

N = 3
T = dt.timedelta(minutes=30)


@dataclass
class Clock:
    now: dt.datetime = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@dataclass
class Harness:
    store: InMemoryStore = field(default_factory=InMemoryStore)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)
    clock: Clock = field(default_factory=Clock)
    metrics: BrieferMetrics = field(default_factory=lambda: BrieferMetrics(CollectorRegistry()))
    model: ChatModel | None = None

    def __post_init__(self) -> None:
        self.store.radars.put_radar(radar("r1"))
        self.store.radars.put_radar(radar("r2", language="zh"))
        self.store.papers.upsert_papers([paper(n) for n in range(1, 30)])

    def service(self) -> BrieferService:
        return BrieferService(
            store=AsyncStore.inline(self.store),
            publisher=self.publisher,
            composer=make_composer(
                self.model, store=self.store, metrics=self.metrics, clock=self.clock
            ),
            policy=WindowPolicy(max_papers=N, max_age=T),
            metrics=self.metrics,
            clock=self.clock,
        )

    def published(self) -> list[Briefing]:
        out = self.publisher.on(TopicName.BRIEFINGS)
        assert all(isinstance(b, Briefing) for b in out)
        return out  # type: ignore[return-value]

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(f"academichub_briefer_{name}", labels)
        return value or 0.0


def records(*matches: Match | bytes, start: int = 0) -> list[RawEvent]:
    raws = [m if isinstance(m, bytes) else encode_event(m) for m in matches]
    return [RawEvent(0, start + i, b"r1", raw) for i, raw in enumerate(raws)]


def consumer(h: Harness, svc: BrieferService, source: InMemorySource) -> ConsumerLoop[PaperMatches]:
    """The service's consumer as its composition root builds it, over a fake source."""
    return ConsumerLoop(
        topic=TopicName.MATCHES,
        event=PaperMatches,
        source=source,
        handle=svc.handle_match_events,
        dead_letters=DeadLetters(h.publisher, service="briefer"),
        metrics=ConsumerMetrics(h.metrics.registry),
    )


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait (bounded) until ``condition`` holds; fail rather than hang."""
    for _ in range(int(within / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached")


@pytest.fixture
def h() -> Harness:
    return Harness()


async def test_a_window_closes_when_it_holds_n_papers(h: Harness) -> None:
    svc = h.service()
    assert await svc.handle_matches([match(1), match(2)]) == 2
    assert await svc.close_due_windows() == []
    await svc.handle_matches([match(3)])
    (briefing,) = await svc.close_due_windows()

    assert briefing.id == "r1.w1"
    assert set(briefing.paper_ids) == {pid(1), pid(2), pid(3)}
    assert h.published() == [briefing]
    assert h.publisher.sent[0][1] == "r1"  # keyed by radar id
    assert h.store.briefings.get_briefing("r1.w1") == briefing
    assert h.store.briefings.open_windows() == []
    assert h.metric("briefings_total", provider="extractive", degraded="false") == 1


async def test_a_window_closes_when_its_oldest_match_is_t_old(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1, at=T0)])
    h.clock.advance(T - dt.timedelta(seconds=1))
    assert await svc.close_due_windows() == []
    h.clock.advance(dt.timedelta(seconds=1))
    (briefing,) = await svc.close_due_windows()
    assert briefing.paper_ids == (pid(1),)
    assert briefing.window_opened_at == T0
    assert briefing.window_closed_at == T0 + T


async def test_the_closer_running_twice_publishes_one_briefing(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    assert len(await svc.close_due_windows()) == 1
    assert await svc.close_due_windows() == []
    assert len(h.published()) == 1


async def test_replayed_matches_change_nothing(h: Harness) -> None:
    svc = h.service()
    batch = [match(1), match(2), match(3)]
    await svc.handle_matches(batch)
    assert await svc.handle_matches(batch) == 0  # replay before the window closes
    await svc.close_due_windows()
    assert await svc.handle_matches(batch) == 0  # replay after it closed
    h.clock.advance(T * 10)
    assert await svc.close_due_windows() == []
    assert [b.id for b in h.published()] == ["r1.w1"]
    assert h.store.briefings.open_windows() == []


async def test_two_closers_racing_for_one_window_publish_once(h: Harness) -> None:
    gate = asyncio.Event()
    h.model = model = ScriptedChatModel(repeat=well_behaved, gate=gate)
    first, second = h.service(), h.service()
    await first.handle_matches([match(1), match(2), match(3)])

    racing = [asyncio.create_task(s.close_due_windows()) for s in (first, second)]
    # Both closers read the same open window and are waiting on the model.
    await eventually(lambda: len(model.requests) == 2)
    gate.set()
    results = await asyncio.gather(*racing)

    assert sorted(len(r) for r in results) == [0, 1]
    assert [b.id for b in h.published()] == ["r1.w1"]


async def test_a_window_larger_than_n_is_split_best_scores_first(h: Harness) -> None:
    svc = h.service()
    scores = {1: 0.1, 2: 5.0, 3: 0.2, 4: 4.0, 5: 3.0}
    await svc.handle_matches([match(n, score=s) for n, s in scores.items()])
    (first,) = await svc.close_due_windows()
    assert first.paper_ids == (pid(2), pid(4), pid(5))

    (rest,) = h.store.briefings.open_windows()
    assert (rest.window, {i.paper_id for i in rest.items}) == (2, {pid(1), pid(3)})
    h.clock.advance(T)
    (second,) = await svc.close_due_windows()
    assert second.id == "r1.w2"
    assert second.paper_ids == (pid(3), pid(1))


async def test_each_radar_gets_its_own_window_in_its_own_language(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches(
        [*(match(n, radar_id="r1") for n in (1, 2, 3)), match(4, radar_id="r2")]
    )
    (en,) = await svc.close_due_windows()
    assert en.radar_id == "r1"
    h.clock.advance(T)
    (zh,) = await svc.close_due_windows()
    assert (zh.radar_id, zh.language, zh.paper_ids) == ("r2", "zh", (pid(4),))
    assert zh.overview.startswith("本期共 1 篇论文")


async def test_poison_matches_are_dead_lettered_and_the_rest_is_queued(h: Harness) -> None:
    svc = h.service()
    batch = records(b"{not json", match(1), b'{"schema_version": 99}', start=10)
    source = InMemorySource.of(batch)
    assert await consumer(h, svc, source).step() == 3

    letters = h.publisher.on(TopicName.MATCHES_DLQ)
    assert [type(x) for x in letters] == [DeadLetter, DeadLetter]
    first = letters[0]
    assert isinstance(first, DeadLetter)
    assert (first.topic, first.offset, first.service) == ("matches", 10, "briefer")
    assert "not JSON" in first.error
    poison = h.metrics.registry.get_sample_value(
        "academichub_poison_events_total", {"topic": "matches"}
    )
    assert poison == 2
    assert [i.paper_id for i in h.store.briefings.open_windows()[0].items] == [pid(1)]
    assert source.committed == {0: 13}


async def test_a_model_outage_still_publishes_a_degraded_briefing(h: Harness) -> None:
    h.model = ScriptedChatModel(repeat=ModelUnavailable("no answer within 60s"))
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    (briefing,) = await svc.close_due_windows()
    assert (briefing.provider, briefing.degraded) == ("extractive", True)
    assert briefing.degraded_reason == "model failed: no answer within 60s"
    assert h.metric("briefings_total", provider="extractive", degraded="true") == 1
    # Marked for an upgrade, which this pass tried (the model was not known to be down)
    # and which failed: the mark stays.
    assert list(h.store.briefer.awaiting_upgrade) == ["r1.w1"]
    assert h.published() == [briefing]


async def test_a_degraded_briefing_is_upgraded_in_place_when_the_model_returns(
    h: Harness,
) -> None:
    now = [0.0]
    down = ScriptedChatModel(repeat=ModelUnavailable("server error (HTTP 500)"))
    h.model = CircuitBreaker(down, failures=1, cooldown_seconds=60, clock=lambda: now[0])
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    (degraded,) = await svc.close_due_windows()
    assert degraded.degraded
    calls = len(down.requests)
    # While the circuit is open nothing is tried: no upgrade, no request.
    assert await svc.close_due_windows() == []
    assert len(down.requests) == calls

    down.repeat = well_behaved  # the endpoint recovers
    now[0] = 61.0  # the cool-down has passed
    h.clock.advance(dt.timedelta(minutes=5))
    (upgraded,) = await svc.close_due_windows()

    assert upgraded.id == degraded.id == "r1.w1"
    assert (upgraded.provider, upgraded.degraded, upgraded.degraded_reason) == (
        "openai",
        False,
        None,
    )
    assert upgraded.paper_ids == degraded.paper_ids
    assert upgraded.window_closed_at == degraded.window_closed_at
    assert upgraded.created_at > degraded.created_at
    # One briefing for the window, rewritten in place, announced twice.
    assert h.store.briefings.briefings_for_radar("r1") == [upgraded]
    assert h.published() == [degraded, upgraded]
    assert h.store.briefer.awaiting_upgrade == {}
    assert h.metric("upgrades_total") == 1
    # Still one briefing for the window in the briefing count: the degraded one.
    assert h.metric("briefings_total", provider="extractive", degraded="true") == 1
    assert h.metric("briefings_total", provider="openai", degraded="false") == 0
    assert await svc.close_due_windows() == []


async def test_a_briefing_the_model_cannot_write_usably_is_not_upgraded(h: Harness) -> None:
    unusable = ModelOutputInvalid("invalid answer after one repair")
    # Down while closing; then, upgrading, unusable TL;DRs and an unusable briefing.
    h.model = ScriptedChatModel([ModelUnavailable("down"), unusable, unusable])
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    (degraded,) = await svc.close_due_windows()  # closing fails, the upgrade is refused
    assert degraded.degraded
    assert h.store.briefer.awaiting_upgrade == {}  # the model answers, just not usably
    assert h.published() == [degraded]


async def test_a_budget_fallback_is_not_marked_for_upgrade(h: Harness) -> None:
    h.model = ScriptedChatModel(repeat=well_behaved)
    h.store.briefer.add_token_usage(T0.date(), ["user:alice"], 10**9)
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    (briefing,) = await svc.close_due_windows()
    assert briefing.degraded
    assert briefing.degraded_reason is not None
    assert "daily token budget" in briefing.degraded_reason
    assert h.store.briefer.awaiting_upgrade == {}
    assert h.model.requests == []


async def test_a_briefing_whose_publish_failed_is_published_by_a_later_pass(
    h: Harness,
) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    h.publisher.fail_with = ConnectionError("broker gone")
    with pytest.raises(ConnectionError):
        await svc.close_due_windows()
    h.publisher.fail_with = None
    # Not at once: its closer might still be publishing it.
    assert await svc.close_due_windows() == []
    h.clock.advance(dt.timedelta(seconds=31))
    (late,) = await svc.close_due_windows()
    assert late.id == "r1.w1"
    assert await svc.close_due_windows() == []
    assert [b.id for b in h.published()] == ["r1.w1"]
    assert h.metric("republished_total") == 1


# --- schedules ----------------------------------------------------------------------------


async def test_a_daily_radar_is_briefed_at_its_hour(h: Harness) -> None:
    h.store.radars.put_radar(
        radar("r1").model_copy(update={"revision": 2, "schedule": BriefingSchedule(hour=9)})
    )
    svc = h.service()
    svc.policy = WindowPolicy(max_papers=50, max_age=dt.timedelta(days=8))
    await svc.handle_matches([match(1, at=T0), match(2, at=T0)])  # 08:00
    h.clock.now = T0.replace(hour=8, minute=59)
    assert await svc.close_due_windows() == []
    h.clock.now = T0.replace(hour=9)
    (briefing,) = await svc.close_due_windows()
    assert set(briefing.paper_ids) == {pid(1), pid(2)}


async def test_an_every_n_radar_is_briefed_every_n_papers(h: Harness) -> None:
    h.store.radars.put_radar(
        radar("r1").model_copy(
            update={"revision": 2, "schedule": BriefingSchedule(kind="every_n", n=2)}
        )
    )
    svc = h.service()
    svc.policy = WindowPolicy(max_papers=50, max_age=dt.timedelta(days=8))
    await svc.handle_matches([match(1)])
    assert await svc.close_due_windows() == []
    await svc.handle_matches([match(2), match(3, score=0.5)])
    (first,) = await svc.close_due_windows()
    assert set(first.paper_ids) == {pid(1), pid(2)}  # n papers, the best ones
    assert await svc.close_due_windows() == []  # paper 3 waits for a second one


async def test_a_deleted_radars_window_is_kept_and_briefed_if_the_radar_returns(
    h: Harness,
) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    h.store.radars.delete_radar("r1")
    assert await svc.close_due_windows() == []
    assert await svc.close_due_windows() == []
    assert h.published() == []

    h.store.radars.put_radar(radar("r1").model_copy(update={"revision": 5}))
    (briefing,) = await svc.close_due_windows()
    assert briefing.id == "r1.w1"


async def test_papers_missing_from_the_store_are_listed_as_omitted(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(99)])
    (briefing,) = await svc.close_due_windows()
    assert set(briefing.paper_ids) == {pid(1), pid(2)}
    assert briefing.omitted_paper_ids == (pid(99),)


async def test_a_failing_publish_crashes_the_pass_after_the_store_kept_the_briefing(
    h: Harness,
) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    h.publisher.fail_with = ConnectionError("broker gone")
    with pytest.raises(ConnectionError):
        await svc.close_due_windows()
    assert h.store.briefings.get_briefing("r1.w1") is not None


async def test_the_consumer_commits_each_batch_after_storing_it(h: Harness) -> None:
    drained = asyncio.Event()
    source = InMemorySource.of(records(match(1)), [], records(match(2), start=1), drained=drained)
    svc = h.service()
    original = svc.handle_matches
    log: list[str] = []

    async def handle(batch: list[Match]) -> int:
        log.append(f"store {len(batch)} after {source.commits} commits")
        return await original(batch)

    svc.handle_matches = handle  # type: ignore[method-assign]
    await asyncio.wait_for(consumer(h, svc, source).run(drained), 5)
    assert log == ["store 1 after 0 commits", "store 1 after 1 commits"]
    assert source.commits == 2
    assert source.committed == {0: 2}
    assert len(h.store.briefings.open_windows()[0].items) == 2


async def test_the_consumer_does_not_commit_when_the_store_fails(h: Harness) -> None:
    source = InMemorySource.of(records(match(1)))
    h.store.briefings.enqueue_for_briefing = _broken  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        await consumer(h, h.service(), source).run(asyncio.Event())
    assert source.commits == 0
    assert source.committed == {}


def _broken(*_: object) -> bool:
    raise OSError("disk full")


async def test_the_closer_loop_closes_windows_until_stopped(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    stop = asyncio.Event()
    task = asyncio.create_task(run_closer(svc, stop, interval=0.01))
    await eventually(lambda: bool(h.published()))
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert [b.id for b in h.published()] == ["r1.w1"]


# --- what the broker lost -------------------------------------------------------------


async def test_matches_whose_events_were_lost_are_queued_from_the_store(h: Harness) -> None:
    svc = h.service()
    # Recorded by the matcher; only the first one's event reached the briefer.
    lost = [match(2, at=T0), match(3, at=T0)]
    h.store.matches.record_matches([match(1, at=T0), *lost])
    await svc.handle_matches([match(1, at=T0)])
    assert await svc.recover_unqueued() == 0  # recorded just now: maybe still in flight
    assert h.metric("unqueued_matches") == 0
    h.clock.advance(dt.timedelta(minutes=6))
    assert await svc.recover_unqueued() == 2
    assert h.metric("unqueued_matches") == 2
    assert h.metric("recovered_matches_total") == 2
    (window,) = h.store.briefings.open_windows()
    assert sorted(i.paper_id for i in window.items) == [pid(1), pid(2), pid(3)]
    assert await svc.recover_unqueued() == 0
    assert h.metric("unqueued_matches") == 0
    # The late event of a recovered match changes nothing.
    assert await svc.handle_matches(lost) == 0


async def test_the_closer_pass_queues_lost_matches_before_closing_windows(h: Harness) -> None:
    svc = h.service()
    h.store.matches.record_matches([match(1), match(2), match(3)])
    h.clock.advance(dt.timedelta(minutes=6))
    (briefing,) = await svc.close_due_windows()
    assert set(briefing.paper_ids) == {pid(1), pid(2), pid(3)}


async def test_a_briefing_refused_for_good_is_counted_kept_and_not_retried(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    h.publisher.refuse["r1"] = "the event is 2000000 bytes, over the 1000000 limit"
    assert [b.id for b in await svc.close_due_windows()] == ["r1.w1"]
    assert h.published() == []
    assert h.metric("briefings_refused_total") == 1
    assert h.store.briefings.get_briefing("r1.w1") is not None
    h.clock.advance(dt.timedelta(minutes=5))
    await svc.close_due_windows()  # no late publication of it, no second count
    assert h.metric("briefings_refused_total") == 1
    assert h.metric("republished_total") == 0


async def test_a_refused_briefing_does_not_stop_the_pass_for_other_radars(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(n, radar_id=r) for r in ("r1", "r2") for n in (1, 2, 3)])
    h.publisher.refuse["r1"] = "the event is 2000000 bytes, over the 1000000 limit"
    closed = await svc.close_due_windows()  # raises nothing: the closer goes on
    assert sorted(b.id for b in closed) == ["r1.w1", "r2.w1"]
    assert [b.id for b in h.published()] == ["r2.w1"]
    assert h.metric("briefings_refused_total") == 1


async def test_a_broker_away_cuts_a_closer_pass_short_and_the_loop_goes_on(h: Harness) -> None:
    svc = h.service()
    await svc.handle_matches([match(1), match(2), match(3)])
    h.publisher.fail_with = BrokerUnavailable("briefings: the broker is unavailable")
    stop = asyncio.Event()
    task = asyncio.create_task(run_closer(svc, stop, interval=0.01))
    await eventually(lambda: h.store.briefings.get_briefing("r1.w1") is not None)
    await asyncio.sleep(0.05)
    assert not task.done()  # the pass failed, the loop did not
    h.publisher.fail_with = None
    h.clock.advance(dt.timedelta(seconds=31))
    await eventually(lambda: [b.id for b in h.published()] == ["r1.w1"])
    stop.set()
    await asyncio.wait_for(task, 5)
