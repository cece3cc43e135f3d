"""The chaos suite (issue 13.8): one system, one fault after another, and after each the
store must say that nothing was lost, duplicated or left unbriefed (:mod:`.world`).

The scenarios run in order on one system (the broker is Tansu, the one-machine default;
``test_chaos_kafka.py`` repeats the broker restart on Apache Kafka when the kit is given).
A day is a copy of a recording with its arXiv ids moved, so every day is new papers:

1. SIGKILL of the matcher while it stores and matches day 0 (the bundled quant-ph RSS and
   the recorded 1,000-paper OAI page), then a restart;
2. SIGKILL of the briefer while a day is matched and briefed;
3. SIGKILL of the ingestor as it publishes a day;
4. SIGKILL of the gateway while radars are being created, the client retrying each with
   its Idempotency-Key;
5. a broker restart while a day of 300 papers is in flight, a radar created while the
   broker is down (Tansu comes back empty: topics, offsets and groups lost), the matcher
   and the briefer not ready meanwhile;
6. a broker restart while a day's matches wait in ``matches`` (the briefer stopped) and
   the next day's papers in ``papers`` (the matcher stopped): the ingestor must publish
   the papers again from its sent outbox, the briefer queue the matches from the store;
7. a poison event of every kind on each consumed topic;
8. a hostile feed (a 1 MB abstract, NUL and bidi overrides, an invalid UTF-8 byte) and a
   feed bomb (gzip inside gzip);
9. a model that hangs, then fails, then answers garbage, then comes back;
10. SIGTERM of every service mid-stream: each exits 0 within its grace period, then all
    start again.

The table of every scenario is printed at the end and written to
``test-artifacts/chaos.md``.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.chaos.scenarios import (
    REPUBLISHED,
    broker_restart_mid_stream,
    kill,
    metric,
    poison_of_every_kind,
    ready,
    recovered,
    recovery_counters,
    start_day_zero,
    wait_until,
    world_on,
)
from tests.chaos.world import RSS, World, rss_day
from tests.support.brokers import TansuBroker
from tests.support.feed_server import Route

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("chaos")
    broker = TansuBroker(log_path=folder / "tansu.log")
    with world_on(broker, folder, request, "chaos.md") as world:
        yield world


@pytest.fixture(autouse=True)
def every_service_running(world: World) -> None:
    """A scenario that failed half-way may leave a service stopped: start it again, so the
    next scenario fails (or not) for its own reasons. Day 0 starts the ingestor itself."""
    if world.days:
        for name in ("ingestor", "matcher", "briefer", "gateway"):
            if name not in world.system.processes:
                world.system.start(name)


def test_sigkill_matcher_mid_stream(world: World) -> None:
    start_day_zero(world, stored_at_least=300)
    stored = world.stored_count()
    kill(world, "matcher")
    world.settle("SIGKILL matcher mid-stream", since=time.monotonic(), note=f"at {stored} papers")


def test_sigkill_briefer_mid_stream(world: World) -> None:
    before = world.stored_count()
    world.publish_rss_day(1)
    wait_until("the day to be mid-stream", world, lambda: world.stored_count() > before)
    kill(world, "briefer")
    world.settle("SIGKILL briefer mid-stream", since=time.monotonic())


def test_sigkill_ingestor_as_it_publishes(world: World) -> None:
    before = world.stored_count()
    world.publish_rss_day(2)
    wait_until("the day to arrive", world, lambda: world.stored_count() > before, timeout=30)
    kill(world, "ingestor")
    world.settle("SIGKILL ingestor as it publishes", since=time.monotonic())


def test_sigkill_gateway_during_radar_creation(world: World) -> None:
    names = [f"retried-{n}" for n in range(5)]
    queries = {
        name: f"quantum AND ({word} OR spin)"
        for name, word in zip(names, ("dot", "photon", "cavity", "spin", "gate"), strict=True)
    }
    created: dict[str, str] = {}

    def client() -> None:
        for name in names:
            deadline = time.monotonic() + 60
            while name not in created and time.monotonic() < deadline:
                try:
                    answer = world.create_radar(name, queries[name], key=f"key-{name}")
                    if answer.status_code == 201:
                        created[name] = answer.json()["id"]
                except httpx.HTTPError:
                    time.sleep(0.2)  # the gateway is down: retry with the same key

    thread = threading.Thread(target=client)
    thread.start()
    wait_until("two radars created", world, lambda: len(created) >= 2, timeout=30)
    kill(world, "gateway")
    ended = time.monotonic()
    thread.join(90)
    assert sorted(created) == names
    # The client may have had every answer before the kill: ask the gateway when it is back.
    wait_until("the gateway back", world, ready(world, "gateway"))
    # Every request sent again: the same radar back, none made twice.
    for name in names:
        again = world.create_radar(name, queries[name], key=f"key-{name}")
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == created[name]
    stored = [r for r in world.store.radars.list_radars() if r.name in queries]
    assert sorted(r.name for r in stored) == names
    world.wait_for_radars("the matcher to hold every radar created while the gateway died")
    for name in names:
        world.judge(name, queries[name], created[name])
    world.publish_rss_day(3)
    world.settle("SIGKILL gateway during radar creation", since=ended, note="5 keyed radars")


def test_broker_restart_mid_stream(world: World) -> None:
    broker_restart_mid_stream(world, day=4)


def test_broker_restart_with_papers_and_matches_waiting(world: World) -> None:
    """What the broker held and nobody had consumed yet: the briefer stopped while a day is
    matched (its matches wait in ``matches``), the matcher stopped while the next day is
    published (its papers wait in ``papers``), then the broker restarted (Tansu loses
    both). Without anyone asking, the ingestor publishes the papers again from its sent
    outbox and the briefer queues the matches from the store."""
    assert world.system.stop("briefer") == 0
    world.publish_rss_day(13)
    wait_until(
        "the day to be matched", world, lambda: world.row("", None, letters=False).missing == 0
    )
    assert world.system.stop("matcher") == 0
    republished = metric(world, *REPUBLISHED)  # the briefer is down: ask only the ingestor
    log_before = len(world.system.log("ingestor"))
    world.publish_rss_day(12)
    wait_until(
        "the ingestor to publish the next day",
        world,
        lambda: PUBLISHED_DAY.search(world.system.log("ingestor")[log_before:]) is not None,
    )
    broker = world.system.broker
    broker.stop()
    broker.start()
    world.poison.clear()  # Tansu lost its topics, the dead-letter topics included
    world.system.start("matcher")
    world.system.start("briefer")
    ended = time.monotonic()
    row = world.settle("broker restart, papers and matches waiting (Tansu: lost)", since=ended)
    row.note = recovered(world, (republished, 0.0))  # the briefer started again
    papers, matches = recovery_counters(world)
    assert papers > republished
    assert matches > 0


PUBLISHED_DAY = re.compile(r"days: \d+ entries, [1-9]\d* published")


def test_poison_of_every_kind_on_each_topic(world: World) -> None:
    # The stream goes on past the poison: a day whose first paper only the outage radar
    # made during the broker restart matches.
    poison_of_every_kind(world, lambda: world.publish_rss_day(5, marker="Zeugmatic"))
    outage = world.store.matches.matches_for_radar(world.radar_ids["outage"], limit=100)
    assert len(outage) >= 1


def hostile_rss() -> bytes:
    body = rss_day(6)
    huge = b"We show that the operator is self-adjoint. " * 25_000  # 1.1 MB
    body = re.sub(rb"(Abstract: )", lambda m: m.group(1) + huge, body, count=1)
    # NUL, a right-to-left override and an invalid UTF-8 byte in titles and abstracts.
    titles = [m.start() for m in re.finditer(rb"<title>", body)]
    for at, hazard in zip(
        reversed(titles[2:5]),
        (b"\xe2\x80\xaegnp.exe ", b"nul\x00here ", b"bad\xffbyte "),
        strict=True,
    ):
        body = body[: at + 7] + hazard + body[at + 7 :]
    return body


def test_hostile_feed_and_feed_bomb(world: World) -> None:
    world.publish_hostile(hostile_rss())
    inflated = b"<rss>" + b" " * 50_000_000 + b"</rss>"
    world.feeds.routes["/bomb"] = Route(
        gzip.compress(gzip.compress(inflated)), RSS, headers={"Content-Encoding": "gzip, gzip"}
    )
    ended = time.monotonic()

    def bomb_refused() -> bool:
        sources = httpx.get(
            world.url("gateway", "/api/sources"), headers=world.system.headers, timeout=5
        ).json()
        bomb = next(s for s in sources["sources"] if s["name"] == "bomb")
        return "encoded 2 times" in (bomb.get("last_error") or "")

    world.settle("hostile feed, and a gzip-in-gzip bomb", since=ended)
    wait_until("the bomb's refusal to be shown", world, bomb_refused, timeout=30)


def test_model_hangs_fails_and_answers_garbage(world: World) -> None:
    for k, (mode, label) in enumerate(
        [("hang", "hangs"), ("fail", "fails (HTTP 500)"), ("garbage", "answers garbage")], 7
    ):
        world.model_mode = mode
        world.publish_rss_day(k)
        world.settle(f"model {label}", since=time.monotonic())
    degraded = sum(
        1
        for radar_id in world.radar_ids.values()
        for b in world.store.briefings.briefings_for_radar(radar_id, limit=1000)
        if b.degraded
    )
    assert degraded > 0  # briefed extractively meanwhile
    world.model_mode = "ok"
    back = time.monotonic()

    def upgraded() -> bool:
        return not world.store.briefer.briefings_to_upgrade(limit=1)

    wait_until("the degraded briefings to be upgraded", world, upgraded, timeout=120)
    world.settle("model back: degraded briefings upgraded", since=back, note=f"{degraded} degraded")


# ACADEMICHUB_STOP_GRACE_SECONDS is 3 here; the rest of the bound is for closing what the
# service opened (a producer's flush, leaving the group) on a machine shared by others.
STOPS_WITHIN = 3 + 12


def test_sigterm_stops_every_service_mid_stream_within_its_grace(world: World) -> None:
    before = world.stored_count()
    world.publish_rss_day(11)
    wait_until("the day to be mid-stream", world, lambda: world.stored_count() > before)
    processes = dict(world.system.processes)
    for process in processes.values():
        process.send_signal(signal.SIGTERM)  # once, as an orchestrator does
    exits: dict[str, int | None] = {}
    for name, process in processes.items():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOPS_WITHIN)
        exits[name] = process.poll()
        world.system.stop(name, sig=signal.SIGKILL)  # no-op unless it is still running
    assert exits == dict.fromkeys(processes, 0)
    for name in processes:
        assert f"{name} stopped" in world.system.log(name)
    for name in processes:
        world.system.start(name)
    ended = time.monotonic()
    world.settle("SIGTERM every service mid-stream, then start", since=ended)
