"""parse_arxiv_oai on recorded OAI-PMH pages (arXivRaw, arXiv) and on hand-written ones."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from academichub.ingestor.formats import FeedError, FeedParse, PaperVersion
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "arxiv_oai"
RAW_PAGE = FIXTURES / "oai2_legacy_2014_ListRecords_arXivRaw_resumption_page.xml"
ARXIV_PAGE = FIXTURES / "oai2_legacy_2017_ListRecords_arXiv_set_physics-hep-th_trimmed.xml"


@pytest.fixture(scope="module")
def raw_bytes() -> bytes:
    return RAW_PAGE.read_bytes()


@pytest.fixture(scope="module")
def raw_page(raw_bytes: bytes) -> FeedParse:
    return parse_arxiv_oai(raw_bytes)


# --- the 1000-record arXivRaw page ---------------------------------------------------------------


def test_every_record_is_its_latest_version(raw_page: FeedParse, raw_bytes: bytes) -> None:
    # Independent oracle: each record's id and version labels, read with regexes.
    records = raw_bytes.decode().split("<record>")[1:]
    assert len(raw_page.papers) == len(records) == 1000
    assert raw_page.errors == ()
    for paper, record in zip(raw_page.papers, records, strict=True):
        bare = re.search(r"<id>(.*?)</id>", record)
        assert bare is not None
        labels = [int(v) for v in re.findall(r"<version version='v(\d+)'>", record)]
        assert paper.id == f"arxiv:{bare.group(1)}"
        assert paper.version == max(labels)
        assert [v.version for v in raw_page.versions[paper.id]] == sorted(labels)
        assert paper.pdf_url == f"https://arxiv.org/pdf/{bare.group(1)}v{max(labels)}"
        categories = re.search(r"<categories>([^<]*)</categories>", record)
        assert categories is not None
        assert paper.categories == tuple(categories.group(1).split())


def test_version_history_and_dates(raw_page: FeedParse) -> None:
    paper = next(p for p in raw_page.papers if p.id == "arxiv:0811.3649")
    assert paper.version == 4
    assert paper.published == dt.date(2009, 9, 1)  # v4: Tue, 1 Sep 2009 22:36:30 GMT
    assert raw_page.versions[paper.id] == (
        PaperVersion(1, dt.date(2008, 11, 21)),
        PaperVersion(2, dt.date(2008, 12, 9)),
        PaperVersion(3, dt.date(2009, 4, 7)),
        PaperVersion(4, dt.date(2009, 9, 1)),
    )
    assert paper.title == (
        "Traces of high powers of the Frobenius class in the hyperelliptic ensemble"
    )
    assert paper.authors == ("Zeev Rudnick",)
    assert paper.categories == ("math.NT",)
    assert sum(len(history) for history in raw_page.versions.values()) == 1632


def test_first_record_fields(raw_page: FeedParse) -> None:
    paper = raw_page.papers[0]
    assert (paper.id, paper.version) == ("arxiv:0811.36489", 2)
    assert paper.authors == ("Daniel M. Kane", "Jelani Nelson", "David P. Woodruff")
    assert paper.categories == ("cs.DS", "cs.CC")
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert paper.source == "arxiv"
    assert paper.announce_type is None
    # `&lt;` in the XML is a literal "<" of the abstract, and the hard wraps are gone.
    assert "updates of the form x_i <-- x_i + v come sequentially" in paper.abstract
    assert 'the "distinct elements" problem' in paper.abstract


def test_affiliation_footnotes_do_not_become_authors(raw_page: FeedParse) -> None:
    paper = next(p for p in raw_page.papers if p.id == "arxiv:0811.4645")
    assert paper.authors == (
        "Aimee Hungerford",
        "Christopher L. Fryer",
        "Francis X. Timmes",
        "Patrick Young",
        "Michael Bennett",
        "Steven Diehl",
        "Falk Herwig",
        "Raphael Hirschi",
        "Marco Pignatari",
        "Georgios Magkotsios",
        "Gabriel Rockefeller",
    )
    assert (
        paper.title
        == r"Difficulties in Probing Nuclear Physics: A Study of $^{44}$Ti and $^{56}$Ni"
    )


def test_dois_and_journal_refs_where_given(raw_page: FeedParse, raw_bytes: bytes) -> None:
    dois = [p.doi for p in raw_page.papers if p.doi]
    assert len(dois) == raw_bytes.count(b"<doi>") == 468
    assert len([p for p in raw_page.papers if p.journal_ref]) == raw_bytes.count(b"<journal-ref>")
    assert all(doi == doi.lower() for doi in dois)
    paper = next(p for p in raw_page.papers if p.id == "arxiv:0811.3650")
    assert paper.doi == "10.1177/1077546309103268"
    assert paper.journal_ref is not None
    assert paper.journal_ref.startswith("Journal of Vibration and Con")


def test_resumption_token_and_paging(raw_page: FeedParse) -> None:
    feed = raw_page.feed
    assert feed.next_cursor == "496549|96001"
    assert (feed.total_results, feed.start_index) == (907096, 95000)
    assert feed.response_date == dt.datetime(2014, 1, 16, 11, 10, 55, tzinfo=dt.UTC)
    assert (feed.is_error, feed.error_code) == (False, None)


# --- the arXiv metadata format -------------------------------------------------------------------


def test_arxiv_format_records() -> None:
    result = parse_arxiv_oai(ARXIV_PAGE.read_bytes())
    assert result.errors == ()
    first, second, third = result.papers
    assert first.id == "arxiv:1412.8323"
    assert first.authors == ("Philipp A Hoehn",)
    assert first.categories == (
        "quant-ph",
        "gr-qc",
        "hep-th",
        "math-ph",
        "math.MP",
        "physics.hist-ph",
    )
    assert first.title == (
        "Toolbox for reconstructing quantum theory from rules on information acquisition"
    )
    assert first.license == "http://creativecommons.org/licenses/by/4.0/"
    # `updated` dates the latest version without numbering it.
    assert first.version is None
    assert first.published == dt.date(2017, 12, 13)
    assert result.versions[first.id] == (
        PaperVersion(1, dt.date(2014, 12, 29)),
        PaperVersion(None, dt.date(2017, 12, 13)),
    )
    assert first.pdf_url == "https://arxiv.org/pdf/1412.8323"
    assert second.authors == ("Luis B. Castro", "Edilberto O. Silva")
    assert second.doi == "10.1088/1751-8121/aa9c53"
    assert second.journal_ref == "J. Phys. A: Math. Theor. 51 (2018) 035201"
    assert third.authors == (
        "R. A. C. Correa",
        "D. M. Dantas",
        "P. H. R. S. Moraes",
        "A. de Souza Dutra",
        "C. A. S. Almeida",
    )
    assert result.feed.next_cursor is None
    assert result.feed.response_date == dt.datetime(2017, 12, 14, 12, 56, 31, tzinfo=dt.UTC)


# --- hand-written pages --------------------------------------------------------------------------

_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-06-12T03:00:00Z</responseDate>
<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>
{body}
</OAI-PMH>"""


def _page(*records: str, token: str = "") -> bytes:
    body = f"<ListRecords>{''.join(records)}{token}</ListRecords>"
    return _PAGE.format(body=body).encode()


def _raw_record(bare: str = "2606.00001", *, versions: str = "", title: str = "A paper") -> str:
    versions = versions or (
        "<version version='v1'><date>Mon, 8 Jun 2026 17:00:00 GMT</date></version>"
        "<version version='v2'><date>Wed, 10 Jun 2026 09:30:00 GMT</date></version>"
    )
    return (
        f"<record><header><identifier>oai:arXiv.org:{bare}</identifier></header><metadata>"
        f"<arXivRaw xmlns='http://arxiv.org/OAI/arXivRaw/'><id>{bare}</id>{versions}"
        f"<title>{title}</title><authors>A. One, B. Two and C. Three</authors>"
        "<categories>cs.AI cs.LG</categories><abstract>Text.</abstract></arXivRaw>"
        "</metadata></record>"
    )


def test_oai_dc_records() -> None:
    record = """<record><header><identifier>oai:arXiv.org:2606.00002</identifier>
      <setSpec>physics:hep-th</setSpec><setSpec>physics:quant-ph</setSpec></header><metadata>
      <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
                 xmlns:dc="http://purl.org/dc/elements/1.1/">
        <dc:title>Strings on a lattice</dc:title>
        <dc:creator>Hoehn, Philipp A</dc:creator><dc:creator>G\\"unther, Jakob</dc:creator>
        <dc:subject>High Energy Physics - Theory</dc:subject>
        <dc:description>We study strings.</dc:description>
        <dc:description>Comment: 12 pages</dc:description>
        <dc:date>2026-06-01</dc:date><dc:date>2026-06-09</dc:date>
        <dc:type>text</dc:type>
        <dc:identifier>https://arxiv.org/abs/2606.00002</dc:identifier>
        <dc:identifier>http://arxiv.org/abs/2606.00002</dc:identifier>
        <dc:identifier>Phys. Rev. D 1, 2 (2026)</dc:identifier>
        <dc:identifier>doi:10.1103/PhysRevD.1.2</dc:identifier>
      </oai_dc:dc></metadata></record>"""
    result = parse_arxiv_oai(_page(record))
    assert result.errors == ()
    (paper,) = result.papers
    assert paper.id == "arxiv:2606.00002"
    assert paper.authors == ("Philipp A Hoehn", "Jakob Günther")
    assert paper.abstract == "We study strings."
    assert paper.categories == ("hep-th", "quant-ph")
    assert paper.doi == "10.1103/physrevd.1.2"
    assert paper.journal_ref == "Phys. Rev. D 1, 2 (2026)"
    assert (paper.version, paper.published) == (None, dt.date(2026, 6, 9))
    assert result.versions[paper.id][0] == PaperVersion(1, dt.date(2026, 6, 1))


def test_arxiv_format_without_updated_is_version_one() -> None:
    record = (
        "<record><header><identifier>oai:arXiv.org:hep-th/9901001</identifier></header>"
        "<metadata><arXiv xmlns='http://arxiv.org/OAI/arXiv/'><id>hep-th/9901001</id>"
        "<created>1999-01-04</created><authors><author><keyname>Smith</keyname>"
        "<forenames>John</forenames><suffix>Jr</suffix></author></authors>"
        "<title>Old style</title><categories>hep-th</categories></arXiv></metadata></record>"
    )
    (paper,) = parse_arxiv_oai(_page(record)).papers
    assert (paper.id, paper.version, paper.published) == (
        "arxiv:hep-th/9901001",
        1,
        dt.date(1999, 1, 4),
    )
    assert paper.authors == ("John Smith Jr",)


def test_bad_records_are_reported_and_the_rest_still_parse() -> None:
    deleted = (
        '<record><header status="deleted"><identifier>oai:arXiv.org:2606.00009</identifier>'
        "</header></record>"
    )
    unknown = (
        "<record><header><identifier>oai:arXiv.org:2606.00010</identifier></header><metadata>"
        "<arXivOld xmlns='http://arxiv.org/OAI/arXivOld/'/></metadata></record>"
    )
    bad_version = "<version version='vX'><date>yesterday</date></version>"
    result = parse_arxiv_oai(
        _page(
            _raw_record("2606.00001"),
            deleted,
            unknown,
            _raw_record("not-an-id"),
            _raw_record("2606.00011", title=" "),
            _raw_record("2606.00012", versions=bad_version),
            _raw_record("2606.00013"),
        )
    )
    assert [(p.id, p.version) for p in result.papers] == [
        ("arxiv:2606.00001", 2),
        ("arxiv:2606.00013", 2),
    ]
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (1, "oai:arXiv.org:2606.00009"),
        (2, "oai:arXiv.org:2606.00010"),
        (3, "not-an-id"),
        (4, "arxiv:2606.00011"),
        (5, "arxiv:2606.00012"),
    ]
    reasons = [e.reason for e in result.errors]
    assert "deleted" in reasons[0]
    assert "unknown metadata format <arXivOld>" in reasons[1]
    assert "no arXiv id" in reasons[2]
    assert reasons[3] == "empty title"
    assert "unreadable version 'vX'" in reasons[4]
    assert set(result.versions) == {"arxiv:2606.00001", "arxiv:2606.00013"}
    paper = result.papers[0]
    assert paper.authors == ("A. One", "B. Two", "C. Three")
    assert paper.published == dt.date(2026, 6, 10)


def test_last_page_has_an_empty_token() -> None:
    token = '<resumptionToken expirationDate="2026-06-13T00:00:00Z"/>'
    result = parse_arxiv_oai(_page(_raw_record(), token=token))
    assert result.feed.next_cursor is None
    assert len(result.papers) == 1


def test_current_server_token_without_list_size() -> None:
    token = '<resumptionToken expirationDate="2026-06-13T00:00:00Z">abc123</resumptionToken>'
    feed = parse_arxiv_oai(_page(_raw_record(), token=token)).feed
    assert (feed.next_cursor, feed.total_results, feed.start_index) == ("abc123", None, None)


def test_get_record_is_read_too() -> None:
    body = f"<GetRecord>{_raw_record('2606.00020')}</GetRecord>"
    (paper,) = parse_arxiv_oai(_PAGE.format(body=body).encode()).papers
    assert paper.id == "arxiv:2606.00020"


def test_no_records_match_is_an_empty_page_not_an_error() -> None:
    body = '<error code="noRecordsMatch">No records match the request</error>'
    result = parse_arxiv_oai(_PAGE.format(body=body).encode())
    assert (result.papers, result.errors) == ((), ())
    assert result.feed.is_error is False
    assert result.feed.error_code == "noRecordsMatch"
    assert result.feed.error_message is None
    assert result.feed.response_date == dt.datetime(2026, 6, 12, 3, tzinfo=dt.UTC)


def test_other_oai_errors_are_error_pages() -> None:
    body = '<error code="badResumptionToken">The token has expired</error>'
    result = parse_arxiv_oai(_PAGE.format(body=body).encode())
    assert result.papers == ()
    assert result.feed.is_error is True
    assert result.feed.error_code == "badResumptionToken"
    assert result.feed.error_message == "The token has expired"


def test_atom_is_not_an_oai_response() -> None:
    atom = (FIXTURES.parent / "arxiv_api" / "api_2026_empty_result_unknown_id.xml").read_bytes()
    with pytest.raises(FeedError, match=r"not an OAI-PMH response: the root element is <\{"):
        parse_arxiv_oai(atom)
