"""``academichub bench search``: ``/api/papers`` through a real server vs the store itself.

Loads synthetic papers (see :mod:`.synthetic`) into an embedded store in a temporary
folder, then for each client count runs the same query mix twice:

* **store**: the query parsed and :func:`academichub.gateway.routes.papers.search_page`
  called directly, from that many threads: the very function the endpoint runs on its
  store thread (search, facet counts, the items with their snippets);
* **gateway**: ``GET /api/papers`` against a uvicorn server on 127.0.0.1 in its own
  process, from that many concurrent HTTP clients: the same work plus what only the
  gateway does (HTTP, key check and rate limit, parameter validation, JSON). The client
  is a minimal keep-alive HTTP/1.1 one (:class:`_Connection`), so that little of the
  client's own work lands in the gateway's figures.

It prints p50/p99 latency and throughput side by side, and the gateway/store ratios.
Both processes freeze their start-up heap before timing (``gc.freeze``), as the
gateway's bootstrap does, so neither side pays full collections over it.
Numbers only describe this machine at this moment; nothing here asserts on them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import gc
import itertools
import json
import logging
import multiprocessing
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import httpx

from academichub.bench.synthetic import synthetic_papers

if TYPE_CHECKING:
    from academichub.gateway.paper_search import PaperQuery

QUERIES: Final[tuple[dict[str, str], ...]] = (
    {"q": "quantum"},
    {"q": '"error correction"'},
    {"q": "transformer AND attention"},
    {"q": "diffusion", "category": "cs.LG"},
    {"q": '"graph neural network"'},
    {"q": "author:Noether"},
    {"q": "protein*"},
    {"q": "entangle* -survey"},
    {"q": 'title:"dark matter"'},
    {"q": "reinforcement OR bandit"},
    {"q": "cancer AND (immunotherapy OR vaccine)"},
    {"q": "source:medrxiv cohort"},
    {"q": "superconductivity moiré"},
    {"category": "quant-ph"},
    {"q": "galaxy", "sort": "date"},
    {"q": "language model hallucination"},
)
BATCH: Final = 5_000
HOST: Final = "127.0.0.1"
WARMUP: Final = 32


@dataclass(frozen=True)
class Figures:
    p50_ms: float
    p99_ms: float
    per_second: float


def _figures(latencies: Sequence[float], elapsed: float) -> Figures:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Figures(statistics.median(ordered) * 1000, p99 * 1000, len(ordered) / elapsed)


def _serve(data_dir: str, port: int, facet_cache: int) -> None:
    """The gateway over the benchmark's store, in a child process (a server sharing the
    load generator's interpreter would share its GIL too). Several such processes share
    the port through SO_REUSEPORT, the kernel spreading connections over them."""
    import socket

    import uvicorn

    from academichub.broker.probe import FakeBrokerProbe
    from academichub.broker.publisher import RecordingPublisher
    from academichub.gateway.app import create_app
    from academichub.gateway.process_heap import frozen_after_startup
    from academichub.gateway.settings import GatewaySettings
    from academichub.platform.settings import CommonSettings
    from academichub.store.door import StoreThreads
    from academichub.store.embedded import EmbeddedStore

    logging.basicConfig(level=logging.WARNING)
    folder = Path(data_dir)
    settings = GatewaySettings(
        common=CommonSettings(data_dir=folder),
        # The benchmark is one key asking as fast as it can: lift its rate budget.
        rate_limit_per_minute=100_000_000,
        rate_limit_burst=100_000,
    )
    app = create_app(
        settings,
        store=EmbeddedStore(folder, index_writer=False, facet_cache=facet_cache),
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
        # As the gateway's bootstrap does: collections skip what start-up built.
        lifespan=frozen_after_startup(),
        # As many threads as the gateway's bootstrap gives the store.
        store_threads=StoreThreads(settings.store_threads, name="gateway-store"),
    )
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that
    # say so, and with Nagle on, every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((HOST, port))
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _paper_query(params: dict[str, str]) -> PaperQuery:
    """What the route makes of these query parameters."""
    from academichub.gateway.paper_search import PaperQuery
    from academichub.radar.parser import parse_query
    from academichub.store.port import SearchFilters

    node = parse_query(params["q"]) if "q" in params else None
    filters = SearchFilters(categories=(params["category"],) if "category" in params else ())
    by_date = params.get("sort") == "date"
    return PaperQuery(node, filters, "date" if by_date else "relevance", 20, 0)


def _store_call(
    data_dir: Path, facet_cache: int
) -> tuple[Callable[[dict[str, str]], None], Callable[[], None]]:
    from academichub.gateway.routes.papers import search_page
    from academichub.store.embedded import EmbeddedStore

    store = EmbeddedStore(data_dir, index_writer=False, facet_cache=facet_cache)

    def call(params: dict[str, str]) -> None:
        search_page(store.papers, store.facets, _paper_query(params))

    return call, store.close


def _fresh_facets_ms(data_dir: Path) -> tuple[float, float, str]:
    """Mean and max milliseconds of counting each query's facets without the cache (best
    of three), and the query of the max."""
    from academichub.gateway.paper_search import FACET_CATEGORIES, FACET_DAYS
    from academichub.store.embedded import EmbeddedStore

    uncached = EmbeddedStore(data_dir, index_writer=False, facet_cache=0)
    costs: list[tuple[float, str]] = []
    try:
        for params in QUERIES:
            query = _paper_query(params)
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                uncached.facets.facets(
                    query.node, query.filters, top=FACET_CATEGORIES, days=FACET_DAYS
                )
                best = min(best, time.perf_counter() - started)
            costs.append((best * 1000, str(params)))
    finally:
        uncached.close()
    worst = max(costs)
    return statistics.mean(c for c, _ in costs), worst[0], worst[1]


def _run_store(call: Callable[[dict[str, str]], None], clients: int, requests: int) -> Figures:
    queries = itertools.cycle(QUERIES)
    todo = [next(queries) for _ in range(requests)]

    def timed(params: dict[str, str]) -> float:
        started = time.perf_counter()
        call(params)
        return time.perf_counter() - started

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(timed, todo[:WARMUP]))
        started = time.perf_counter()
        latencies = list(pool.map(timed, todo))
        elapsed = time.perf_counter() - started
    return _figures(latencies, elapsed)


class _Connection:
    """One keep-alive HTTP/1.1 connection, just enough to time ``GET`` requests.

    The load generator shares this machine's cores with the server: httpx spends about
    0.8 ms of CPU per request here, which would show up in the gateway's figures. This
    sends a request line and two headers and reads a ``Content-Length`` body, ~0.1 ms.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def get(self, target: str, headers: str) -> tuple[int, bytes]:
        self._writer.write(f"GET {target} HTTP/1.1\r\n{headers}\r\n".encode())
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        fields = {n.strip().lower(): v.strip() for n, _, v in (x.partition(":") for x in lines)}
        if "content-length" not in fields:
            raise RuntimeError(f"{target}: no Content-Length in the response ({status_line})")
        return int(status_line.split()[1]), await self._reader.readexactly(
            int(fields["content-length"])
        )

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()


async def _run_http(host: str, port: int, token: str, clients: int, requests: int) -> Figures:
    queries = itertools.cycle(QUERIES)
    todo = [next(queries) for _ in range(requests)]
    headers = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"

    async def worker(share: list[dict[str, str]], out: list[float], check: bool) -> None:
        connection = await _Connection.open(host, port)
        try:
            for params in share:
                target = "/api/papers?" + urllib.parse.urlencode(params)
                started = time.perf_counter()
                status, body = await connection.get(target, headers)
                out.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"{params}: HTTP {status} {body[:500]!r}")
                if check and not isinstance(json.loads(body).get("items"), list):
                    raise RuntimeError(f"{params}: not a page of papers: {body[:500]!r}")
        finally:
            await connection.close()

    # The warm-up also checks that every answer is a page of papers.
    warm: list[float] = []
    await asyncio.gather(*(worker(todo[i:WARMUP:clients], warm, True) for i in range(clients)))
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(worker(todo[i::clients], latencies, False) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return _figures(latencies, elapsed)


def _wait_until_serving(base: str, process: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not process.is_alive():
            raise RuntimeError("the gateway process exited before serving")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the gateway did not answer /healthz within 60 s")


def run_bench_search(
    papers: int,
    clients: Sequence[int],
    requests: int,
    workers: int = 1,
    facet_cache: bool = True,
) -> int:
    """``facet_cache=False`` counts facets afresh on every request, on both sides."""
    from academichub.broker.local import free_port
    from academichub.store.accounts import User, mint_api_key, new_user_id
    from academichub.store.embedded import EmbeddedStore
    from academichub.store.embedded.facets import EmbeddedFacets

    # One line per request would drown the figures.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="academichub-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        print(
            f"loading {papers} synthetic papers into an embedded store in {data_dir} …", flush=True
        )
        started = time.perf_counter()
        writer = EmbeddedStore(data_dir, index_writer=True)
        try:
            corpus = synthetic_papers(papers)
            while batch := list(itertools.islice(corpus, BATCH)):
                writer.papers.upsert_papers(batch)
            stored = writer.papers.count_papers()
        finally:
            writer.close()
        load = time.perf_counter() - started
        print(f"loaded {stored} papers in {load:.1f} s ({stored / load:.0f} papers/s)")

        accounts_of = EmbeddedStore(data_dir, index_writer=False)
        now = dt.datetime.now(dt.UTC)
        user = User(new_user_id(), "Bench", "bench@example.org", False, now)
        accounts_of.accounts.add_user(user)
        token, key = mint_api_key(user.id, now, "bench")
        accounts_of.accounts.add_api_key(key)
        accounts_of.close()

        cache_size = EmbeddedFacets.CACHE_SIZE if facet_cache else 0
        port = free_port()
        base = f"http://{HOST}:{port}"
        spawn = multiprocessing.get_context("spawn")
        processes = [
            spawn.Process(target=_serve, args=(str(data_dir), port, cache_size), daemon=True)
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        call, close_store = _store_call(data_dir, cache_size)
        # Like the server (frozen_after_startup): collections skip what loading built.
        gc.collect()
        gc.freeze()
        try:
            for process in processes:
                _wait_until_serving(base, process)
            print(
                f"\n{len(QUERIES)} queries, 20 results each, {requests} requests per row.\n"
                "store   = search_page() in threads of this process: query parsing, search, "
                "facets, snippets\n"
                "          (what GET /api/papers runs on a store thread)\n"
                f"gateway = GET /api/papers over HTTP on {HOST} ({workers} uvicorn "
                "process(es)): the same, plus HTTP,\n"
                "          API key check, rate limit, parameter validation and JSON; timed by "
                "a minimal\n"
                "          keep-alive HTTP/1.1 client (httpx would add ~0.8 ms of CPU per "
                "request on these cores)"
            )
            mean_ms, max_ms, worst = _fresh_facets_ms(data_dir)
            if facet_cache:
                print(
                    "facets  = counted once per (query, filters) and reused until the index "
                    "changes, on both sides:\n"
                    f"          this mix repeats {len(QUERIES)} queries, so past the warm-up "
                    "every request reuses them.\n"
                    f"          Counted afresh: {mean_ms:.1f} ms a query on average, at most "
                    f"{max_ms:.1f} ms ({worst}).\n"
                )
            else:
                print(
                    "facets  = counted afresh for every request, on both sides "
                    f"({mean_ms:.1f} ms a query on average, at most {max_ms:.1f} ms)\n"
                )
            header = (
                f"{'clients':>7} | {'store p50':>9} {'p99':>8} {'req/s':>8} | "
                f"{'gateway p50':>11} {'p99':>8} {'req/s':>8} | {'p50 ×':>6} {'p99 ×':>6}"
            )
            print(header)
            print("-" * len(header))
            for n in clients:
                direct = _run_store(call, n, requests)
                served = asyncio.run(_run_http(HOST, port, token, n, requests))
                print(
                    f"{n:>7} | {direct.p50_ms:>7.1f}ms {direct.p99_ms:>6.1f}ms "
                    f"{direct.per_second:>8.0f} | {served.p50_ms:>9.1f}ms {served.p99_ms:>6.1f}ms "
                    f"{served.per_second:>8.0f} | {served.p50_ms / direct.p50_ms:>6.2f} "
                    f"{served.p99_ms / direct.p99_ms:>6.2f}",
                    flush=True,
                )
        finally:
            gc.unfreeze()
            close_store()
            for process in processes:
                process.terminate()
                process.join(10)
    return 0
