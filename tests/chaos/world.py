"""The whole system under chaos, and what it must still get right afterwards.

A :class:`World` is a broker, the four services as processes (``academichub <service>``,
:mod:`tests.support.system`), a feed server on 127.0.0.1, the recorded arXiv OAI page
(1,000 papers) read from a file as the ingestor reads the bundled recordings, and a
scripted OpenAI-compatible model. Papers arrive in *days*: the bundled quant-ph RSS (81)
and the OAI page on day 0, then copies of either with every arXiv id moved to another
month (new papers, same text) whenever a scenario needs a stream in flight.

What must hold after every fault (:meth:`World.settle`), read from the store itself:

* stored papers equal the feed: every (id, version) the parsed documents hold, no more;
* every radar's matches equal ``academichub match`` (the CLI, as a process) on the papers
  published since the radar existed and, for a radar created after papers were stored,
  on the recent papers its backfill reads, with no duplicate;
* every match is in exactly one briefing window, and no window is left open;
* the dead-letter topics hold exactly the poison sent since the broker last lost them.

Each check is one row of the table printed at the end (and written to
``test-artifacts/chaos.md``): papers expected/stored, matches expected/missing/extra/
duplicated, matches briefed, dead letters expected/found, and the recovery time from the
end of the fault to the moment everything held.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from academichub.contracts import Paper, TopicName
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.replay import replay_dir
from academichub.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES, QUANT_PH_RSS
from tests.integration.briefer.chat_server import ChatServer, Reply, serve_chat, well_behaved
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import FeedServer, Route, serve_feeds
from tests.support.system import System, running_system

OAI_PAGE = replay_dir() / "arxiv-oai_arxivraw-2014-page.xml"
EMPTY_RSS = FIXTURES / "feeds" / "arxiv_rss" / "rss_2024-11-28_archive_test_empty.xml"
RSS = "application/rss+xml; charset=utf-8"
DLQS = (TopicName.PAPERS_DLQ, TopicName.RADARS_DLQ, TopicName.MATCHES_DLQ)
ACADEMICHUB = [sys.executable, "-m", "academichub.cli.main"]

# The radars every scenario is judged on, created before the first paper arrives.
RADARS: dict[str, str] = {
    "quantum": "quantum",
    "entangled": "entanglement OR qubit*",
    "learning": '"neural network" OR "machine learning" OR learning',
    "algorithms": "algorithm AND (graph OR complexity OR bound*)",
    "theory": "cat:hep-th OR cat:math-ph",
    "fresh-only": "quantum NOT type:replace",
    "random": "random* -quantum",
}

Key = tuple[str, int | None]

# The radar backfill's window (RADAR_BACKFILL_DAYS, set so in the world's environment).
BACKFILL_DAYS = 30
# The key of a radar's backfill in the references (beside day numbers).
BACKFILLED = -1


@dataclass(frozen=True)
class Day:
    """One batch of papers published together: a name and the parsed papers."""

    name: str
    papers: tuple[Paper, ...]


@dataclass
class Row:
    scenario: str
    papers_expected: int  # paper ids the feeds published
    papers_stored: int  # paper ids in the store
    versions_missing: int  # (id, version) published but not held
    matches_expected: int
    missing: int
    extra: int
    duplicated: int
    matches: int  # matches stored
    briefed_once: int  # of those, in exactly one briefing window
    stray: int  # papers in a radar's briefings that it did not match
    letters_found: int
    letters_expected: int
    letters_as_sent: bool  # per topic, exactly the poison sent
    recovery_seconds: float | None = None
    note: str = ""

    @property
    def holds(self) -> bool:
        return (
            self.papers_expected == self.papers_stored
            and self.versions_missing == 0
            and self.missing == self.extra == self.duplicated == self.stray == 0
            and self.briefed_once == self.matches
            and self.letters_as_sent
        )

    @property
    def holds_but_for_letters(self) -> bool:
        return replace(self, letters_as_sent=True).holds


def rss_day(k: int, *, marker: str | None = None) -> bytes:
    """The quant-ph recording with every 25MM.NNNNN id moved to (30+k)MM.NNNNN; with a
    ``marker``, the first entry's title starts with it."""
    body = re.sub(
        rb"\b25(\d{2})\.(\d{4,5})",
        lambda m: b"%d" % (30 + k) + m[1] + b"." + m[2],
        QUANT_PH_RSS.read_bytes(),
    )
    if marker is not None:
        # The channel's <title> first, then the first item's.
        body = re.sub(rb"<title>", b"<title>" + marker.encode() + b" ", body, count=2)
    return body


def oai_day(k: int, records: int) -> bytes:
    """The OAI page's first ``records`` with every 0811.NNNN id moved to (10+k)11.NNNN."""
    page = OAI_PAGE.read_bytes().replace(b"0811.", b"%02d11." % (10 + k))
    return first_records(page, records)


def first_records(page: bytes, n: int) -> bytes:
    """An OAI page cut after its first ``n`` records (and closed again)."""
    end = 0
    for _ in range(n):
        end = page.index(b"</record>", end) + len(b"</record>")
    return page[:end] + b"\n</ListRecords>\n</OAI-PMH>\n"


def one_record_oai() -> bytes:
    """What ``days-oai`` serves while no OAI day is being published: one record of day 0
    (nothing new, and cheap to read every second)."""
    return first_records(OAI_PAGE.read_bytes(), 1)


def parse(fmt: str, body: bytes) -> tuple[Paper, ...]:
    return FORMATS[fmt](body).papers


@dataclass
class World:
    system: System
    feeds: FeedServer
    chat: ChatServer
    folder: Path
    store: EmbeddedStore
    days: list[Day] = field(default_factory=list)
    radar_ids: dict[str, str] = field(default_factory=dict)  # name -> id
    queries: dict[str, str] = field(default_factory=dict)  # name -> query
    since: dict[str, int] = field(default_factory=dict)  # name -> first day it is judged on
    poison: collections.Counter[str] = field(default_factory=collections.Counter)
    rows: list[Row] = field(default_factory=list)
    _reference: dict[tuple[int, str], set[Key]] = field(default_factory=dict)
    # Each day's reference is computed as it is published, beside the fault, so that
    # settling measures the system and not `academichub match` starting up.
    _matching: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))
    _matched: dict[int, Future[None]] = field(default_factory=dict)
    model_mode: str = "ok"

    # --- addresses ------------------------------------------------------------------
    def url(self, service: str, path: str) -> str:
        port = {
            "gateway": "GATEWAY_PORT",
            "matcher": "MATCHER_WEB_PORT",
            "briefer": "BRIEFER_METRICS_PORT",
            "ingestor": "INGESTOR_METRICS_PORT",
        }[service]
        return f"http://127.0.0.1:{self.system.env[port]}{path}"

    @property
    def servers(self) -> str:
        return self.system.broker.bootstrap_servers

    # --- feeding ------------------------------------------------------------------------
    def add_day(self, day: Day) -> Day:
        """Expect ``day`` (its papers about to be served) and start computing what every
        radar judged now must match in it."""
        self.days.append(day)
        i = len(self.days) - 1
        self._matched[i] = self._matching.submit(self._match_day, i)
        return day

    def publish_rss_day(self, k: int, *, marker: str | None = None) -> Day:
        body = rss_day(k, marker=marker)
        day = self.add_day(Day(f"rss-{k}", parse("arxiv-rss", body)))
        self.feeds.routes["/days"] = Route(body, RSS)
        return day

    def publish_oai_day(self, k: int, records: int) -> Day:
        body = oai_day(k, records)
        day = self.add_day(Day(f"oai-{k}", parse("arxiv-oai", body)))
        self._serve_oai(body)
        return day

    def quiet_oai(self) -> None:
        """Serve ``days-oai`` nothing new again (its day stays published)."""
        self._serve_oai(one_record_oai())

    def _serve_oai(self, body: bytes) -> None:
        staged = self.folder / "days-oai.xml.new"
        staged.write_bytes(body)
        staged.replace(self.folder / "days-oai.xml")  # never read half-written

    def publish_hostile(self, body: bytes) -> Day:
        day = self.add_day(Day("hostile", parse("arxiv-rss", body)))
        self.feeds.routes["/hostile"] = Route(body, RSS)
        return day

    # --- radars -------------------------------------------------------------------------
    def create_radar(self, name: str, query: str, *, key: str | None = None) -> httpx.Response:
        headers = dict(self.system.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return httpx.post(
            self.url("gateway", "/api/radars"),
            json={"name": name, "query": query, "language": "en"},
            headers=headers,
            timeout=10,
        )

    def judge(self, name: str, query: str, radar_id: str) -> None:
        """Judge radar ``name`` from the next day published on."""
        self.radar_ids[name], self.queries[name], self.since[name] = radar_id, query, len(self.days)

    def matcher_holds(self) -> int:
        body: dict[str, Any] = httpx.get(self.url("matcher", "/readyz"), timeout=3).json()
        return int(body["radars"])

    def wait_for_radars(self, what: str = "the matcher to hold every radar") -> None:
        stored = len(self.store.radars.list_radars())
        self.system.wait_for(what, lambda: self.matcher_holds() == stored, timeout=60)

    # --- what should be ---------------------------------------------------------------
    def expected_papers(self) -> set[Key]:
        return {p.key for day in self.days for p in day.papers}

    def reference(self, name: str) -> set[Key]:
        """``academichub match`` over the days radar ``name`` is judged on, and over what
        its backfill found when it was created (:meth:`_backfilled`)."""
        wanted = [i for i in range(self.since[name], len(self.days))]
        for i in wanted:
            if i in self._matched:
                self._matched.pop(i).result()
            if (i, name) not in self._reference:  # judged after the day was published
                self._match_day(i)
        if (BACKFILLED, name) not in self._reference:
            self._reference[(BACKFILLED, name)] = self._backfilled(name)
        return set().union(*(self._reference[(i, name)] for i in [BACKFILLED, *wanted]))

    def _backfilled(self, name: str) -> set[Key]:
        """What radar ``name``'s backfill must have matched when it was created: the
        papers stored then (every day before the one it is judged from), each at its
        newest version (the one the search index holds), published within the
        ``RADAR_BACKFILL_DAYS`` days ending with the newest of them."""
        newest: dict[str, Paper] = {}
        for day in self.days[: self.since[name]]:
            for paper in day.papers:
                held = newest.get(paper.id)
                if held is None or (paper.version or 0) > (held.version or 0):
                    newest[paper.id] = paper
        if not newest:
            return set()
        last = min(max(p.published for p in newest.values()), dt.datetime.now(dt.UTC).date())
        first = last - dt.timedelta(days=BACKFILL_DAYS - 1)
        recent = [p for p in newest.values() if first <= p.published <= last]
        return self._match(f"backfill-{name}", {name: self.queries[name]}, recent)[name]

    def _match_day(self, i: int) -> None:
        # Only what is new on day i: a version published on an earlier day too (a feed
        # repeats a replacement) was stored and matched then, by the radars of then; the
        # matcher never matches a version it holds again.
        seen = {p.key for day in self.days[:i] for p in day.papers}
        new = [p for p in self.days[i].papers if p.key not in seen]
        for name, keys in self._match(str(i), dict(self.queries), new).items():
            self._reference[(i, name)] = keys

    def _match(
        self, label: str, queries: dict[str, str], papers: list[Paper]
    ) -> dict[str, set[Key]]:
        """What ``academichub match`` (the CLI, as a process) finds for ``queries`` (by
        radar name) in ``papers``."""
        radars_file = self.folder / f"radars-{label}.jsonl"
        papers_file = self.folder / f"papers-{label}.jsonl"
        radars_file.write_text(
            "".join(json.dumps({"id": n, "query": q}) + "\n" for n, q in queries.items())
        )
        papers_file.write_text("".join(p.model_dump_json() + "\n" for p in papers))
        done = subprocess.run(
            [*ACADEMICHUB, "match", "--radars", str(radars_file), "--papers", str(papers_file)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        found: dict[str, set[Key]] = {name: set() for name in queries}
        for line in done.stdout.splitlines():
            match = json.loads(line)
            found[match["radar_id"]].add((match["paper_id"], match["version"]))
        return found

    # --- what is ----------------------------------------------------------------------
    def dead_letters(self) -> collections.Counter[str]:
        return asyncio.run(_dead_letters(self.servers))

    def row(
        self, scenario: str, recovery: float | None, note: str = "", *, letters: bool = True
    ) -> Row:
        """What holds now; without ``letters`` the dead-letter topics are not read (the
        slowest part) and taken to hold nothing."""
        expected_papers = self.expected_papers()
        held = self.store.papers.held_versions(expected_papers)
        expected_total = missing = extra = duplicated = matches = briefed_once = stray = 0
        for name, radar_id in self.radar_ids.items():
            expected = self.reference(name)
            listed = self.store.matches.matches_for_radar(radar_id, limit=1_000_000)
            got = [(m.paper_id, m.version) for m in listed]
            expected_total += len(expected)
            missing += len(expected - set(got))
            extra += len(set(got) - expected)
            duplicated += len(got) - len(set(got))
            matches += len(got)
            windows = collections.Counter(
                paper_id
                for briefing in self.store.briefings.briefings_for_radar(radar_id, limit=100_000)
                for paper_id in (*briefing.paper_ids, *briefing.omitted_paper_ids)
            )
            matched = {paper_id for paper_id, _ in got}
            briefed_once += sum(1 for paper_id in matched if windows[paper_id] == 1)
            stray += sum(1 for paper_id in windows if paper_id not in matched)
        found = self.dead_letters() if letters else collections.Counter[str]()
        return Row(
            scenario,
            papers_expected=len({paper_id for paper_id, _ in expected_papers}),
            papers_stored=self.store.papers.count_papers(),
            versions_missing=len(expected_papers) - len(held),
            matches_expected=expected_total,
            missing=missing,
            extra=extra,
            duplicated=duplicated,
            matches=matches,
            briefed_once=briefed_once,
            stray=stray,
            letters_found=sum(found.values()),
            letters_expected=sum(self.poison.values()),
            letters_as_sent=+found == +self.poison,
            recovery_seconds=recovery,
            note=note,
        )

    def settle(self, scenario: str, *, since: float, within: float = 150.0, note: str = "") -> Row:
        """Wait until everything holds (and no window is open); record the row with the
        time from ``since`` (the end of the fault) until then. Fails with the last row."""
        deadline = time.monotonic() + within
        row: Row | None = None
        while time.monotonic() < deadline:
            self.system.assert_running()
            at = round(time.monotonic() - since, 1)
            row = self.row(scenario, at, note, letters=False)
            if row.holds_but_for_letters and not self.store.briefings.open_windows():
                row = self.row(scenario, at, note)
                if row.holds:
                    self.rows.append(row)
                    return row
            time.sleep(1.0)
        row = self.row(scenario, None, note)
        self.rows.append(row)
        logs = "\n".join(f"--- {n}\n{self.system.log(n)[-2500:]}" for n in self.system.processes)
        raise AssertionError(f"{scenario}: did not settle within {within:g}s: {row}\n{logs}")

    def close(self) -> None:
        self._matching.shutdown(wait=True, cancel_futures=True)

    def stored_count(self) -> int:
        return self.store.papers.count_papers()

    # --- the model ---------------------------------------------------------------------
    def model(self, body: dict[str, Any]) -> Reply:
        if self.model_mode == "hang":
            return Reply(delay=60)
        if self.model_mode == "fail":
            return Reply(500, error="the model is down")
        if self.model_mode == "garbage":
            return Reply(raw=b"<html>Bad gateway, but answered 200</html>")
        return well_behaved(body)


async def _dead_letters(servers: str) -> collections.Counter[str]:
    """How many dead letters each dead-letter topic holds, by the topic they came from."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        consumer.subscribe([str(t) for t in DLQS])
        found: collections.Counter[str] = collections.Counter()
        quiet = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while quiet < 3 and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            records = [r for rs in batch.values() for r in rs]
            quiet = 0 if records or not consumer.assignment() else quiet + 1
            for record in records:
                found[json.loads(record.value or b"{}").get("topic", "?")] += 1
        return found
    finally:
        await consumer.stop()


def write_table(rows: list[Row], path: Path) -> str:
    head = (
        "| scenario | papers expected/stored | matches expected | missing | extra "
        "| duplicated | briefed once | dead letters found/expected | recovery (s) | note |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = "".join(
        f"| {r.scenario} | {r.papers_expected}/{r.papers_stored}"
        f"{'' if not r.versions_missing else f' ({r.versions_missing} versions missing)'} "
        f"| {r.matches_expected} | {r.missing} | {r.extra} | {r.duplicated} "
        f"| {r.briefed_once}/{r.matches}{'' if not r.stray else f' ({r.stray} stray)'} "
        f"| {r.letters_found}/{r.letters_expected} "
        f"| {'—' if r.recovery_seconds is None else r.recovery_seconds} | {r.note} |\n"
        for r in rows
    )
    text = head + lines
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def feeds_config(server: FeedServer, folder: Path) -> list[dict[str, Any]]:
    """What the ingestor polls: the two recordings of day 0, and the routes and file the
    scenarios fill later (empty, or one record of day 0: nothing new, until then)."""

    def rss(name: str, path: str) -> dict[str, Any]:
        # The recordings are from 2025: no gap recovery through the arXiv API (no
        # traffic leaves 127.0.0.1).
        return {"name": name, "format": "arxiv-rss", "url": server.url(path), "recover": False}

    def oai(name: str, file: Path, every: int) -> dict[str, Any]:
        return {"name": name, "format": "arxiv-oai", "url": file.as_uri(), "every_seconds": every}

    return [
        rss("quant-ph", "/quant-ph"),
        oai("oai", folder / "oai.xml", 3600),  # read once: day 0
        rss("days", "/days"),
        oai("days-oai", folder / "days-oai.xml", 1),
        rss("hostile", "/hostile"),
        rss("bomb", "/bomb"),
    ]


@contextmanager
def chaos_world(folder: Path, broker: BrokerUnderTest, **env: str) -> Iterator[World]:
    """The system ready to take day 0: services started, radars created and held, nothing
    polled yet (the ingestor is started by the first scenario)."""
    feeds_folder = folder / "feeds"
    feeds_folder.mkdir(parents=True)
    shutil.copyfile(OAI_PAGE, feeds_folder / "oai.xml")
    (feeds_folder / "days-oai.xml").write_bytes(one_record_oai())
    empty = EMPTY_RSS.read_bytes()
    routes = {
        "/quant-ph": Route(QUANT_PH_RSS.read_bytes(), RSS),
        "/days": Route(empty, RSS),
        "/hostile": Route(empty, RSS),
        "/bomb": Route(empty, RSS),
    }
    with ExitStack() as stack:
        server = stack.enter_context(serve_feeds(routes))
        chat = stack.enter_context(serve_chat())
        system = stack.enter_context(
            running_system(
                folder,
                broker,
                INGESTOR_FEEDS=json.dumps(feeds_config(server, feeds_folder)),
                INGESTOR_POLL_INTERVAL_SECONDS="1",
                INGESTOR_HOST_MIN_INTERVAL_SECONDS="{}",
                INGESTOR_DEFAULT_MIN_INTERVAL_SECONDS="0",
                INGESTOR_SENT_CHECK_AFTER_SECONDS="20",
                INGESTOR_RECONCILE_SECONDS="2",
                MATCHER_BATCH_SIZE="100",
                MATCHER_RADAR_RESYNC_SECONDS="30",
                RADAR_BACKFILL_DAYS=str(BACKFILL_DAYS),
                BRIEFER_WINDOW_MAX_PAPERS="200",
                # Themes by TF-IDF: embedding every window with the packaged MiniLM costs
                # seconds a briefing on a shared machine, and how a window is composed is
                # not what these faults test (tests/e2e brief with the default, embeddings).
                BRIEFER_EMBED_WINDOWS="false",
                BRIEFER_WINDOW_MAX_SECONDS="3",
                BRIEFER_CHECK_INTERVAL_SECONDS="0.5",
                BRIEFER_UNQUEUED_AFTER_SECONDS="20",
                OPENAI_BASE_URL=chat.base_url,
                OPENAI_API_KEY="chaos",
                BRIEFER_LLM_TIMEOUT_SECONDS="2",
                BRIEFER_LLM_MAX_ATTEMPTS="1",
                BRIEFER_MODEL_DEADLINE_SECONDS="4",
                BRIEFER_BREAKER_FAILURES="3",
                BRIEFER_BREAKER_COOLDOWN_SECONDS="2",
                GATEWAY_PUBLISH_TIMEOUT_SECONDS="2",
                GATEWAY_SOURCES=json.dumps([f["name"] for f in feeds_config(server, feeds_folder)]),
                GATEWAY_RADAR_RELAY_SECONDS="1",
                ACADEMICHUB_STOP_GRACE_SECONDS="3",
                **env,
            )
        )
        store = EmbeddedStore(system.data_dir, index_writer=False)
        stack.callback(store.close)
        world = World(system, server, chat, feeds_folder, store)
        stack.callback(world.close)
        chat.responder = world.model
        for name in ("matcher", "briefer", "gateway"):
            system.start(name)
        for service in ("gateway", "matcher", "briefer"):
            system.wait_for(
                f"{service} to be ready",
                _ready(world.url(service, "/readyz")),
                timeout=120,
            )
        for name, query in RADARS.items():
            created = world.create_radar(name, query)
            assert created.status_code == 201, created.text
            world.judge(name, query, created.json()["id"])
        world.wait_for_radars()
        yield world


def _ready(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(url, timeout=3).status_code == 200
