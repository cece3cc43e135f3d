"""CrossrefEnricher: fills only what a journal feed left out, and one DOI's failure costs no
other paper anything. Crossref answers from the recorded /works/{doi} response."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from academichub.contracts import Paper
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.enrich import CrossrefEnricher, needs_enrichment
from academichub.ingestor.fetch import FakeFetcher, FetchResult, NetworkUnreachable
from academichub.ingestor.formats.crossref_json import WorkRelations
from academichub.platform.errors import TransientError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "crossref"
WORK = FIXTURES / "crossref_work_10.1371_journal.pone.0033693.json"
PLOS_DOI = "10.1371/journal.pone.0033693"
PLOS_URL = f"https://api.crossref.org/works/{PLOS_DOI}"
ABSTRACT_JATS = (
    "<jats:p>Methylphenidate (MPH) is a psychostimulant that is <jats:italic>widely</jats:italic>"
    " prescribed.</jats:p>"
)


def work_json(**changes: Any) -> bytes:
    """The recorded Crossref work, with ``changes`` to its message."""
    document = json.loads(WORK.read_bytes())
    document["message"].update(changes)
    return json.dumps(document).encode()


def journal_paper(
    doi: str = PLOS_DOI,
    *,
    abstract: str = "",
    authors: tuple[str, ...] = (),
    license: str | None = None,
    journal_ref: str | None = None,
    source: str = "journal:plos-one",
) -> Paper:
    return Paper(
        id=f"doi:{doi}",
        version=None,
        source=source,
        title="Methylphenidate Exposure Induces Dopamine Neuron Loss",
        abstract=abstract,
        authors=authors,
        published=dt.date(2012, 3, 21),
        doi=doi,
        license=license,
        journal_ref=journal_ref,
    )


def enricher(responses: dict[str, FetchResult | Exception]) -> tuple[CrossrefEnricher, FakeFetcher]:
    fetcher = FakeFetcher(responses)
    return CrossrefEnricher(fetcher, HostPacer({}, 0.0)), fetcher


async def test_fills_missing_abstract_authors_license_and_reference() -> None:
    crossref, fetcher = enricher({PLOS_URL: FetchResult(200, work_json(abstract=ABSTRACT_JATS))})
    result = await crossref.enrich([journal_paper()])
    (paper,) = result.papers
    assert paper.abstract == "Methylphenidate (MPH) is a psychostimulant that is widely prescribed."
    assert paper.authors[:2] == ("Shankar Sadasivan", "Brooks B. Pond")
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.journal_ref == "PLoS ONE 7(3), e33693 (2012)"
    assert (paper.id, paper.title, paper.source) == (
        f"doi:{PLOS_DOI}",
        "Methylphenidate Exposure Induces Dopamine Neuron Loss",
        "journal:plos-one",
    )
    assert (result.enriched, result.failed) == (1, [])
    assert fetcher.requests == [(PLOS_URL, None)]


async def test_never_overwrites_what_the_feed_gave() -> None:
    crossref, _ = enricher({PLOS_URL: FetchResult(200, work_json(abstract=ABSTRACT_JATS))})
    given = journal_paper(
        authors=("Sadasivan, S.",), license="CC BY 4.0", journal_ref="PLoS ONE 7, e33693"
    )
    (paper,) = (await crossref.enrich([given])).papers
    assert paper.abstract.startswith("Methylphenidate (MPH)")  # the one field missing
    assert (paper.authors, paper.license, paper.journal_ref) == (
        ("Sadasivan, S.",),
        "CC BY 4.0",
        "PLoS ONE 7, e33693",
    )


async def test_papers_that_need_nothing_are_not_asked_about() -> None:
    complete = journal_paper(abstract="Given.", authors=("A. Author",))
    preprint = journal_paper(source="journal:plos-one").model_copy(
        update={"id": "arxiv:2403.13790", "version": 1, "source": "arxiv"}
    )
    no_doi = journal_paper().model_copy(update={"doi": None})
    crossref, fetcher = enricher({})
    result = await crossref.enrich([complete, preprint, no_doi])
    assert result.papers == (complete, preprint, no_doi)
    assert (result.enriched, result.failed, fetcher.requests) == (0, [], [])
    assert not needs_enrichment(complete)


async def test_a_work_without_the_missing_field_enriches_nothing() -> None:
    # The recording has no abstract: a paper lacking only its abstract stays as it was.
    crossref, _ = enricher({PLOS_URL: FetchResult(200, WORK.read_bytes())})
    given = journal_paper(authors=("Sadasivan, S.",), license="x", journal_ref="y")
    result = await crossref.enrich([given])
    assert result.papers == (given,)
    assert (result.enriched, result.failed) == (0, [])


async def test_one_failing_doi_costs_no_other_paper_anything() -> None:
    dois = ["10.1000/missing", "10.1000/junk", "10.1000/slow", "10.1000/busy", PLOS_DOI]
    crossref, _ = enricher(
        {
            "https://api.crossref.org/works/10.1000/missing": FetchResult(
                404, b"Resource not found."
            ),
            "https://api.crossref.org/works/10.1000/junk": FetchResult(200, b'{"status": "ok",'),
            "https://api.crossref.org/works/10.1000/slow": TransientError("read timed out"),
            "https://api.crossref.org/works/10.1000/busy": FetchResult(503, b"busy"),
            PLOS_URL: FetchResult(200, work_json(abstract=ABSTRACT_JATS)),
        }
    )
    result = await crossref.enrich([journal_paper(doi) for doi in dois])
    assert [p.abstract != "" for p in result.papers] == [False, False, False, False, True]
    assert result.papers[:4] == tuple(journal_paper(doi) for doi in dois[:4])
    assert result.enriched == 1
    reasons = dict(result.failed)
    assert list(reasons) == [f"doi:{doi}" for doi in dois[:4]]
    assert reasons["doi:10.1000/missing"].startswith("HTTP 404")
    assert "not a Crossref work" in reasons["doi:10.1000/junk"]
    assert "read timed out" in reasons["doi:10.1000/slow"]
    assert reasons["doi:10.1000/busy"].startswith("HTTP 503")


async def test_rate_limit_or_no_network_stops_asking_for_this_call() -> None:
    for answer in (FetchResult(429, b""), NetworkUnreachable("cannot connect")):
        crossref, fetcher = enricher({"https://api.crossref.org/works/10.1000/first": answer})
        papers = [journal_paper("10.1000/first"), journal_paper(PLOS_DOI)]
        result = await crossref.enrich(papers)
        assert result.papers == tuple(papers)
        assert [url for url, _ in fetcher.requests] == [
            "https://api.crossref.org/works/10.1000/first"
        ]
        assert [paper_id for paper_id, _ in result.failed] == [
            "doi:10.1000/first",
            f"doi:{PLOS_DOI}",
        ]
        assert result.failed[1][1].startswith("not asked")


async def test_a_work_of_another_type_or_an_error_document_is_a_failure() -> None:
    chapter = work_json(type="book-chapter", abstract=ABSTRACT_JATS)
    crossref, _ = enricher({PLOS_URL: FetchResult(200, chapter)})
    result = await crossref.enrich([journal_paper()])
    assert result.papers == (journal_paper(),)
    assert "book-chapter" in result.failed[0][1]

    failed = {"status": "failed", "message-type": "validation-failure", "message": "bad DOI"}
    crossref, _ = enricher({PLOS_URL: FetchResult(200, json.dumps(failed).encode())})
    result = await crossref.enrich([journal_paper()])
    assert result.failed == [(f"doi:{PLOS_DOI}", "Crossref error: bad DOI")]


async def test_relations_of_fetched_works_are_returned_for_linking() -> None:
    relation = {"has-preprint": [{"id-type": "doi", "id": "10.1101/2011.12.01.123456"}]}
    crossref, _ = enricher({PLOS_URL: FetchResult(200, work_json(relation=relation))})
    result = await crossref.enrich([journal_paper()])
    assert result.relations == {
        PLOS_DOI: WorkRelations(has_preprint=("10.1101/2011.12.01.123456",))
    }


async def test_dois_are_quoted_into_the_url_and_requests_are_paced() -> None:
    crossref = CrossrefEnricher(FakeFetcher(), HostPacer({}, 0.0), base_url="http://127.0.0.1:1/")
    assert crossref.work_url("10.1002/(sici)1097-0258#x") == (
        "http://127.0.0.1:1/works/10.1002/%28sici%291097-0258%23x"
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    pacer = HostPacer({"api.crossref.org": 0.2}, 1.0, clock=lambda: 0.0, sleep=sleep)
    fetcher = FakeFetcher(
        {
            "https://api.crossref.org/works/10.1000/a": FetchResult(404, b""),
            "https://api.crossref.org/works/10.1000/b": FetchResult(404, b""),
        }
    )
    await CrossrefEnricher(fetcher, pacer).enrich(
        [journal_paper("10.1000/a"), journal_paper("10.1000/b")]
    )
    assert waits == [0.2]  # the second request waited out the host's gap, not the default
