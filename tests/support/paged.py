"""Paged source responses cut from real recorded pages, for harvest and restart tests.

The recordings hold one page each; a harvest needs several that chain. These builders cut a
real page into pages whose paging elements (OAI-PMH resumption token, bioRxiv cursor/count/
total) chain the way the live services do, leaving every record's bytes untouched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
OAI_PAGE = FIXTURES / "arxiv_oai" / "oai2_legacy_2014_ListRecords_arXivRaw_resumption_page.xml"
BIORXIV_PAGE = FIXTURES / "biorxiv_api" / "biorxiv_details_2026-07-15_to_18_trimmed_pretty.json"

_RECORD = re.compile(rb"<record>.*?</record>", re.S)
_TOKEN = re.compile(rb"<resumptionToken[^>]*>[^<]*</resumptionToken>")


def oai_pages(sizes: list[int]) -> list[bytes]:
    """The recorded 1000-record page cut into pages of ``sizes`` records, tokens t1, t2, ..."""
    data = OAI_PAGE.read_bytes()
    records = _RECORD.findall(data)
    assert sum(sizes) <= len(records), "the recorded page has 1000 records"
    head = data[: data.index(b"<record>")]
    tail = _TOKEN.sub(b"@TOKEN@", data[data.rindex(b"</record>") + len(b"</record>") :])
    pages, start = [], 0
    for number, size in enumerate(sizes, start=1):
        last = number == len(sizes)
        token = (
            b"<resumptionToken/>" if last else b"<resumptionToken>t%d</resumptionToken>" % number
        )
        body = b"".join(records[start : start + size])
        pages.append(head + body + tail.replace(b"@TOKEN@", token))
        start += size
    return pages


def oai_record_ids(page: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb"<id>([^<]+)</id>", page)]


def biorxiv_pages(sizes: list[int]) -> list[bytes]:
    """The recorded bioRxiv records cut into /details pages with chaining cursor/count/total."""
    document = json.loads(BIORXIV_PAGE.read_text())
    records = document["collection"]
    total = sum(sizes)
    assert total <= len(records)
    pages, cursor = [], 0
    for size in sizes:
        message = dict(document["messages"][0]) | {
            "cursor": cursor,
            "count": size,
            "total": str(total),
        }
        pages.append(
            json.dumps(
                {"messages": [message], "collection": records[cursor : cursor + size]}
            ).encode()
        )
        cursor += size
    return pages
