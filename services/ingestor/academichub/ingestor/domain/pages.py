"""Where each paged source's first page is and how to ask for the next one. Pure.

Every paged source pages differently (../shared/FEEDS.md):

- arXiv OAI-PMH: ``resumptionToken`` in the page; the next request carries only the token.
- arXiv API: ``start``/``max_results`` in the URL; ``opensearch:totalResults`` says when to stop.
  The API is known to answer an empty page in the middle of a result: that is a failure to
  retry, not the end.
- bioRxiv/medRxiv: ``/details/<server>/<from>/<to>/<cursor>/json``; the cursor is a record
  offset stepping by the ``count`` actually returned; an empty body is a failure.
- Crossref: ``cursor=*`` then ``next-cursor``; the list ends at the first page without items.

A pager never decides alone that a source is done when the page is inconsistent: it raises
:class:`PageGap`, which the harvest reports as a failure and resumes from later.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from academichub.ingestor.formats.results import FeedParse
from academichub.platform.errors import TransientError

OAI_PAGED: Final = "arxiv-oai"
ARXIV_API_PAGED: Final = "arxiv-atom"
BIORXIV_PAGED: Final = "biorxiv-json"
CROSSREF_PAGED: Final = "crossref-json"
PAGED_FORMATS: Final = frozenset({OAI_PAGED, ARXIV_API_PAGED, BIORXIV_PAGED, CROSSREF_PAGED})

ARXIV_API_PAGE_SIZE: Final = 200
# The API refuses to page past 30,000 results (HTTP 400); larger ranges are for OAI-PMH.
ARXIV_API_MAX_RESULTS: Final = 30_000
CROSSREF_ROWS: Final = 200


class PageGap(TransientError):
    """A page contradicts the paging it announced (an empty page before the end)."""


NextPage = Callable[[str, FeedParse], "str | None"]


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query, safe=":,*")))


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _entries(page: FeedParse) -> int:
    return len(page.papers) + len(page.errors)


# --- arXiv OAI-PMH ---------------------------------------------------------------------


def oai_first(
    base: str,
    *,
    since: dt.date | None,
    until: dt.date | None = None,
    set_spec: str | None = None,
) -> str:
    """A ListRecords request for arXivRaw (full version history) over a date range and set."""
    params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}
    params |= _query(base)
    if since:
        params["from"] = since.isoformat()
    if until:
        params["until"] = until.isoformat()
    if set_spec:
        params["set"] = set_spec
    return _with_query(base.split("?", 1)[0], **params)


def oai_next(url: str, page: FeedParse) -> str | None:
    token = page.feed.next_cursor
    if not token:
        return None
    # A resumed request carries the verb and the token only (OAI-PMH 2.0, section 3.5).
    return _with_query(url.split("?", 1)[0], verb="ListRecords", resumptionToken=token)


# --- arXiv API ------------------------------------------------------------------------


def arxiv_api_first(base: str, search_query: str, *, page_size: int | None = None) -> str:
    """A search by submission date, oldest first, so that pages do not shift while read."""
    return _with_query(
        base.split("?", 1)[0],
        search_query=search_query,
        sortBy="submittedDate",
        sortOrder="ascending",
        start="0",
        max_results=str(page_size or ARXIV_API_PAGE_SIZE),
    )


def arxiv_api_ids(base: str, id_list: str) -> str:
    """Metadata look-up of comma-separated arXiv ids (unknown ids are silently dropped)."""
    count = id_list.count(",") + 1
    return _with_query(
        base.split("?", 1)[0], id_list=id_list, start="0", max_results=str(max(count, 1))
    )


def arxiv_api_paged(url: str, *, page_size: int | None = None) -> str:
    """A configured API query URL, made to start at 0 with a page size if it names none."""
    query = _query(url)
    return _with_query(
        url,
        start="0",
        max_results=query.get("max_results") or str(page_size or ARXIV_API_PAGE_SIZE),
    )


def arxiv_api_next(url: str, page: FeedParse) -> str | None:
    query = _query(url)
    start = int(query.get("start", "0") or 0)
    size = int(query.get("max_results", str(ARXIV_API_PAGE_SIZE)) or ARXIV_API_PAGE_SIZE)
    total = page.feed.total_results
    if total is None or start + size >= min(total, ARXIV_API_MAX_RESULTS):
        return None
    if _entries(page) == 0:
        raise PageGap(
            f"arXiv API answered an empty page at start={start} of totalResults={total}; "
            "retrying later from this page"
        )
    return _with_query(url, start=str(start + size))


# --- bioRxiv / medRxiv API ------------------------------------------------------------

_DETAILS = re.compile(
    r"^(?P<base>.+/details/(?P<server>[a-z]+))/(?P<start>\d{4}-\d{2}-\d{2})/"
    r"(?P<end>\d{4}-\d{2}-\d{2})/(?P<cursor>\d+)(?P<tail>/json)?/?$"
)


@dataclass(frozen=True)
class BiorxivWindow:
    base: str  # .../details/<server>
    start: dt.date
    end: dt.date
    cursor: int


def biorxiv_first(base: str, start: dt.date, end: dt.date) -> str:
    return f"{base.rstrip('/')}/{start.isoformat()}/{end.isoformat()}/0/json"


def biorxiv_window(url: str) -> BiorxivWindow:
    found = _DETAILS.match(url)
    if not found:
        raise ValueError(f"not a bioRxiv /details/<server>/<from>/<to>/<cursor> URL: {url}")
    return BiorxivWindow(
        found["base"],
        dt.date.fromisoformat(found["start"]),
        dt.date.fromisoformat(found["end"]),
        int(found["cursor"]),
    )


def biorxiv_next(url: str, page: FeedParse) -> str | None:
    window = biorxiv_window(url)
    returned = page.feed.items_per_page
    if returned is None:
        returned = _entries(page)
    total = page.feed.total_results
    if returned == 0:
        if total is not None and window.cursor < total:
            raise PageGap(
                f"bioRxiv answered no records at cursor {window.cursor} of total {total}; "
                "retrying later from this page"
            )
        return None
    following = window.cursor + returned
    if total is not None and following >= total:
        return None
    return f"{window.base}/{window.start}/{window.end}/{following}/json"


# --- Crossref -------------------------------------------------------------------------


def crossref_first(base: str, *, since: dt.date | None, rows: int | None = None) -> str:
    query = _query(base)
    filters = [f for f in query.get("filter", "").split(",") if f]
    if since:
        filters = [f for f in filters if not f.startswith("from-index-date:")]
        filters.append(f"from-index-date:{since.isoformat()}")
    params = {"cursor": "*", "rows": str(rows or CROSSREF_ROWS)}
    if filters:
        params["filter"] = ",".join(filters)
    return _with_query(base, **params)


def crossref_next(url: str, page: FeedParse) -> str | None:
    if _entries(page) == 0 or not page.feed.next_cursor:
        return None
    return _with_query(url, cursor=page.feed.next_cursor)


NEXT_PAGE: Final[dict[str, NextPage]] = {
    OAI_PAGED: oai_next,
    ARXIV_API_PAGED: arxiv_api_next,
    BIORXIV_PAGED: biorxiv_next,
    CROSSREF_PAGED: crossref_next,
}
