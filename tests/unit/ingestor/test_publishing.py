"""PaperPublisher with enrichment and preprint linking: a journal publication of a preprint is
recorded on the preprint (one paper), Crossref fills only what a feed left out.

Real parsers on recorded feeds (arXiv RSS, bioRxiv API, Crossref work, Science RSS) and on
hand-written journal RSS; the in-memory store; the recording publisher.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, TopicName
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.enrich import CrossrefEnricher
from academichub.ingestor.fetch import FakeFetcher, FetchResult
from academichub.ingestor.formats import FeedParse
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json
from academichub.ingestor.formats.crossref_json import crossref_relations, parse_crossref_json
from academichub.ingestor.formats.rss import parse_rss
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.publishing import PaperPublisher, PublishCounts
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperWrite

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
ARXIV_RSS = FEEDS / "arxiv_rss" / "rss_2025-04-28_quant-ph_81items.xml"
BIORXIV_API = FEEDS / "biorxiv_api" / "biorxiv_details_2026-07-15_to_18_trimmed_pretty.json"
CROSSREF_WORK = FEEDS / "crossref" / "crossref_work_10.1371_journal.pone.0033693.json"
SCIENCE_RSS = FEEDS / "journal_feeds" / "science_aaas_rss1_2021-05_current_issue_trimmed.xml"

# arxiv:2403.13790v2 in the recorded quant-ph feed reports this journal DOI.
ARXIV_ID = "arxiv:2403.13790"
PRB_DOI = "10.1103/physrevb.111.144313"
BIORXIV_ID = "doi:10.64898/2026.07.13.738145"
PLOS_DOI = "10.1371/journal.pone.0033693"
PLOS_URL = f"https://api.crossref.org/works/{PLOS_DOI}"
ABSTRACT_JATS = "<jats:p>Methylphenidate (MPH) is a widely prescribed psychostimulant.</jats:p>"


def journal_rss(doi: str, *, name: str, description: str = "", creators: str = "") -> bytes:
    """A one-item RSS 1.0 table of contents, as HighWire/Atypon journals publish them."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
<channel rdf:about="https://journals.example.org"><title>{name}: latest</title></channel>
<item rdf:about="https://journals.example.org/{doi}">
  <title>The journal version</title><link>https://journals.example.org/{doi}</link>
  <description>{description}</description>{creators}
  <dc:identifier>doi:{doi}</dc:identifier><prism:doi>{doi}</prism:doi>
  <prism:publicationName>{name}</prism:publicationName><prism:volume>111</prism:volume>
  <prism:startingPage>144313</prism:startingPage><dc:date>2025-04-20</dc:date>
</item>
</rdf:RDF>""".encode()


def crossref_work(**changes: Any) -> bytes:
    """The recorded PLoS ONE work, with ``changes`` to its message."""
    document = json.loads(CROSSREF_WORK.read_bytes())
    document["message"].update(changes)
    return json.dumps(document).encode()


def has_preprint(doi: str) -> dict[str, Any]:
    return {"has-preprint": [{"id-type": "doi", "id": doi, "asserted-by": "subject"}]}


class Rig:
    def __init__(self, crossref: dict[str, FetchResult | Exception] | None = None) -> None:
        self.store = InMemoryStore()  # the ingestor's state and, below, the matcher's store
        self.sent = RecordingPublisher()
        self.metrics = IngestorMetrics(CollectorRegistry())
        self.fetcher = FakeFetcher(dict(crossref or {}))
        self.publisher = PaperPublisher(
            state=AsyncStore.inline(self.store.ingest),
            publisher=self.sent,
            metrics=self.metrics,
            enricher=CrossrefEnricher(self.fetcher, HostPacer({}, 0.0)),
            links=AsyncStore.inline(self.store.ingest),
        )

    async def publish(self, source: str, parsed: FeedParse, **options: Any) -> list[Paper]:
        """Publish; return the papers sent by this call."""
        before = len(self.sent.sent)
        self.counts: PublishCounts = await self.publisher.publish(source, parsed, **options)
        return [event for _, _, event in self.sent.sent[before:]]  # type: ignore[misc]

    def entries(self, source: str, outcome: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "academichub_ingestor_entries_total", {"source": source, "outcome": outcome}
        )
        return value or 0.0


async def test_arxiv_preprint_then_its_journal_entry_is_one_paper() -> None:
    rig = Rig()
    first = await rig.publish("arxiv", parse_arxiv_rss(ARXIV_RSS.read_bytes()))
    assert len(first) == 81
    (preprint,) = [p for p in first if p.id == ARXIV_ID]
    assert (preprint.version, preprint.doi) == (2, PRB_DOI)
    # The matcher's store holds what was published.
    assert rig.store.papers.upsert_papers(first) == [PaperWrite.NEW] * 81

    journal = parse_rss(journal_rss("10.1103/PhysRevB.111.144313", name="Physical Review B"))
    sent = await rig.publish("prb", journal)

    (republished,) = sent
    assert republished.key == (ARXIV_ID, 2)  # the same id and version as published before
    assert republished.doi == PRB_DOI
    assert republished.journal_ref == f"Physical Review B 111, 144313 (2025), doi:{PRB_DOI}"
    assert (republished.title, republished.abstract) == (preprint.title, preprint.abstract)
    assert [key for _, key, _ in rig.sent.sent].count(f"doi:{PRB_DOI}") == 0  # no second paper
    assert (rig.counts.published, rig.counts.linked, rig.counts.republished) == (0, 1, 1)
    assert rig.entries("prb", "linked") == 1
    assert rig.entries("prb", "published") == 0
    assert (f"doi:{PRB_DOI}", None) in rig.store.ingest.published  # later polls skip it

    # The matcher's store records the publication on the stored paper; no new paper.
    assert rig.store.papers.upsert_papers([republished]) == [PaperWrite.PUBLISHED]
    assert rig.store.papers.count_papers() == 81
    stored = rig.store.papers.get_paper(ARXIV_ID)
    assert stored is not None
    assert stored.journal_ref == republished.journal_ref

    # Polling either feed again sends nothing.
    assert await rig.publish("prb", journal) == []
    assert rig.counts.duplicates == 1
    assert await rig.publish("arxiv", parse_arxiv_rss(ARXIV_RSS.read_bytes())) == []


async def test_biorxiv_preprint_and_crossref_work_with_has_preprint_are_linked() -> None:
    rig = Rig()
    preprints = await rig.publish("biorxiv", parse_biorxiv_json(BIORXIV_API.read_bytes()))
    assert BIORXIV_ID in {p.id for p in preprints}

    body = crossref_work(relation=has_preprint("10.64898/2026.07.13.738145"))
    sent = await rig.publish(
        "crossref", parse_crossref_json(body), relations=crossref_relations(body)
    )

    (republished,) = sent
    assert (republished.id, republished.version) == (BIORXIV_ID, 1)
    assert republished.doi == "10.64898/2026.07.13.738145"  # its own DOI stays
    assert republished.journal_ref == f"PLoS ONE 7(3), e33693 (2012), doi:{PLOS_DOI}"
    assert (rig.counts.linked, rig.counts.published) == (1, 0)
    assert (f"doi:{PLOS_DOI}", None) in rig.store.ingest.published


async def test_crossref_work_without_relations_is_published_as_a_paper() -> None:
    rig = Rig()
    await rig.publish("biorxiv", parse_biorxiv_json(BIORXIV_API.read_bytes()))
    body = CROSSREF_WORK.read_bytes()
    sent = await rig.publish(
        "crossref", parse_crossref_json(body), relations=crossref_relations(body)
    )
    assert [p.id for p in sent] == [f"doi:{PLOS_DOI}"]
    assert (rig.counts.published, rig.counts.linked) == (1, 0)


async def test_enrichment_fills_a_missing_abstract_but_never_overwrites() -> None:
    rig = Rig({PLOS_URL: FetchResult(200, crossref_work(abstract=ABSTRACT_JATS))})
    feed = journal_rss(PLOS_DOI, name="PLoS ONE", creators="<dc:creator>Sadasivan, S.</dc:creator>")
    (paper,) = await rig.publish("plos", parse_rss(feed), enrich=True)
    assert paper.abstract == "Methylphenidate (MPH) is a widely prescribed psychostimulant."
    assert paper.authors == ("Sadasivan, S.",)  # the feed's, not Crossref's six names
    assert paper.journal_ref == "PLoS ONE 111, 144313 (2025)"  # the feed's own reference
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"  # the feed had none
    assert (rig.counts.enriched, rig.counts.published) == (1, 1)


async def test_enrichment_is_off_unless_asked_and_asks_only_for_fresh_papers() -> None:
    rig = Rig({PLOS_URL: FetchResult(200, crossref_work(abstract=ABSTRACT_JATS))})
    feed = parse_rss(journal_rss(PLOS_DOI, name="PLoS ONE"))
    (plain,) = await rig.publish("plos", feed)
    assert plain.abstract == ""
    assert rig.fetcher.requests == []
    assert await rig.publish("plos", feed, enrich=True) == []  # already published: not asked
    assert rig.fetcher.requests == []


async def test_failed_enrichment_publishes_the_papers_as_the_feed_gave_them() -> None:
    science = parse_rss(SCIENCE_RSS.read_bytes())
    rig = Rig(
        {
            "https://api.crossref.org/works/10.1126/science.abj4606": FetchResult(404, b""),
            "https://api.crossref.org/works/10.1126/science.372.6544.770": FetchResult(
                200, b"<html>Bad gateway</html>"
            ),
        }
    )
    sent = await rig.publish("science", science, enrich=True)
    assert sent == list(science.papers)
    assert (rig.counts.published, rig.counts.enriched) == (2, 0)
    assert len(rig.fetcher.requests) == 2


async def test_enrichment_reveals_the_preprint_of_a_journal_entry() -> None:
    # A journal feed without abstract: Crossref's record fills it in and names the preprint.
    body = crossref_work(
        abstract=ABSTRACT_JATS, relation=has_preprint("10.64898/2026.07.13.738145")
    )
    rig = Rig({PLOS_URL: FetchResult(200, body)})
    await rig.publish("biorxiv", parse_biorxiv_json(BIORXIV_API.read_bytes()))
    sent = await rig.publish("plos", parse_rss(journal_rss(PLOS_DOI, name="PLoS ONE")), enrich=True)
    assert [p.key for p in sent] == [(BIORXIV_ID, 1)]
    assert (rig.counts.enriched, rig.counts.linked) == (1, 1)


async def test_a_failed_publish_marks_and_remembers_nothing() -> None:
    rig = Rig()
    rig.sent.fail_with = RuntimeError("broker down")
    arxiv = parse_arxiv_rss(ARXIV_RSS.read_bytes())
    with pytest.raises(RuntimeError, match="broker down"):
        await rig.publish("arxiv", arxiv)
    assert rig.store.ingest.published == set()
    assert rig.store.ingest.preprints == {}
    rig.sent.fail_with = None
    assert len(await rig.publish("arxiv", arxiv)) == 81
    assert ARXIV_ID in rig.store.ingest.preprints


async def test_without_enricher_or_link_store_it_publishes_as_before() -> None:
    store = InMemoryStore()
    sent = RecordingPublisher()
    publisher = PaperPublisher(
        state=AsyncStore.inline(store.ingest),
        publisher=sent,
        metrics=IngestorMetrics(CollectorRegistry()),
    )
    await publisher.publish("arxiv", parse_arxiv_rss(ARXIV_RSS.read_bytes()))
    journal = parse_rss(journal_rss(PRB_DOI, name="Physical Review B"))
    counts = await publisher.publish("prb", journal, enrich=True)
    assert counts == PublishCounts(1, 1, 0, 0)
    assert sent.sent[-1][1] == f"doi:{PRB_DOI}"
    assert store.ingest.preprints == {}
    assert sent.on(TopicName.PAPERS)[-1] == journal.papers[0]


async def test_a_refused_paper_fails_alone_and_is_offered_again_next_time() -> None:
    rig = Rig()
    rig.sent.refuse = {ARXIV_ID: "MessageSizeTooLargeError: too large"}
    arxiv = parse_arxiv_rss(ARXIV_RSS.read_bytes())

    sent = await rig.publish("arxiv", arxiv)

    assert len(sent) == 80
    assert ARXIV_ID not in {p.id for p in sent}
    assert [r.key for r in rig.counts.refused] == [ARXIV_ID]
    assert (rig.counts.published, rig.entries("arxiv", "refused")) == (80, 1.0)
    assert (ARXIV_ID, 2) not in rig.store.ingest.published  # left for the next poll
    assert ARXIV_ID not in rig.store.ingest.preprints  # nothing remembered of what was not sent
    rig.sent.refuse = {}
    again = await rig.publish("arxiv", arxiv)
    assert [p.id for p in again] == [ARXIV_ID]


async def test_a_journal_entry_linked_to_a_refused_preprint_waits_with_it() -> None:
    rig = Rig()
    await rig.publish("arxiv", parse_arxiv_rss(ARXIV_RSS.read_bytes()))
    journal = parse_rss(journal_rss("10.1103/PhysRevB.111.144313", name="Physical Review B"))
    rig.sent.refuse = {ARXIV_ID: "UnknownError"}

    assert await rig.publish("prb", journal) == []
    assert (rig.counts.published, rig.counts.linked, len(rig.counts.refused)) == (0, 0, 1)
    assert (f"doi:{PRB_DOI}", None) not in rig.store.ingest.published
    rig.sent.refuse = {}
    (republished,) = await rig.publish("prb", journal)
    assert republished.doi == PRB_DOI
    assert rig.counts.linked == 1


async def test_repairs_are_counted_per_source_field_and_kind() -> None:
    rig = Rig()
    data = ARXIV_RSS.read_bytes().replace(
        b"Self-Adjoint Time Operator", "Self-Adjoint \u202eTime Operator".encode(), 1
    )
    await rig.publish("arxiv", parse_arxiv_rss(data))

    count = rig.metrics.registry.get_sample_value(
        "academichub_ingestor_repairs_total",
        {"source": "arxiv", "field": "title", "kind": "bidi"},
    )
    assert count == 1.0
    assert [(r.field, r.kind, r.count) for r in rig.counts.repairs] == [("title", "bidi", 1)]
