"""parse_crossref_json on recorded api.crossref.org responses and on hand-written works."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.crossref_json import parse_crossref_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "crossref"
WORK = FIXTURES / "crossref_work_10.1371_journal.pone.0033693.json"
QUERY = FIXTURES / "crossref_works_query_ecology_rows2.json"


def test_single_work() -> None:
    result = parse_crossref_json(WORK.read_bytes())
    (paper,) = result.papers
    assert paper.id == "doi:10.1371/journal.pone.0033693"
    assert paper.doi == "10.1371/journal.pone.0033693"
    assert paper.title == (
        "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia "
        "in the Basal Ganglia of Mice"
    )
    # In the order Crossref lists them (sequence "first", then "additional"); editors are not.
    assert paper.authors == (
        "Shankar Sadasivan",
        "Brooks B. Pond",
        "Amar K. Pani",
        "Chunxu Qu",
        "Yun Jiao",
        "Richard J. Smeyne",
    )
    assert paper.source == "journal:plos-one"
    assert paper.published == dt.date(2012, 3, 21)
    assert paper.journal_ref == "PLoS ONE 7(3), e33693 (2012)"
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.url == "https://doi.org/10.1371/journal.pone.0033693"
    assert paper.abstract == ""
    assert paper.categories == ()
    assert paper.version is None
    assert result.feed.is_error is False


def test_query_page_counts_non_articles_as_skipped() -> None:
    result = parse_crossref_json(QUERY.read_bytes())
    assert result.papers == ()
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (0, "doi:10.1093/obo/9780199830060-0238"),
        (1, "doi:10.1093/obo/9780199830060-0023"),
    ]
    assert all("type 'reference-entry' is not a paper" in e.reason for e in result.errors)
    feed = result.feed
    assert (feed.total_results, feed.items_per_page, feed.start_index) == (586628, 2, 0)
    assert feed.next_cursor is None


def test_types_option_admits_other_work_types() -> None:
    result = parse_crossref_json(QUERY.read_bytes(), types={"reference-entry"})
    assert [p.id for p in result.papers] == [
        "doi:10.1093/obo/9780199830060-0238",
        "doi:10.1093/obo/9780199830060-0023",
    ]
    first, second = result.papers
    assert first.source == "journal:ecology"
    assert first.abstract.startswith("Communication is perhaps the most important")
    assert second.authors == ("André Kessler",)
    assert second.published == dt.date(2012, 5, 23)


# --- hand-written works --------------------------------------------------------------------------


def _work(**fields: Any) -> dict[str, Any]:
    work: dict[str, Any] = {
        "DOI": "10.1103/PhysRevLett.136.010001",
        "type": "journal-article",
        "title": ["Quantum <i>widgets</i>"],
        "container-title": ["Physical Review Letters"],
        "author": [
            {"given": "Ada", "family": "Lovelace", "sequence": "first"},
            {"name": "The Widget Collaboration", "sequence": "additional"},
            {"family": "Turing", "sequence": "additional"},
        ],
        "published-print": {"date-parts": [[2026, 1]]},
        "published-online": {"date-parts": [[2026, 1, 5]]},
        "volume": "136",
        "issue": "1",
        "page": "010001",
        "license": [
            {"URL": "http://link.aps.org/licenses/aps-default-text-mining-license"},
            {"URL": "https://creativecommons.org/licenses/by/4.0/", "content-version": "vor"},
        ],
        "link": [{"URL": "https://link.aps.org/pdf/x", "content-type": "application/pdf"}],
        "URL": "https://doi.org/10.1103/physrevlett.136.010001",
    }
    work.update(fields)
    return work


def _list(*items: object, **message: Any) -> bytes:
    body = {"items": list(items), "total-results": 3, "items-per-page": 20, **message}
    return json.dumps({"status": "ok", "message-type": "work-list", "message": body}).encode()


def test_journal_article_fields() -> None:
    (paper,) = parse_crossref_json(_list(_work())).papers
    assert paper.id == "doi:10.1103/physrevlett.136.010001"
    assert paper.title == "Quantum widgets"
    assert paper.authors == ("Ada Lovelace", "The Widget Collaboration", "Turing")
    # The full online date beats the month-only print date.
    assert paper.published == dt.date(2026, 1, 5)
    assert paper.source == "journal:physical-review-letters"
    assert paper.journal_ref == "Physical Review Letters 136(1), 010001 (2026)"
    assert paper.license == "https://creativecommons.org/licenses/by/4.0/"
    assert paper.pdf_url == "https://link.aps.org/pdf/x"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # Year only: January 1st; year and month: the 1st of the month.
        ({"issued": {"date-parts": [[2026]]}}, dt.date(2026, 1, 1)),
        ({"issued": {"date-parts": [[2026, 7]]}}, dt.date(2026, 7, 1)),
        # Equal precision: the earliest.
        (
            {"issued": {"date-parts": [[2026, 7]]}, "published": {"date-parts": [[2026, 6]]}},
            dt.date(2026, 6, 1),
        ),
        # No publication date at all ([[null]] is none): the deposit date.
        ({"created": {"date-parts": [[2025, 12, 31]]}}, dt.date(2025, 12, 31)),
        (
            {"issued": {"date-parts": [[None]]}, "created": {"date-parts": [[2025, 2]]}},
            dt.date(2025, 2, 1),
        ),
    ],
)
def test_partial_dates(dates: dict[str, Any], expected: dt.date) -> None:
    work = _work(**{"published-print": None, "published-online": None, **dates})
    (paper,) = parse_crossref_json(_list(work)).papers
    assert paper.published == expected


def test_jats_abstract_to_plain_text() -> None:
    abstract = (
        "<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>"
        "<jats:p>H<jats:sub>2</jats:sub>O &amp; $x&lt;y$ matter.</jats:p></jats:sec>"
        "<jats:sec><jats:title>Results</jats:title><jats:p>It works.</jats:p></jats:sec>"
    )
    (paper,) = parse_crossref_json(_list(_work(abstract=abstract))).papers
    assert paper.abstract == "Background: H2O & $x<y$ matter. Results: It works."


def test_posted_content_sources() -> None:
    biorxiv = _work(
        DOI="10.1101/2026.01.01.500001",
        type="posted-content",
        subtype="preprint",
        institution=[{"name": "bioRxiv"}],
        publisher="Cold Spring Harbor Laboratory",
        **{"group-title": "Neuroscience", "container-title": []},
    )
    other = _work(
        DOI="10.21203/rs.3.rs-1/v1",
        type="posted-content",
        institution=[{"name": "Research Square"}],
        **{"container-title": []},
    )
    papers = parse_crossref_json(_list(biorxiv, other)).papers
    assert [(p.source, p.categories, p.journal_ref) for p in papers] == [
        ("biorxiv", ("Neuroscience",), None),
        ("journal:research-square", (), None),
    ]


def test_bad_works_are_reported_and_the_rest_still_parse() -> None:
    result = parse_crossref_json(
        _list(
            _work(DOI="10.1000/good.1"),
            _work(DOI="10.1000/empty.title", title=[]),
            _work(DOI=None),
            _work(DOI="10.1000/chapter", type="book-chapter"),
            _work(DOI="10.1000/no.container", **{"container-title": []}),
            _work(
                DOI="10.1000/no.date",
                **{"published-print": None, "published-online": {"date-parts": []}},
            ),
            ["not", "a", "work"],
            _work(DOI="10.1000/good.2", subtitle=["a subtitle"]),
        )
    )
    assert [p.id for p in result.papers] == ["doi:10.1000/good.1", "doi:10.1000/good.2"]
    assert result.papers[1].title == "Quantum widgets: a subtitle"
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (1, "doi:10.1000/empty.title"),
        (2, None),
        (3, "doi:10.1000/chapter"),
        (4, "doi:10.1000/no.container"),
        (5, "doi:10.1000/no.date"),
        (6, None),
    ]
    reasons = [e.reason for e in result.errors]
    assert reasons[0] == "empty title: 'title' is []"
    assert reasons[1] == "no DOI: 'DOI' is None"
    assert "type 'book-chapter' is not a paper" in reasons[2]
    assert "no name to make a source of" in reasons[3]
    assert reasons[4].startswith("no date")
    assert "not an object" in reasons[5]


def test_cursor_paging() -> None:
    data = _list(_work(), **{"next-cursor": "DnF1ZXJ5VGhlbkZldGNo", "query": {"start-index": 0}})
    feed = parse_crossref_json(data).feed
    assert (feed.next_cursor, feed.total_results, feed.items_per_page, feed.start_index) == (
        "DnF1ZXJ5VGhlbkZldGNo",
        3,
        20,
        0,
    )


def test_failed_status_is_an_error_feed() -> None:
    data = json.dumps(
        {
            "status": "failed",
            "message-type": "validation-failure",
            "message": [{"type": "parameter-not-allowed", "value": "x", "message": "No x."}],
        }
    ).encode()
    result = parse_crossref_json(data)
    assert result.papers == ()
    assert result.feed.is_error is True
    assert result.feed.error_message == "No x."
    assert result.feed.error_code == "validation-failure"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"status": "ok", "message-type": "member", "message": {}}, "message-type is 'member'"),
        ({"status": "ok", "message-type": "work-list", "message": {}}, "no 'items' list"),
        ({"status": "ok", "message-type": "work", "message": "x"}, "'message' is not an object"),
    ],
)
def test_ok_responses_that_are_not_about_works_raise(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(FeedError, match=message):
        parse_crossref_json(json.dumps(document).encode())
