"""`academichub backfill` against a real HTTP server, the real broker and the embedded store:
interrupted on its second page, run again, it resumes there; every (id, version) is
published exactly once, none missed, and a third run asks the providers for nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.contracts import TopicName
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.kafka import read_topic
from tests.support.paged import FIXTURES, biorxiv_pages, oai_pages, oai_record_ids

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
OAI_PATH = "/oai"


def backfill(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACADEMICHUB, "backfill", *args, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | env,
    )


def _env(broker: BrokerUnderTest, data: Path, base: str) -> dict[str, str]:
    return {
        "ACADEMICHUB_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ACADEMICHUB_DATA_DIR": str(data),
        "INGESTOR_ARXIV_OAI_URL": f"{base}{OAI_PATH}",
        "INGESTOR_BIORXIV_API_URL": f"{base}/details",
        # No politeness wait against the local test server.
        "INGESTOR_HOST_MIN_INTERVAL_SECONDS": "{}",
        "INGESTOR_DEFAULT_MIN_INTERVAL_SECONDS": "0",
        # Retries stay on (a 503 is retried before the run gives up), just quick.
        "INGESTOR_RETRY_BASE_SECONDS": "0.01",
    }


async def test_an_interrupted_arxiv_backfill_resumes_and_publishes_each_paper_once(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    bodies = oai_pages([120, 80, 50])
    first = (
        f"{OAI_PATH}?verb=ListRecords&metadataPrefix=arXivRaw&from=2014-01-01&until=2014-01-16"
        "&set=physics:hep-th"
    )
    routes = {
        first: Route(bodies[0], "text/xml"),
        f"{OAI_PATH}?verb=ListRecords&resumptionToken=t1": Route(b"busy", "text/plain", 503),
        f"{OAI_PATH}?verb=ListRecords&resumptionToken=t2": Route(bodies[2], "text/xml"),
    }
    args = ("arxiv", "--from", "2014-01-01", "--until", "2014-01-16", "--set", "physics:hep-th")
    with serve_feeds(routes) as server:
        env = _env(broker, tmp_path / "data", server.url(""))
        interrupted = backfill(env, *args)
        assert interrupted.returncode == 1, interrupted.stderr
        assert "HTTP 503" in interrupted.stderr
        assert "run the same command again to resume" in interrupted.stderr
        assert "failed: 1 pages, 120 records, 120 published" in interrupted.stdout

        server.routes[f"{OAI_PATH}?verb=ListRecords&resumptionToken=t1"] = Route(
            bodies[1], "text/xml"
        )
        server.requests.clear()
        resumed = backfill(env, *args)
        assert resumed.returncode == 0, resumed.stderr
        assert [path for path, _, _ in server.requests] == [
            f"{OAI_PATH}?verb=ListRecords&resumptionToken=t1",
            f"{OAI_PATH}?verb=ListRecords&resumptionToken=t2",
        ]
        assert "complete (resumed after page 1): 3 pages, 250 records, 250 published" in (
            resumed.stdout
        )
        server.requests.clear()
        again = backfill(env, *args)
        assert again.returncode == 0, again.stderr
        assert "already_complete" in again.stdout
        assert server.requests == []  # nothing asked of the provider

    expected = [f"arxiv:{i}" for body in bodies for i in oai_record_ids(body)]
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=251, within=10)
    keys = [str(key) for key, _ in events]
    assert sorted(keys) == sorted(expected)  # every paper, once


async def test_a_biorxiv_backfill_pages_by_cursor_and_an_empty_body_is_a_failure(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    first, second = biorxiv_pages([2, 1])
    window = "/details/biorxiv/2026-07-15/2026-07-18"
    routes = {
        f"{window}/0/json": Route(first, "application/json"),
        f"{window}/2/json": Route(b"", "application/json"),  # the API's empty-body outage
    }
    args = ("biorxiv", "--from", "2026-07-15", "--until", "2026-07-18")
    with serve_feeds(routes) as server:
        env = _env(broker, tmp_path / "data", server.url(""))
        failed = backfill(env, *args)
        assert failed.returncode == 1
        assert "empty" in failed.stderr
        server.routes[f"{window}/2/json"] = Route(second, "application/json")
        done = backfill(env, *args)
        assert done.returncode == 0, done.stderr
        assert "2 pages, 3 records, 3 published" in done.stdout

    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=4, within=8)
    dois = [r["doi"] for r in json.loads(biorxiv_pages([3])[0])["collection"]]
    versions = [
        (r["doi"], int(r["version"])) for r in json.loads(biorxiv_pages([3])[0])["collection"]
    ]
    assert len(events) == 3
    assert sorted((e.doi, e.version) for _, e in events) == sorted(versions)  # type: ignore[attr-defined]
    assert {key for key, _ in events} == {f"doi:{d}" for d in dois}


async def test_arxiv_ids_are_looked_up_through_the_api_and_unknown_ids_are_reported(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    page = (FIXTURES / "arxiv_api" / "api_2026_idlist_two_ids_one_missing.xml").read_bytes()
    path = "/api/query?id_list=0808.05394,1707.08567&start=0&max_results=2"
    with serve_feeds({path: Route(page, "application/atom+xml; charset=utf-8")}) as server:
        env = _env(broker, tmp_path / "data", server.url("")) | {
            "INGESTOR_ARXIV_API_URL": server.url("/api/query")
        }
        done = backfill(env, "arxiv", "--ids", "0808.05394,1707.08567")
        refused = backfill(env, "arxiv", "--ids", "not-an-id", "--from", "2026-01-01")
    assert done.returncode == 0, done.stderr
    # arXiv drops unknown ids silently: one of the two asked for comes back.
    assert "1 pages, 1 records, 1 published" in done.stdout
    assert refused.returncode == 2
    assert "--ids is a look-up" in refused.stderr or "not arXiv ids" in refused.stderr
    events = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=2, within=5)
    assert [key for key, _ in events] == ["arxiv:1707.08567"]
