"""The one consumer loop over the in-memory source: poison is dead-lettered, counted and
committed past; good events reach the handler; the commit comes only after the handler; a
transient failure retries the same batch after a backoff (not ready meanwhile); a refused
commit is counted and the loop goes on; a bug propagates with nothing committed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.consumer import Backoff, CommitRefused, ConsumerLoop, ConsumerProgress
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.memory_source import InMemorySource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.publisher import BrokerUnavailable, RecordingPublisher
from academichub.broker.records import RawEvent
from academichub.contracts import (
    DeadLetter,
    Match,
    Paper,
    PaperMatches,
    RadarChange,
    TopicName,
    encode_event,
)
from academichub.contracts.examples import MATCH, PAPER, RADAR_CHANGE_UPSERT
from academichub.platform.errors import PoisonEvent
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryDeadLetters


def paper(n: int) -> Paper:
    return Paper.model_validate({**PAPER, "id": f"arxiv:2606.{n:05d}"})


def record(offset: int, value: bytes | None, partition: int = 0, ts: int = 1000) -> RawEvent:
    return RawEvent(partition, offset, b"key", value, timestamp_ms=ts)


@dataclass
class Rig:
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    sent_log: InMemoryDeadLetters | None = None
    handled: list[list[Paper]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.metrics = ConsumerMetrics(self.registry)

    def loop(
        self,
        source: InMemorySource,
        handle: Callable[[list[Paper]], object] | None = None,
        topic: TopicName = TopicName.PAPERS,
        backoff: Backoff | None = None,
    ) -> ConsumerLoop[Paper]:
        async def record_batch(events: list[Paper]) -> None:
            self.handled.append(events)
            if handle is not None:
                handle(events)

        sent = AsyncStore.inline(self.sent_log) if self.sent_log is not None else None
        return ConsumerLoop(
            topic=topic,
            event=Paper,
            source=source,
            handle=record_batch,
            dead_letters=DeadLetters(self.publisher, service="test", sent=sent),
            metrics=self.metrics,
            backoff=backoff,
        )

    def letters(self, topic: TopicName = TopicName.PAPERS_DLQ) -> list[DeadLetter]:
        found = self.publisher.on(topic)
        assert all(isinstance(letter, DeadLetter) for letter in found)
        return found  # type: ignore[return-value]

    def poison(self, topic: str = "papers") -> float:
        value = self.registry.get_sample_value("academichub_poison_events_total", {"topic": topic})
        return value or 0.0


async def test_poison_is_dead_lettered_counted_and_committed_past_with_its_batch() -> None:
    rig = Rig()
    source = InMemorySource.of(
        [
            record(0, encode_event(paper(1))),
            record(1, b"[" * 100_000),
            record(2, None),
            record(3, encode_event(paper(2))),
            record(4, b'{"schema_version": 1, "id": 5}'),
        ]
    )
    assert await rig.loop(source).step() == 5
    assert [[p.id for p in batch] for batch in rig.handled] == [
        ["arxiv:2606.00001", "arxiv:2606.00002"]
    ]
    letters = rig.letters()
    assert [(letter.offset, letter.topic, letter.service) for letter in letters] == [
        (1, "papers", "test"),
        (2, "papers", "test"),
        (4, "papers", "test"),
    ]
    assert "deeper than" in letters[0].error
    assert "no value" in letters[1].error
    assert "invalid Paper" in letters[2].error
    assert rig.poison() == 3
    assert source.committed == {0: 5}


async def test_a_batch_of_only_poison_is_committed_without_calling_the_handler() -> None:
    rig = Rig()
    source = InMemorySource.of([record(7, b"\xff\xfe"), record(8, b"{not json")])
    await rig.loop(source).step()
    assert rig.handled == []
    assert rig.poison() == 2
    assert source.committed == {0: 9}


async def test_the_commit_comes_only_after_the_handler_returned() -> None:
    rig = Rig()
    source = InMemorySource.of(
        [record(0, encode_event(paper(1))), record(0, encode_event(paper(2)), partition=3)]
    )
    seen_commits: list[int] = []
    await rig.loop(source, handle=lambda _: seen_commits.append(source.commits)).step()
    assert seen_commits == [0]
    assert source.commits == 1
    assert source.committed == {0: 1, 3: 1}


async def test_a_handler_failure_propagates_and_nothing_is_committed() -> None:
    rig = Rig()
    source = InMemorySource.of([record(0, encode_event(paper(1))), record(1, b"oops")])

    def bug(_: list[Paper]) -> None:
        raise RuntimeError("a bug in the handler")

    loop = rig.loop(source, handle=bug)
    with pytest.raises(RuntimeError, match="a bug in the handler"):
        await loop.run(asyncio.Event())
    assert source.commits == 0
    assert source.committed == {}
    assert not loop.progress.running


async def test_a_check_refuses_a_decoded_event_as_poison() -> None:
    publisher = RecordingPublisher()
    changes: list[RadarChange] = []

    async def apply(events: list[RadarChange]) -> None:
        changes.extend(events)

    def refuse_rev_three(change: RadarChange) -> None:
        if change.revision == 3:
            raise PoisonEvent("radars: revision three is refused")

    two = {**RADAR_CHANGE_UPSERT, "revision": 2, "radar": {**RADAR_CHANGE_UPSERT["radar"]}}
    two["radar"]["revision"] = 2
    assert RADAR_CHANGE_UPSERT["revision"] == 3
    source = InMemorySource.of(
        [
            record(0, json.dumps(RADAR_CHANGE_UPSERT).encode()),
            record(1, json.dumps(two).encode()),
        ]
    )
    registry = CollectorRegistry()
    loop = ConsumerLoop(
        topic=TopicName.RADARS,
        event=RadarChange,
        source=source,
        handle=apply,
        dead_letters=DeadLetters(publisher, service="test"),
        metrics=ConsumerMetrics(registry),
        check=refuse_rev_three,
    )
    await loop.step()
    assert [c.revision for c in changes] == [2]
    (letter,) = publisher.on(TopicName.RADARS_DLQ)
    assert isinstance(letter, DeadLetter)
    assert letter.offset == 0
    assert "revision three is refused" in letter.error
    assert registry.get_sample_value("academichub_poison_events_total", {"topic": "radars"}) == 1


def test_a_loop_must_consume_its_topics_event_type() -> None:
    rig = Rig()
    with pytest.raises(ValueError, match="carries PaperMatches, not Paper"):
        ConsumerLoop(
            topic=TopicName.MATCHES,
            event=Paper,
            source=InMemorySource(),
            handle=lambda events: asyncio.sleep(0),
            dead_letters=DeadLetters(rig.publisher, service="test"),
            metrics=rig.metrics,
        )
    assert Match.model_validate(MATCH)  # the example the other tests lean on is valid
    assert list(PaperMatches.model_validate(MATCH).each()) == [Match.model_validate(MATCH)]


async def test_run_stops_when_told_and_records_its_progress() -> None:
    rig = Rig()
    drained = asyncio.Event()
    source = InMemorySource.of([record(0, encode_event(paper(1)))], drained=drained)
    loop = rig.loop(source)
    assert loop.progress.describe(5) == "not running"
    await asyncio.wait_for(loop.run(drained), 5)
    assert source.committed == {0: 1}
    assert loop.progress.last_commit_at is not None
    assert loop.progress.describe(5) == "stopped"
    committed = rig.registry.get_sample_value(
        "academichub_consumer_last_commit_timestamp_seconds", {"topic": "papers"}
    )
    assert committed is not None
    assert committed > 0
    assert rig.registry.get_sample_value("academichub_consumed_events_total", {"topic": "papers"})


def test_progress_says_when_a_consumer_stopped_polling() -> None:
    now = [100.0]
    progress = ConsumerProgress(clock=lambda: now[0])
    assert not progress.consuming(30)
    progress.started()
    assert progress.describe(30) == "starting (no poll yet)"
    progress.polled()
    assert progress.consuming(30)
    now[0] += 31
    assert not progress.consuming(30)
    assert progress.describe(30) == "no poll for 31s"
    progress.stopped()
    assert progress.describe(30) == "stopped"


async def test_a_re_reading_consumer_dead_letters_each_record_once_across_restarts() -> None:
    rig = Rig(sent_log=InMemoryDeadLetters())
    poison = [record(0, b"{not json"), record(1, b"[" * 5000)]
    for _ in range(3):  # the follower reads its topic from offset 0 on every start
        await rig.loop(InMemorySource.of(poison)).step()
    assert [letter.offset for letter in rig.letters()] == [0, 1]
    assert rig.poison() == 2
    # The topic made again: offsets restart at 0, its records were written at another time.
    await rig.loop(InMemorySource.of([record(0, b"{not json", ts=999_999)])).step()
    assert [letter.offset for letter in rig.letters()] == [0, 1, 0]
    assert rig.poison() == 3


@dataclass
class Flaky:
    """A handler failing transiently ``failures`` times (the broker away), then working."""

    failures: int
    calls: int = 0

    def __call__(self, _: list[Paper]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise BrokerUnavailable("papers: the broker is unavailable: KafkaConnectionError")


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.001)


def quick() -> Backoff:
    return Backoff(initial=0.001, cap=0.002)


async def test_a_transient_failure_retries_the_same_batch_then_commits() -> None:
    rig = Rig()
    source = InMemorySource.of([record(0, encode_event(paper(1))), record(1, b"oops")])
    flaky = Flaky(failures=3)
    states: list[str] = []

    def handle(papers: list[Paper]) -> None:
        states.append(loop.progress.describe(60))  # what readiness says meanwhile
        flaky(papers)

    loop = rig.loop(source, handle=handle, backoff=quick())
    loop.progress.started()
    assert await loop.step() == 2
    assert flaky.calls == 4
    assert [len(batch) for batch in rig.handled] == [1, 1, 1, 1]  # the same batch each time
    assert len(rig.letters()) == 1  # the poison was dead-lettered once, not per retry
    assert source.committed == {0: 2}
    assert states[0] == "starting (no poll yet)" or states[0] == "ok"
    assert all(s.startswith("retrying a batch for") for s in states[1:])
    assert "broker is unavailable" in states[1]
    assert loop.progress.describe(60) == "ok"
    assert (
        rig.registry.get_sample_value("academichub_consumer_retries_total", {"topic": "papers"})
        == 3
    )


async def test_a_dead_letter_that_cannot_be_sent_is_retried_and_sent_once() -> None:
    rig = Rig()
    rig.publisher.fail_with = BrokerUnavailable("papers.dlq: the broker is unavailable")
    source = InMemorySource.of([record(0, b"{not json")])
    loop = rig.loop(source, backoff=quick())
    task = asyncio.create_task(loop.step())
    await until(
        lambda: (
            rig.registry.get_sample_value("academichub_consumer_retries_total", {"topic": "papers"})
            is not None
        )
    )
    assert source.commits == 0
    rig.publisher.fail_with = None
    assert await asyncio.wait_for(task, 5) == 1
    assert len(rig.letters()) == 1
    assert source.committed == {0: 1}


async def test_stop_while_a_batch_waits_for_a_retry_leaves_it_uncommitted() -> None:
    rig = Rig()
    source = InMemorySource.of([record(0, encode_event(paper(1)))])
    loop = rig.loop(source, handle=Flaky(failures=1_000_000), backoff=Backoff(30, 30))
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    await until(lambda: bool(rig.handled))
    stop.set()
    await asyncio.wait_for(task, 5)  # not the 30 s of the backoff
    assert source.commits == 0


@dataclass
class RefusingSource(InMemorySource):
    reason: str = "rebalance"

    async def commit(self, events: Sequence[RawEvent]) -> None:
        raise CommitRefused(self.reason, "the group forgot this member")


async def test_a_refused_commit_is_counted_and_the_loop_goes_on() -> None:
    rig = Rig()
    source = RefusingSource.of(
        [record(0, encode_event(paper(1)))], [record(1, encode_event(paper(2)))]
    )
    loop = rig.loop(source)
    assert await loop.step() == 1
    assert await loop.step() == 1
    assert len(rig.handled) == 2
    refused = rig.registry.get_sample_value(
        "academichub_consumer_commit_failures_total", {"topic": "papers", "reason": "rebalance"}
    )
    assert refused == 2
    assert loop.progress.last_commit_at is None


def test_liveness_fails_only_for_a_running_loop_that_stopped_polling() -> None:
    now = [0.0]
    progress = ConsumerProgress(clock=lambda: now[0])
    now[0] = 1000.0
    assert progress.liveness(300) == "ok"  # not started yet: starting up is not stuck
    progress.started()
    now[0] += 299
    assert progress.liveness(300) == "ok"
    now[0] += 2
    assert progress.liveness(300) == "no poll for 301s (the limit is 300s)"
    progress.polled()
    assert progress.liveness(300) == "ok"
    progress.retrying("the broker is unavailable")
    now[0] += 301
    assert progress.liveness(300).startswith("no poll for 301s")
    assert progress.describe(60).startswith("retrying a batch for 301s")
    progress.stopped()
    assert progress.liveness(300) == "ok"  # stopping is not stuck


def test_backoff_doubles_to_its_cap_with_jitter() -> None:
    low = Backoff(initial=0.5, cap=30, jitter=lambda: 0.0)
    high = Backoff(initial=0.5, cap=30, jitter=lambda: 1.0)
    assert [high.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [low.delay(n) for n in (1, 2, 3)] == [0.25, 0.5, 1.0]
    assert high.delay(100) == 30
    with pytest.raises(ValueError, match="initial <= cap"):
        Backoff(initial=0)
