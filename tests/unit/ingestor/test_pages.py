"""Each paged source's first page and next page, on real recorded pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from academichub.ingestor.domain import pages
from academichub.ingestor.formats import FeedInfo, FeedParse
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json
from tests.support.paged import biorxiv_pages, oai_pages

OAI = "https://oaipmh.arxiv.org/oai"


def _q(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_oai_first_page_asks_for_arxivraw_over_a_window_and_set() -> None:
    url = pages.oai_first(
        OAI, since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 3), set_spec="cs:cs:AI"
    )
    assert _q(url) == {
        "verb": ["ListRecords"],
        "metadataPrefix": ["arXivRaw"],
        "from": ["2026-11-01"],
        "until": ["2026-11-03"],
        "set": ["cs:cs:AI"],
    }


def test_oai_next_page_carries_only_the_resumption_token() -> None:
    first, last = oai_pages([3, 2])
    url = pages.oai_first(OAI, since=dt.date(2026, 11, 1))
    following = pages.oai_next(url, parse_arxiv_oai(first))
    assert following is not None
    assert _q(following) == {"verb": ["ListRecords"], "resumptionToken": ["t1"]}
    assert pages.oai_next(following, parse_arxiv_oai(last)) is None


def test_biorxiv_cursor_steps_by_the_count_returned_and_stops_at_total() -> None:
    first, second = biorxiv_pages([2, 1])
    url = pages.biorxiv_first(
        "https://api.biorxiv.org/details/biorxiv", dt.date(2026, 7, 15), dt.date(2026, 7, 18)
    )
    assert url == "https://api.biorxiv.org/details/biorxiv/2026-07-15/2026-07-18/0/json"
    following = pages.biorxiv_next(url, parse_biorxiv_json(first))
    assert following == "https://api.biorxiv.org/details/biorxiv/2026-07-15/2026-07-18/2/json"
    assert pages.biorxiv_next(following, parse_biorxiv_json(second)) is None


def _empty(
    total: int | None, *, per_page: int | None = None, cursor: str | None = None
) -> FeedParse:
    info = FeedInfo(
        None,
        None,
        False,
        None,
        (),
        total_results=total,
        items_per_page=per_page,
        next_cursor=cursor,
    )
    return FeedParse((), (), info)


def test_an_empty_biorxiv_page_before_the_total_is_a_gap_not_the_end() -> None:
    url = "https://api.biorxiv.org/details/medrxiv/2026-07-15/2026-07-18/30/json"
    with pytest.raises(pages.PageGap, match="cursor 30 of total 90"):
        pages.biorxiv_next(url, _empty(90, per_page=0))
    assert pages.biorxiv_next(url, _empty(30, per_page=0)) is None


def test_arxiv_api_pages_by_start_until_total_and_an_empty_middle_page_is_a_gap() -> None:
    url = pages.arxiv_api_first("https://export.arxiv.org/api/query", "cat:cs.AI", page_size=10)
    assert _q(url)["start"] == ["0"]
    assert _q(url)["max_results"] == ["10"]
    with pytest.raises(pages.PageGap, match="empty page at start=0 of totalResults=25"):
        pages.arxiv_api_next(url, _empty(25))
    assert pages.arxiv_api_next(url, _empty(5)) is None


def test_crossref_follows_next_cursor_until_a_page_without_items() -> None:
    url = pages.crossref_first(
        "https://api.crossref.org/works?filter=issn:0028-0836", since=dt.date(2026, 11, 20)
    )
    assert _q(url)["filter"] == ["issn:0028-0836,from-index-date:2026-11-20"]
    assert _q(url)["cursor"] == ["*"]
    assert pages.crossref_next(url, _empty(10, cursor="abc")) is None  # no items: the end
