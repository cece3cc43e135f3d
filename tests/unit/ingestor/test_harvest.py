"""Paged harvests: every page once, a checkpoint per page, resume where interrupted."""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.ingestor.domain import pages
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import FakeFetcher, FetchResult
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.harvest import Harvester, HarvestJob
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.publishing import PaperPublisher
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.support.paged import oai_pages, oai_record_ids

OAI = "https://oaipmh.arxiv.org/oai"
FIRST = pages.oai_first(OAI, since=dt.date(2014, 1, 1))
SECOND = f"{OAI}?verb=ListRecords&resumptionToken=t1"
THIRD = f"{OAI}?verb=ListRecords&resumptionToken=t2"
OAI_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-24T10:00:00Z</responseDate>
<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>
<error code="badResumptionToken">The value of the resumptionToken argument is invalid or expired.
</error>
</OAI-PMH>"""


def harvester(
    fetcher: FakeFetcher, store: InMemoryStore, publisher: RecordingPublisher
) -> Harvester:
    metrics = IngestorMetrics(CollectorRegistry())
    return Harvester(
        fetcher=fetcher,
        pacer=HostPacer({}, 0.0),
        papers=PaperPublisher(
            state=AsyncStore.inline(store.ingest), publisher=publisher, metrics=metrics
        ),
        state=AsyncStore.inline(store.ingest),
    )


def job(**kwargs: bool) -> HarvestJob:
    return HarvestJob(
        key="backfill:test",
        source="arxiv",
        first_url=FIRST,
        parse=parse_arxiv_oai,
        next_page=pages.oai_next,
        **kwargs,
    )


def expected_ids(bodies: list[bytes]) -> list[str]:
    return [f"arxiv:{i}" for body in bodies for i in oai_record_ids(body)]


async def test_a_harvest_reads_every_page_once_and_remembers_it_is_complete() -> None:
    bodies = oai_pages([40, 30, 20])
    fetcher = FakeFetcher(
        {url: FetchResult(200, b) for url, b in zip((FIRST, SECOND, THIRD), bodies, strict=True)}
    )
    store, publisher = InMemoryStore(), RecordingPublisher()
    seen: list[int] = []
    report = await harvester(fetcher, store, publisher).run(
        job(), on_page=lambda p: seen.append(p.pages)
    )
    assert (report.outcome, report.progress.pages, report.progress.published) == ("complete", 3, 90)
    assert seen == [1, 2, 3]
    assert [key for _, key, _ in publisher.sent] == expected_ids(bodies)
    again = await harvester(fetcher, store, publisher).run(job())
    assert again.outcome == "already_complete"
    assert len(fetcher.requests) == 3  # nothing fetched again


async def test_an_interrupted_harvest_resumes_at_the_page_it_had_not_finished() -> None:
    bodies = oai_pages([40, 30, 20])
    fetcher = FakeFetcher({FIRST: FetchResult(200, bodies[0]), SECOND: FetchResult(503, b"")})
    store, publisher = InMemoryStore(), RecordingPublisher()
    failed = await harvester(fetcher, store, publisher).run(job())
    assert (failed.outcome, failed.failed_url, failed.progress.published) == ("failed", SECOND, 40)
    assert (failed.message or "").startswith("HTTP 503")

    # The process restarts: a new harvester over the same store.
    fetcher.responses |= {SECOND: FetchResult(200, bodies[1]), THIRD: FetchResult(200, bodies[2])}
    fetcher.requests.clear()
    resumed = await harvester(fetcher, store, publisher).run(job())
    assert [url for url, _ in fetcher.requests] == [SECOND, THIRD]
    assert resumed.outcome == "complete"
    assert resumed.progress.resumed_at_page == 1
    assert resumed.progress.published == 90
    keys = [key for _, key, _ in publisher.sent]
    assert keys == expected_ids(bodies)  # nothing twice, nothing missed


async def test_restart_harvests_again_from_the_first_page_without_republishing() -> None:
    bodies = oai_pages([10, 10, 10])
    fetcher = FakeFetcher(
        {url: FetchResult(200, b) for url, b in zip((FIRST, SECOND, THIRD), bodies, strict=True)}
    )
    store, publisher = InMemoryStore(), RecordingPublisher()
    await harvester(fetcher, store, publisher).run(job())
    again = await harvester(fetcher, store, publisher).run(job(restart=True))
    assert (again.outcome, again.progress.published, again.progress.duplicates) == (
        "complete",
        0,
        30,
    )
    assert len(publisher.sent) == 30


async def test_an_expired_resumption_token_starts_the_harvest_over_once() -> None:
    bodies = oai_pages([10, 10, 10])
    fetcher = FakeFetcher({FIRST: FetchResult(200, bodies[0]), SECOND: FetchResult(200, OAI_ERROR)})
    store, publisher = InMemoryStore(), RecordingPublisher()
    report = await harvester(fetcher, store, publisher).run(job())
    # First page, expired token, first page again, expired again: a real error the second time.
    assert [url for url, _ in fetcher.requests] == [FIRST, SECOND, FIRST, SECOND]
    assert report.outcome == "failed"
    assert "invalid or expired" in (report.message or "")
    assert len(publisher.sent) == 10


async def test_an_html_page_instead_of_xml_fails_the_page_with_the_reason() -> None:
    fetcher = FakeFetcher(
        {FIRST: FetchResult(200, b"<!DOCTYPE html><html><body>busy</body></html>")}
    )
    store, publisher = InMemoryStore(), RecordingPublisher()
    report = await harvester(fetcher, store, publisher).run(job())
    assert report.outcome == "failed"
    assert "HTTP 200" in (report.message or "")
    assert publisher.sent == []
    assert (store.ingest.get_cursor("backfill:test") or {})["next_url"] == FIRST


def test_every_paged_format_has_a_parser() -> None:
    assert set(FORMATS) >= pages.PAGED_FORMATS
