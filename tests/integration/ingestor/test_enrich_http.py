"""CrossrefEnricher over real HTTP: the recorded /works/{doi} response served on 127.0.0.1,
fetched by the real HttpFetcher and httpx client, one bad DOI among good ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from academichub.contracts import Paper
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.enrich import CrossrefEnricher
from academichub.ingestor.fetch import HttpFetcher
from academichub.ingestor.settings import IngestorSettings
from tests.conftest import FIXTURES
from tests.support.feed_server import Route, serve_feeds

pytestmark = pytest.mark.integration

WORK = FIXTURES / "feeds" / "crossref" / "crossref_work_10.1371_journal.pone.0033693.json"
PLOS_DOI = "10.1371/journal.pone.0033693"
JSON = "application/json"


def with_abstract(path: Path) -> bytes:
    document = json.loads(path.read_bytes())
    document["message"]["abstract"] = "<jats:p>Methylphenidate is a psychostimulant.</jats:p>"
    return json.dumps(document).encode()


def journal_paper(doi: str) -> Paper:
    return Paper(
        id=f"doi:{doi}",
        version=None,
        source="journal:plos-one",
        title="Methylphenidate exposure",
        abstract="",
        published=dt.date(2012, 3, 21),
        doi=doi,
    )


async def test_enrichment_over_real_http() -> None:
    routes = {
        f"/works/{PLOS_DOI}": Route(with_abstract(WORK), JSON),
        "/works/10.1000/broken": Route(b'{"status": "ok", "message-type": "work", "mess', JSON),
        "/works/10.1000/error": Route(b"Internal error", "text/plain", status=500),
        # "/works/10.1000/unknown" has no route: the server answers 404.
    }
    dois = ["10.1000/unknown", "10.1000/broken", "10.1000/error", PLOS_DOI]
    user_agent = IngestorSettings().user_agent
    with serve_feeds(routes) as server:
        # The composition root puts the mailto (Crossref's polite pool) in the User-Agent.
        async with httpx.AsyncClient(headers={"User-Agent": user_agent}, timeout=5) as client:
            crossref = CrossrefEnricher(
                HttpFetcher(client, max_bytes=1_000_000),
                HostPacer({}, 0.0),
                base_url=server.url(""),
            )
            result = await crossref.enrich([journal_paper(doi) for doi in dois])

    *failed, enriched = result.papers
    assert failed == [journal_paper(doi) for doi in dois[:3]]
    assert enriched.abstract == "Methylphenidate is a psychostimulant."
    assert enriched.authors[0] == "Shankar Sadasivan"
    assert enriched.journal_ref == "PLoS ONE 7(3), e33693 (2012)"
    assert result.enriched == 1
    reasons = dict(result.failed)
    assert reasons["doi:10.1000/unknown"].startswith("HTTP 404")
    assert "not a Crossref work" in reasons["doi:10.1000/broken"]
    assert reasons["doi:10.1000/error"].startswith("HTTP 500")
    assert [path for path, _, _ in server.requests] == [f"/works/{doi}" for doi in dois]
    assert all("mailto:" in (agent or "") for _, _, agent in server.requests)
    assert all("mailto" not in path for path, _, _ in server.requests)  # no query parameter
