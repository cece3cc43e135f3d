"""parse_biorxiv_json on the recorded api.biorxiv.org page and on hand-written responses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "feeds"
    / "biorxiv_api"
    / "biorxiv_details_2026-07-15_to_18_trimmed_pretty.json"
)


def test_recorded_page() -> None:
    raw = json.loads(FIXTURE.read_bytes())["collection"]
    result = parse_biorxiv_json(FIXTURE.read_bytes())
    assert result.errors == ()
    assert [(p.id, p.version) for p in result.papers] == [
        (f"doi:{record['doi']}", int(record["version"])) for record in raw
    ]
    first, second, third = result.papers
    assert first.id == "doi:10.64898/2026.07.13.738145"
    assert first.doi == "10.64898/2026.07.13.738145"
    assert first.source == "biorxiv"  # "server": "bioRxiv"
    assert first.title == "Laterality of subcortical structures predicts spontaneous brain dynamics"
    assert first.authors == ("Ghafari, T.", "Quinn, A. J.", "Jensen, O.")
    assert first.categories == ("neuroscience",)
    assert first.published == dt.date(2026, 7, 15)
    assert first.license == "cc_by"
    assert first.journal_ref is None  # "published": "NA"
    assert first.url == "https://www.biorxiv.org/content/10.64898/2026.07.13.738145v1"
    assert first.pdf_url == first.url + ".full.pdf"
    assert first.abstract == raw[0]["abstract"]
    assert second.license == "cc_by_nc"
    assert third.version == 3
    assert third.authors[0] == "Dubois, Q."
    assert third.authors[-1] == "Gueguen, E."
    assert len(third.authors) == 10
    assert third.categories == ("microbiology",)


def test_page_position_from_messages() -> None:
    feed = parse_biorxiv_json(FIXTURE.read_bytes()).feed
    # cursor and count are ints in the fixture, total a string: both are read.
    assert (feed.start_index, feed.items_per_page, feed.total_results) == (0, 3, 3)
    assert (feed.is_error, feed.error_code) == (False, None)


# --- hand-written responses ----------------------------------------------------------------------


def _record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "title": "A preprint",
        "authors": "Doe, J.; Roe, R. A.;",
        "doi": "10.1101/2026.09.13.26362948",
        "date": "2026-09-15",
        "version": "2",
        "type": "PUBLISHAHEADOFPRINT",
        "license": "cc_no",
        "category": "epidemiology",
        "jatsxml": "https://www.medrxiv.org/content/early/2026/09/15//2026.09.13.26362948.source.xml",
        "abstract": "Text.",
        "published": "NA",
        "server": "medrxiv",
    }
    record.update(fields)
    return record


def _response(*records: object, **message: Any) -> bytes:
    head = {"status": "ok", "cursor": "30", "count": "2", "total": "109"}
    head.update(message)
    return json.dumps({"messages": [head], "collection": list(records)}).encode()


def test_medrxiv_record_with_published_version() -> None:
    record = _record(doi="10.1101/2026.09.13.26362948", published="10.1016/J.CELL.2026.01.001")
    result = parse_biorxiv_json(_response(record, _record(version=3, server="MedRxiv")))
    first, second = result.papers
    assert (first.id, first.version, first.source) == (
        "doi:10.1101/2026.09.13.26362948",
        2,
        "medrxiv",
    )
    assert first.journal_ref == "doi:10.1016/j.cell.2026.01.001"
    assert first.authors == ("Doe, J.", "Roe, R. A.")
    assert first.license == "cc_no"
    assert first.url == "https://www.medrxiv.org/content/10.1101/2026.09.13.26362948v2"
    assert (second.version, second.source) == (3, "medrxiv")
    feed = result.feed
    assert (feed.start_index, feed.items_per_page, feed.total_results) == (30, 2, 109)


def test_dois_are_lower_cased_under_both_prefixes() -> None:
    result = parse_biorxiv_json(
        _response(_record(doi="10.1101/ABC.123"), _record(doi="10.64898/2026.07.13.ABC"))
    )
    assert [p.id for p in result.papers] == ["doi:10.1101/abc.123", "doi:10.64898/2026.07.13.abc"]


def test_flattened_jats_is_removed_from_abstracts() -> None:
    abstract = (
        "AO_SCPLOWBSTRACTC_SCPLOWO_ST_ABSBackgroundC_ST_ABSThe modified {alpha} model."
        "MethodsWe used O_SCPLOWMUSEC_SCPLOW.\n\nHighlightsO_LIOne.\nC_LIO_LITwo.\nC_LI\n\n"
        "Graphical Abstract\n\nO_FIG O_LINKSMALLFIG WIDTH=200 HEIGHT=72 "
        'SRC="FIGDIR/small/1v1_ufig1.gif" ALT="Figure 1">\nView larger version (22K):\n'
        "org.highwire.dtl.DTLVardef@f10d08_HPS_FORMAT_FIGEXP  M_FIG C_FIG"
    )
    (paper,) = parse_biorxiv_json(_response(_record(abstract=abstract))).papers
    assert paper.abstract == (
        "Background: The modified α model. Methods: We used MUSE. Highlights: One. Two."
    )


def test_bad_records_are_reported_and_the_rest_still_parse() -> None:
    result = parse_biorxiv_json(
        _response(
            _record(doi="10.1101/good.1"),
            _record(doi="NA"),
            _record(doi="10.1101/no.title", title=""),
            _record(doi="10.1101/no.version", version="NA"),
            _record(doi="10.1101/bad.server", server="arxiv"),
            _record(doi="10.1101/bad.date", date="soon"),
            "not a record",
            _record(doi="10.1101/good.2", version=1),
        )
    )
    assert [p.id for p in result.papers] == ["doi:10.1101/good.1", "doi:10.1101/good.2"]
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (1, None),
        (2, "doi:10.1101/no.title"),
        (3, "doi:10.1101/no.version"),
        (4, "doi:10.1101/bad.server"),
        (5, "doi:10.1101/bad.date"),
        (6, None),
    ]
    reasons = [e.reason for e in result.errors]
    assert reasons[0] == "no DOI: 'doi' is 'NA'"
    assert reasons[1] == "empty title"
    assert "no version" in reasons[2]
    assert "unknown server 'arxiv'" in reasons[3]
    assert "no date" in reasons[4]
    assert "not an object" in reasons[5]


def test_server_option_fills_a_missing_server() -> None:
    record = _record(server="NA")
    assert parse_biorxiv_json(_response(record)).errors != ()
    (paper,) = parse_biorxiv_json(_response(record), server="biorxiv").papers
    assert paper.source == "biorxiv"


def test_error_status_is_an_error_feed() -> None:
    data = json.dumps(
        {"messages": [{"status": "Server not recognized"}], "collection": []}
    ).encode()
    result = parse_biorxiv_json(data)
    assert result.papers == ()
    assert result.feed.is_error is True
    assert result.feed.error_message == "Server not recognized"
    assert result.feed.error_code == "Server not recognized"


def test_status_error_with_records_still_flags_the_feed() -> None:
    result = parse_biorxiv_json(_response(_record(), status="error"))
    assert result.feed.is_error is True
    assert result.feed.error_message == "error"


def test_no_posts_found_is_an_empty_page_not_an_error() -> None:
    data = b'{"messages":[{"status":"no posts found"}],"collection":[]}'
    result = parse_biorxiv_json(data)
    assert (result.papers, result.errors, result.feed.is_error) == ((), (), False)
    assert result.feed.error_code == "no posts found"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "body is empty"),
        (b" \r\n", "body is empty"),
        (b"{}", "neither 'messages' nor 'collection'"),
        (b'{"messages": [], "collection": {}}', "'collection' is a dict"),
        (b'[{"doi": "10.1101/1"}]', "not an object"),
        (b'{"messages": [{"status": "ok"}], "collection": [', "not JSON"),
    ],
)
def test_documents_that_are_not_a_response_raise(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_biorxiv_json(data)
