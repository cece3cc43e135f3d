"""``academichub bench pipeline``: the matcher as a researcher meets it, end to end.

For each radar count: radars drawn as ``bench match`` draws them are stored in a fresh
embedded store; ``academichub matcher`` runs as a process on a broker (a local Tansu
started here, or ``--bootstrap-servers``); once it answers ``/readyz`` a burst of papers
is published to ``papers`` and every event on ``matches`` is read back here. Printed:
seconds from the burst to the last match, papers/s and matches/s over that time, p50/p99
from a paper's publication to the event carrying its match, the time from the process's
start to ready (a restart: the matcher is started once before, which compiles the
radars and leaves its index snapshot; that first start's time is printed too), and its
peak RSS. Then, in this process and on the same radars and
papers, :meth:`MatchingPipeline.process` in batches as the service cuts them (on a fresh
store) and :meth:`RadarIndex.match` alone, so the three rates are measured side by side.

The burst is the recorded corpus (``bench match``'s papers), repeated under fresh ids
up to ``--papers``: every paper is new to the store, as on an announcement day.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel

from academichub.bench.corpus import recorded_papers
from academichub.bench.match import Vocabulary, make_radar_queries
from academichub.broker.local import LocalBroker, free_port
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Paper, PaperMatches, Radar, TopicName
from academichub.contracts.decoding import decode_event
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.settings import MatcherSettings
from academichub.platform.heap import building_long_lived
from academichub.radar.document import PaperDocument
from academichub.store.embedded import EmbeddedStore

BATCH = MatcherSettings.model_fields["batch_size"].default
READY_WITHIN_SECONDS = 600.0
# The burst is over when every paper was consumed and no match arrived for this long.
QUIET_SECONDS = 3.0


@dataclass(frozen=True)
class PipelineRow:
    radars: int
    papers: int
    seconds_to_last_match: float
    papers_per_s: float
    matches_per_s: float
    p50_s: float
    p99_s: float
    ready_s: float
    rss_mb: float
    process_papers_per_s: float
    index_papers_per_s: float
    matches: int
    process_matches: int
    cold_ready_s: float  # the first start, with no index snapshot yet


def burst_papers(count: int) -> list[Paper]:
    """``count`` papers: the recorded ones, then copies of them under fresh arXiv ids."""
    corpus = recorded_papers()
    papers = list(corpus[:count])
    copy = 0
    while len(papers) < count:
        source = corpus[copy % len(corpus)]
        papers.append(source.model_copy(update={"id": f"arxiv:2699.{copy:05d}", "version": 1}))
        copy += 1
    return papers


def bench_radars(count: int) -> list[Radar]:
    vocab = Vocabulary(recorded_papers())
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    return [
        Radar(
            id=f"r{i}",
            owner=f"u{i % 1000}",
            name=f"radar {i}",
            query=q,
            created_at=now,
            updated_at=now,
        )
        for i, q in enumerate(make_radar_queries(count, vocab))
    ]


def run_bench_pipeline(
    counts: Sequence[int],
    papers: int,
    bootstrap_servers: str | None = None,
    as_json: bool = False,
) -> int:
    # The matcher's own log is in its file; here only what the bench says.
    for noisy in ("httpx", "aiokafka", "academichub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    burst = burst_papers(papers)
    if not as_json:
        print(
            f"burst: {len(burst)} papers ({len(recorded_papers())} recorded, the rest copies "
            f"under fresh ids); matcher batches of {BATCH}"
        )
        print(
            f"{'radars':>8} {'to last s':>10} {'papers/s':>9} {'matches/s':>10} {'p50 s':>7} "
            f"{'p99 s':>7} {'ready s':>8} {'1st start':>9} {'RSS MB':>7} {'process/s':>10} "
            f"{'index/s':>9} "
            f"{'same matches':>13}"
        )
    failed = False
    for count in counts:
        row = _one_count(count, burst, bootstrap_servers)
        failed |= row.matches != row.process_matches
        if as_json:
            print(json.dumps(asdict(row)), flush=True)
        else:
            same = (
                "yes"
                if row.matches == row.process_matches
                else (f"{row.matches} vs {row.process_matches}")
            )
            print(
                f"{row.radars:>8} {row.seconds_to_last_match:>10.2f} {row.papers_per_s:>9.0f} "
                f"{row.matches_per_s:>10.0f} {row.p50_s:>7.2f} {row.p99_s:>7.2f} "
                f"{row.ready_s:>8.2f} {row.cold_ready_s:>9.2f} {row.rss_mb:>7.0f} "
                f"{row.process_papers_per_s:>10.0f} "
                f"{row.index_papers_per_s:>9.0f} {same:>13}",
                flush=True,
            )
    if failed and not as_json:
        print("the service and MatchingPipeline.process emitted different numbers of matches")
    return 1 if failed else 0


def _one_count(count: int, burst: list[Paper], bootstrap_servers: str | None) -> PipelineRow:
    radars = bench_radars(count)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = Path(tmp)
        _store_radars(root / "service", radars)
        with _broker(bootstrap_servers, root / "broker.log") as servers:
            try:
                service = _service_run(servers, root, burst)
            except RuntimeError:
                log = root / "matcher.log"
                if log.exists():
                    print(log.read_text()[-5000:], file=sys.stderr)
                raise
        process_rate, index_rate, process_matches = _in_process(root / "process", radars, burst)
    return PipelineRow(
        radars=count,
        papers=len(burst),
        seconds_to_last_match=service.seconds_to_last_match,
        papers_per_s=service.papers_per_s,
        matches_per_s=service.matches_per_s,
        p50_s=service.p50_s,
        p99_s=service.p99_s,
        ready_s=service.ready_s,
        cold_ready_s=service.cold_ready_s,
        rss_mb=service.rss_mb,
        process_papers_per_s=process_rate,
        index_papers_per_s=index_rate,
        matches=service.matches,
        process_matches=process_matches,
    )


def _store_radars(data_dir: Path, radars: Sequence[Radar]) -> None:
    store = EmbeddedStore(data_dir, index_writer=True)
    try:
        for radar in radars:
            store.radars.put_radar(radar)
    finally:
        store.close()


@contextlib.contextmanager
def _broker(bootstrap_servers: str | None, log_path: Path) -> Iterator[str]:
    if bootstrap_servers:
        yield bootstrap_servers
        return
    with LocalBroker(log_path=log_path) as broker:
        yield broker.bootstrap_servers


@dataclass(frozen=True)
class ServiceFigures:
    seconds_to_last_match: float
    papers_per_s: float
    matches_per_s: float
    p50_s: float
    p99_s: float
    ready_s: float
    rss_mb: float
    matches: int
    cold_ready_s: float = 0.0


def _service_run(servers: str, root: Path, burst: list[Paper]) -> ServiceFigures:
    """The matcher started on a store it never saw (it compiles every radar), stopped (it
    writes its index snapshot), started again: that second start's time to ready and its
    burst are what is measured, as a restarted or upgraded-in-place matcher meets them."""
    port = free_port()
    env = {
        **os.environ,
        "ACADEMICHUB_BOOTSTRAP_SERVERS": servers,
        "ACADEMICHUB_DATA_DIR": str(root / "service"),
        "MATCHER_WEB_PORT": str(port),
        # A group of its own: an existing cluster's committed offsets are not ours.
        "MATCHER_GROUP_ID": f"bench-pipeline-{os.getpid()}-{time.time_ns()}",
    }
    started = time.perf_counter()
    matcher = _start_matcher(env, root)
    try:
        cold_s = asyncio.run(_until_ready(port, matcher, started))
    finally:
        _stop(matcher)
    # A group of its own again: the first start's member may still be in its group until
    # its session expires (Tansu keeps it when it stops right after joining), and waiting
    # for that is no part of starting.
    env["MATCHER_GROUP_ID"] += "-restarted"
    started = time.perf_counter()
    matcher = _start_matcher(env, root)
    try:
        return asyncio.run(_watched(servers, port, matcher, started, burst, cold_s))
    finally:
        _stop(matcher)


def _start_matcher(env: dict[str, str], root: Path) -> subprocess.Popen[bytes]:
    with (root / "matcher.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "academichub.cli.main", "matcher"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=root,
        )


def _stop(matcher: subprocess.Popen[bytes]) -> None:
    matcher.send_signal(signal.SIGTERM)
    try:
        matcher.wait(300)
    except subprocess.TimeoutExpired:
        matcher.kill()
        matcher.wait()


async def _watched(
    servers: str,
    port: int,
    matcher: subprocess.Popen[bytes],
    started: float,
    burst: list[Paper],
    cold_ready_s: float,
) -> ServiceFigures:
    consumer = await _matches_consumer(servers)
    try:
        ready_s = await _until_ready(port, matcher, started)
        figures = await _burst(servers, port, consumer, burst, matcher, ready_s)
        return dataclasses.replace(figures, cold_ready_s=cold_ready_s)
    finally:
        await consumer.stop()


async def _matches_consumer(servers: str) -> AIOKafkaConsumer:
    """Every partition of ``matches`` from its current end (an existing cluster's older
    matches are not this burst's)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers, enable_auto_commit=False, client_id="bench-pipeline"
    )
    await consumer.start()
    partitions: set[int] | None = None
    for _ in range(100):
        partitions = consumer.partitions_for_topic(str(TopicName.MATCHES))
        if partitions:
            break
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    if not partitions:
        raise RuntimeError("the broker reports no partitions of 'matches'")
    assigned = [TopicPartition(str(TopicName.MATCHES), p) for p in sorted(partitions)]
    consumer.assign(assigned)
    ends = await consumer.end_offsets(assigned)
    for tp in assigned:
        consumer.seek(tp, ends[tp])
    return consumer


async def _until_ready(port: int, matcher: subprocess.Popen[bytes], started: float) -> float:
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - started < READY_WITHIN_SECONDS:
            if matcher.poll() is not None:
                raise RuntimeError(f"the matcher exited with code {matcher.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                answer = await client.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if answer.status_code == 200:
                    return time.perf_counter() - started
            await asyncio.sleep(0.05)
    raise RuntimeError(f"the matcher was not ready within {READY_WITHIN_SECONDS:.0f}s")


async def _burst(
    servers: str,
    port: int,
    consumer: AIOKafkaConsumer,
    burst: list[Paper],
    matcher: subprocess.Popen[bytes],
    ready_s: float,
) -> ServiceFigures:
    publisher = KafkaPublisher(servers, client_id="bench-pipeline", idempotence="off")
    await publisher.start()
    sent_at: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        for start in range(0, len(burst), BATCH):
            chunk = burst[start : start + BATCH]
            now = time.perf_counter()
            for paper in chunk:
                sent_at[paper.id] = now
            await publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in chunk])
    finally:
        await publisher.stop()
    latencies: list[float] = []
    last = t0
    quiet_since = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=10_000)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    event = decode_event(TopicName.MATCHES, record.value)
                    for paper_id in _paper_ids(event):
                        latencies.append(now - sent_at.get(paper_id, t0))
                    last = now
                    quiet_since = now
            if matcher.poll() is not None:
                raise RuntimeError(f"the matcher exited with code {matcher.returncode}")
            if now - quiet_since >= QUIET_SECONDS:
                consumed, emitted = await _matcher_counts(client, port)
                if consumed >= len(burst) and emitted <= len(latencies):
                    break
                quiet_since = now
    rss = _peak_rss_mb(matcher.pid)
    elapsed = last - t0
    latencies.sort()
    return ServiceFigures(
        seconds_to_last_match=elapsed,
        papers_per_s=len(burst) / elapsed if elapsed else 0.0,
        matches_per_s=len(latencies) / elapsed if elapsed else 0.0,
        p50_s=_quantile(latencies, 0.5),
        p99_s=_quantile(latencies, 0.99),
        ready_s=ready_s,
        rss_mb=rss,
        matches=len(latencies),
    )


def _paper_ids(event: BaseModel) -> list[str]:
    """The paper of each match an event of ``matches`` carries."""
    if isinstance(event, PaperMatches):
        return [event.paper_id] * len(event.matches)
    raise RuntimeError(f"not an event of 'matches': {type(event).__name__}")


async def _matcher_counts(client: httpx.AsyncClient, port: int) -> tuple[float, float]:
    """Papers the matcher consumed and matches it emitted, from its /metrics."""
    text = (await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)).text
    consumed = emitted = 0.0
    for line in text.splitlines():
        if line.startswith("academichub_matcher_papers_total{"):
            consumed += float(line.rsplit(" ", 1)[1])
        elif line.startswith("academichub_matcher_matches_total "):
            emitted = float(line.rsplit(" ", 1)[1])
    return consumed, emitted


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _quantile(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _in_process(
    data_dir: Path, radars: Sequence[Radar], burst: Sequence[Paper]
) -> tuple[float, float, int]:
    """papers/s of MatchingPipeline.process (batches as the service cuts them, matches
    marked emitted as it marks them) on a fresh store, then of the index alone on the same
    papers (after the store is closed: its index writer's merges run on other threads;
    timed over a second pass, the steady state ``bench match`` reports); and how many
    matches the pipeline emitted."""
    registry = RadarRegistry()
    with building_long_lived():
        registry.load(radars)
    store = EmbeddedStore(data_dir, index_writer=True)
    try:
        pipeline = MatchingPipeline(
            papers=store.papers, matches=store.matches, registry=registry, corpus=store.corpus
        )
        emitted = 0
        started = time.perf_counter()
        for start in range(0, len(burst), BATCH):
            outcome = pipeline.process(burst[start : start + BATCH])
            pipeline.emitted(outcome.to_emit)
            emitted += sum(len(found) for found in outcome.to_emit)
        process_rate = len(burst) / (time.perf_counter() - started)
    finally:
        store.close()
    try:
        docs = [PaperDocument.from_paper(p) for p in burst]
        for doc in docs:
            registry.index.match(doc)
        started = time.perf_counter()
        for doc in docs:
            registry.index.match(doc)
        index_rate = len(docs) / (time.perf_counter() - started)
    finally:
        gc.unfreeze()
    return process_rate, index_rate, emitted
