"""Every format on every recorded fixture, and the refusals every format shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from academichub.contracts.events import PAPER_ID_RE
from academichub.ingestor.formats import FeedError, FeedParse
from academichub.ingestor.formats.arxiv_atom import parse_arxiv_atom
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json
from academichub.ingestor.formats.biorxiv_rss import parse_biorxiv_rss
from academichub.ingestor.formats.crossref_json import parse_crossref_json
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.formats.rss import parse_rss

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"

# fixture -> (format, papers, entry errors, is_error). A fixture added without a line here fails
# test_every_fixture_has_expectations, so no recorded document goes unparsed.
EXPECTED: dict[str, tuple[str, int, int, bool]] = {
    "arxiv_api/api_2026_empty_result_unknown_id.xml": ("arxiv-atom", 0, 0, False),
    "arxiv_api/api_2026_error_http400_bad_id.xml": ("arxiv-atom", 0, 0, True),
    "arxiv_api/api_2026_idlist_astro-ph_0601001_oldstyle_id.xml": ("arxiv-atom", 1, 0, False),
    "arxiv_api/api_2026_idlist_two_ids_one_missing.xml": ("arxiv-atom", 1, 0, False),
    "arxiv_api/api_2026_search_all-testing_max10.xml": ("arxiv-atom", 10, 0, False),
    "arxiv_api/api_legacy_2016_idlist_1111.2011v2_with_doi.xml": ("arxiv-atom", 1, 0, False),
    "arxiv_api/api_legacy_2016_search_au-del_maestro_max10.xml": ("arxiv-atom", 10, 0, False),
    "arxiv_oai/oai2_legacy_2014_ListRecords_arXivRaw_resumption_page.xml": (
        "arxiv-oai",
        1000,
        0,
        False,
    ),
    "arxiv_oai/oai2_legacy_2017_ListRecords_arXiv_set_physics-hep-th_trimmed.xml": (
        "arxiv-oai",
        3,
        0,
        False,
    ),
    "arxiv_rss/rss_2024-11-28_archive_test_empty.xml": ("arxiv-rss", 0, 0, False),
    "arxiv_rss/rss_2024-11-28_error_bad_archive_astroph.xml": ("arxiv-rss", 0, 0, True),
    "arxiv_rss/rss_2025-04-28_quant-ph_81items.xml": ("arxiv-rss", 81, 0, False),
    "biorxiv_api/biorxiv_details_2026-07-15_to_18_trimmed_pretty.json": (
        "biorxiv-json",
        3,
        0,
        False,
    ),
    "biorxiv_rss/biorxiv_rss_2018_subject_biochemistry.xml": ("biorxiv-rss", 30, 0, False),
    "biorxiv_rss/biorxiv_rss_2023-12_subject_genomics_trimmed.xml": ("biorxiv-rss", 1, 0, False),
    "crossref/crossref_work_10.1371_journal.pone.0033693.json": ("crossref-json", 1, 0, False),
    # Both works of the query page are reference entries: counted as skipped, not dropped.
    "crossref/crossref_works_query_ecology_rows2.json": ("crossref-json", 0, 2, False),
    "journal_feeds/science_aaas_rss1_2021-05_current_issue_trimmed.xml": ("rss", 2, 0, False),
}

XML_FORMATS = ("arxiv-rss", "arxiv-atom", "arxiv-oai", "biorxiv-rss", "rss")
JSON_FORMATS = ("biorxiv-json", "crossref-json")
# Left in no abstract: arXiv's announcement prefix, bioRxiv's flattening tokens, JATS tags.
LEFTOVERS = re.compile(
    r"Announce Type|^arXiv:|^Abstract:|[OC]_(?:ST_ABS|LI|SCPLOW|SCPCAP|FIG|TBL)|</?jats:|"
    r"DTLVardef|\s{2}|^\s|\s$"
)


def _fixtures() -> list[str]:
    return sorted(
        path.relative_to(FEEDS).as_posix()
        for path in FEEDS.glob("*/*")
        if path.is_file() and path.parent.name != "cassettes_raw"
    )


@pytest.fixture(scope="module")
def parsed() -> dict[str, FeedParse]:
    return {name: FORMATS[EXPECTED[name][0]]((FEEDS / name).read_bytes()) for name in EXPECTED}


def test_registry_holds_exactly_the_issue_formats() -> None:
    assert set(FORMATS) == {
        "arxiv-rss",
        "arxiv-atom",
        "arxiv-oai",
        "biorxiv-json",
        "biorxiv-rss",
        "rss",
        "crossref-json",
    }
    expected: dict[str, Callable[..., FeedParse]] = {
        "arxiv-rss": parse_arxiv_rss,
        "arxiv-atom": parse_arxiv_atom,
        "arxiv-oai": parse_arxiv_oai,
        "biorxiv-json": parse_biorxiv_json,
        "biorxiv-rss": parse_biorxiv_rss,
        "rss": parse_rss,
        "crossref-json": parse_crossref_json,
    }
    assert all(FORMATS[name] is parser for name, parser in expected.items())


def test_every_fixture_has_expectations() -> None:
    assert _fixtures() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_with_the_expected_counts(name: str, parsed: dict[str, FeedParse]) -> None:
    _, papers, errors, is_error = EXPECTED[name]
    result = parsed[name]
    assert (len(result.papers), len(result.errors), result.feed.is_error) == (
        papers,
        errors,
        is_error,
    )
    assert len({paper.key for paper in result.papers}) == papers


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_papers_are_canonical_plain_text(name: str, parsed: dict[str, FeedParse]) -> None:
    for paper in parsed[name].papers:
        assert PAPER_ID_RE.match(paper.id), paper.id
        assert paper.title == paper.title.strip()
        assert paper.title
        assert not LEFTOVERS.search(paper.title), paper.title
        assert not LEFTOVERS.search(paper.abstract), (paper.id, paper.abstract[:120])
        assert all(name.strip() == name and name for name in paper.authors), paper.authors
        if paper.doi is not None:
            assert paper.doi == paper.doi.lower()
        if paper.id.startswith("doi:"):
            assert paper.id == f"doi:{paper.doi}"


def test_versions_are_recorded_only_for_published_papers(parsed: dict[str, FeedParse]) -> None:
    for result in parsed.values():
        ids = {paper.id for paper in result.papers}
        assert set(result.versions) <= ids
        for paper in result.papers:
            history = result.versions.get(paper.id)
            if history:
                # A Paper is its latest version: the last entry of its history.
                assert history[-1].version == paper.version
                assert history[-1].date == paper.published
                assert [v.date for v in history] == sorted(v.date for v in history)


# --- refusals every format shares ----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
# The same attack wrapped in each XML format's root, so no root-element check can refuse it
# first: the DTD itself must be what is refused.
ATTACKS = {
    "arxiv-rss": b'<rss version="2.0"><channel><title>&lol9;</title>'
    b"<pubDate>Mon, 28 Apr 2025 00:00:00 -0400</pubDate><item><title>&lol9;</title>"
    b"<guid>oai:arXiv.org:2504.00001v1</guid><description>arXiv:2504.00001v1 Announce Type: "
    b"new \nAbstract: &lol9;</description></item></channel></rss>",
    "arxiv-atom": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>http://arxiv.org/abs/2504.00001v1</id><title>&lol9;</title>"
    b"<updated>2025-04-28T00:00:00Z</updated></entry></feed>",
    "arxiv-oai": b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>'
    b'<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>2504.00001</id>'
    b"<title>&lol9;</title></arXivRaw></metadata></record></ListRecords></OAI-PMH>",
    "biorxiv-rss": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><item><title>&lol9;</title></item></rdf:RDF>',
    "rss": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><item><title>&lol9;</title></item></rdf:RDF>',
}


@pytest.mark.parametrize("fmt", [f for f in XML_FORMATS if f != "arxiv-rss"])
def test_billion_laughs_is_refused_before_any_expansion(fmt: str) -> None:
    with pytest.raises(FeedError, match="DOCTYPE declaration"):
        FORMATS[fmt](BILLION_LAUGHS + ATTACKS[fmt])


def test_billion_laughs_is_refused_by_arxiv_rss_too() -> None:
    with pytest.raises(FeedError, match="DOCTYPE declaration"):
        parse_arxiv_rss(BILLION_LAUGHS + ATTACKS["arxiv-rss"])


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_billion_laughs_is_not_json(fmt: str) -> None:
    with pytest.raises(FeedError, match="not JSON"):
        FORMATS[fmt](BILLION_LAUGHS + ATTACKS["rss"])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_body_is_a_feed_error(fmt: str, body: bytes) -> None:
    with pytest.raises(FeedError, match="empty"):
        FORMATS[fmt](body)


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS if fmt != "arxiv-rss"])
def test_a_byte_order_mark_alone_is_an_empty_body(fmt: str) -> None:
    with pytest.raises(FeedError, match="empty"):
        FORMATS[fmt](b"\xef\xbb\xbf\n")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><head><title>503</title></head><body><p>Busy<br></body></html>",
        b"<html><body><h1>Not found</h1></body></html>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
)
def test_html_page_is_a_feed_error(fmt: str, page: bytes) -> None:
    with pytest.raises(FeedError, match="HTML page"):
        FORMATS[fmt](page)


@pytest.mark.parametrize(
    "name", [name for name, (fmt, *_) in EXPECTED.items() if fmt in XML_FORMATS[1:]]
)
def test_truncated_xml_fixture_is_a_feed_error(name: str) -> None:
    data = (FEEDS / name).read_bytes()
    with pytest.raises(FeedError, match="cut short"):
        FORMATS[EXPECTED[name][0]](data[: len(data) * 2 // 3])


@pytest.mark.parametrize("fmt", XML_FORMATS[1:])
def test_wrong_root_element_is_a_feed_error(fmt: str) -> None:
    with pytest.raises(FeedError, match="root element is <note>"):
        FORMATS[fmt](b"<?xml version='1.0'?><note><to>you</to></note>")
