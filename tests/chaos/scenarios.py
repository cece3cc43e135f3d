"""Faults and probes the chaos modules share: one world per module and broker kind, its
table written when the module ends, and the scenarios run on more than one broker."""

from __future__ import annotations

import asyncio
import collections
import json
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError

from academichub.contracts import RadarChange, TopicName
from academichub.contracts.decoding import MAX_EVENT_BYTES
from academichub.contracts.examples import MATCH, PAPER, RADAR_CHANGE_UPSERT
from tests.chaos.world import OAI_PAGE, Day, Row, World, chaos_world, parse, write_table
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def world_on(
    broker: BrokerUnderTest, folder: Path, request: pytest.FixtureRequest, table: str
) -> Iterator[World]:
    """A chaos world on ``broker`` (started here, stopped after); when the module is
    done, its rows are written to ``test-artifacts/<table>`` and shown in the summary,
    failed rows included."""
    broker.start()
    try:
        with chaos_world(folder / "system", broker) as world:
            try:
                yield world
            finally:
                text = write_table(world.rows, ARTIFACTS / table)
                reporter = request.config.pluginmanager.get_plugin("terminalreporter")
                if reporter is not None:
                    reporter.write_line(f"\nchaos suite ({broker.kind}), {table}:\n{text}")
    finally:
        broker.stop()


def wait_until(what: str, world: World, condition: Callable[[], bool], timeout: float = 90) -> None:
    world.system.wait_for(what, condition, timeout=timeout)


def ready(world: World, service: str) -> Callable[[], bool]:
    return lambda: httpx.get(world.url(service, "/readyz"), timeout=5).status_code == 200


def not_ready(world: World, service: str) -> Callable[[], bool]:
    return lambda: httpx.get(world.url(service, "/readyz"), timeout=10).status_code == 503


def kill(world: World, service: str) -> None:
    """SIGKILL ``service`` and start it again."""
    assert world.system.stop(service, sig=signal.SIGKILL, grace=10) == -signal.SIGKILL
    world.system.start(service)


def metric(world: World, service: str, name: str, having: str = "") -> float:
    """The sum of a metric's samples on one service's /metrics (those whose line holds
    ``having``, a label such as ``outcome="published"``, when given)."""
    text = httpx.get(world.url(service, "/metrics"), timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name)
        and line[len(name) : len(name) + 1] in ("{", " ")
        and having in line
    )


REPUBLISHED = ("ingestor", "academichub_ingestor_republished_papers_total")
RECOVERED = ("briefer", "academichub_briefer_recovered_matches_total")


def recovery_counters(world: World) -> tuple[float, float]:
    """Papers the ingestor published again and matches the briefer queued from the store,
    as their processes have counted them since they started."""
    return metric(world, *REPUBLISHED), metric(world, *RECOVERED)


def recovered(world: World, before: tuple[float, float] = (0.0, 0.0)) -> str:
    """What the services recovered from the store since ``before`` (their counters then;
    zeros for a process started since)."""
    papers, matches = (
        now - then for now, then in zip(recovery_counters(world), before, strict=True)
    )
    return f"{papers:g} papers published again, {matches:g} matches queued from the store"


def start_day_zero(world: World, *, stored_at_least: int) -> None:
    """The ingestor started on the two recordings of day 0 (the bundled quant-ph RSS, 81
    papers, and the recorded OAI page, 1,000); returns once ``stored_at_least`` papers are
    stored, so a fault can strike mid-stream."""
    world.add_day(Day("bundled quant-ph", parse("arxiv-rss", QUANT_PH_RSS.read_bytes())))
    world.add_day(Day("bundled oai", parse("arxiv-oai", OAI_PAGE.read_bytes())))
    world.system.start("ingestor")
    wait_until(
        "day 0 to be mid-stream", world, lambda: world.stored_count() >= stored_at_least, 120
    )


def broker_restart_mid_stream(world: World, *, day: int) -> None:
    """The broker stopped while a day of 300 papers (from the OAI recording) is in flight,
    a radar created while it is down, then started again: everything must still arrive,
    and while it is away the consumers must say they are not ready."""
    before = world.stored_count()
    world.publish_oai_day(day, records=300)
    wait_until("the day to be mid-stream", world, lambda: world.stored_count() >= before + 50)
    in_flight = len(world.expected_papers()) - world.stored_count()
    counted = recovery_counters(world)
    broker = world.system.broker
    broker.stop()
    # A radar made while the broker is down: saved at once, announced when it is back.
    made = world.create_radar("outage", "zeugmatic")
    assert made.status_code == 201, made.text
    for service in ("matcher", "briefer"):
        wait_until(f"{service} to say it is not ready", world, not_ready(world, service), 30)
    broker.start()
    ended = time.monotonic()
    lost_everything = broker.kind == "tansu"  # Tansu keeps its topics in memory only
    if lost_everything:
        world.poison.clear()  # the dead-letter topics went with the rest
    world.wait_for_radars("the matcher to hold the radar made during the outage")
    world.judge("outage", "zeugmatic", made.json()["id"])
    row = world.settle(
        f"broker restart mid-stream ({'Tansu: topics lost' if lost_everything else 'Kafka'})",
        since=ended,
        within=180,
    )
    row.note = f"{in_flight} papers in flight; {recovered(world, counted)}"
    for service in ("matcher", "briefer", "ingestor", "gateway"):
        wait_until(f"{service} to be ready again", world, ready(world, service))
    world.quiet_oai()


def poison_events() -> dict[TopicName, list[bytes | None]]:
    """A poison event of every kind, for each consumed topic."""
    every_topic: list[bytes | None] = [
        None,  # no value
        b"x" * (MAX_EVENT_BYTES + 1),  # too large
        b'{"schema_version": 1, "title": "\xff\xfe"}',  # not UTF-8
        b"[" * 100_000,  # too deeply nested
        b'{"schema_version": 1,',  # not JSON
        b"[1, 2, 3]",  # not an object
        b'{"schema_version": 99}',  # a schema this build does not read
    ]
    paper_wrong = {**PAPER, "published": "not a date", "authors": 7}
    match_wrong = {**MATCH, "score": "high"}
    radar_unparsable = {
        **RADAR_CHANGE_UPSERT,
        "radar": {**RADAR_CHANGE_UPSERT["radar"], "query": "quantum AND ("},
    }
    return {
        TopicName.PAPERS: [*every_topic, json.dumps(paper_wrong).encode()],
        TopicName.MATCHES: [*every_topic, json.dumps(match_wrong).encode()],
        TopicName.RADARS: [*every_topic, json.dumps(radar_unparsable).encode()],
    }


async def send_poison(
    servers: str, events: dict[TopicName, list[bytes | None]]
) -> collections.Counter[str]:
    """Send ``events``; return how many of each topic's the broker took. Apache Kafka
    refuses the oversized one itself (message.max.bytes): it never reaches a consumer."""
    producer = AIOKafkaProducer(
        bootstrap_servers=servers,
        acks="all",
        enable_idempotence=False,
        max_request_size=4 * MAX_EVENT_BYTES,
    )
    sent: collections.Counter[str] = collections.Counter()
    await producer.start()
    try:
        for topic, values in events.items():
            for n, value in enumerate(values):
                try:
                    await producer.send_and_wait(str(topic), value, key=f"poison-{n}".encode())
                except MessageSizeTooLargeError:
                    continue
                sent[str(topic)] += 1
    finally:
        await producer.stop()
    return sent


def poison_of_every_kind(world: World, then: Callable[[], object]) -> Row:
    """A poison event of every kind on each consumed topic, then ``then`` (publish a day):
    the stream must go on past the poison, and the dead-letter topics hold exactly it."""
    events = poison_events()
    assert RadarChange.model_validate(RADAR_CHANGE_UPSERT)  # the base is valid
    sent = asyncio.run(send_poison(world.servers, events))
    ended = time.monotonic()
    world.poison += sent
    then()
    refused = sum(len(v) for v in events.values()) - sent.total()
    row = world.settle(
        "poison of every kind on papers, radars, matches",
        since=ended,
        note=f"{sent.total()} poison events"
        + (f" ({refused} refused by the broker itself)" if refused else ""),
    )
    assert row.letters_found == row.letters_expected
    return row
