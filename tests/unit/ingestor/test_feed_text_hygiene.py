"""Feed text is clean in every format: control characters, bidi overrides and invisible
characters never reach a paper field; bytes no codec can decode are replaced and counted per
field; every field is within the contract's bounds.

Each recorded (or hand-written) document gets hostile text appended to the title, the
abstract and an author of its first entry, the way a hostile or broken feed would send it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from academichub.contracts import Paper, encode_event
from academichub.contracts.bounds import MAX_EVENT_BYTES, PAPER_BOUNDS, TRUNCATION_MARKER
from academichub.ingestor.formats import FeedParse, Repair
from academichub.ingestor.formats.registry import FORMATS

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"

# Visible letters among everything that must go: RLO (which shows "gnp.exe" as "exe.png"),
# NEL (a line break: becomes a space), a C1 control, an isolate pair, a BOM inside text and
# an invisible tag character (prompt smuggling).
HOSTILE = " \u202egnp.exe\u0085Z\x9b\u2066W\u2069\ufeff\U000e0041"
SURVIVES = " gnp.exe ZW"
# C0 controls as raw characters: XML forbids them (removed from the document, counted there);
# JSON carries them escaped into the fields.
C0 = "\x00\x01\x1b"
FORBIDDEN_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\uffff"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)


def strings(value: Any) -> Iterator[str]:
    """Every string inside a dumped model."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def append_to(data: bytes, entry: bytes, tag: bytes, text: bytes) -> bytes:
    """``text`` put at the end of the first ``tag`` element inside the first ``entry``."""
    start = data.index(entry)
    opening = data.index(b"<" + tag, start)
    closing = data.index(b"</" + tag, opening)
    return data[:closing] + text + data[closing:]


def xml_case(path: str, entry: str, title: str, abstract: str, author: str) -> Callable[..., bytes]:
    def build(extra: bytes) -> bytes:
        data = (FEEDS / path).read_bytes()
        for tag in (author, abstract, title):  # back to front: earlier offsets stay valid
            data = append_to(data, entry.encode(), tag.encode(), extra)
        return data

    return build


def biorxiv_json(extra: str, raw: bytes = b"") -> bytes:
    record = {
        "title": "A preprint" + extra,
        "authors": "Doe, J" + extra + "; Roe, R. A.;",
        "doi": "10.1101/2026.09.13.26362948",
        "date": "2026-09-15",
        "version": "2",
        "type": "new results",
        "license": "cc_by",
        "category": "genomics",
        "abstract": "Text." + extra,
        "published": "NA",
        "server": "biorxiv",
    }
    body = {"messages": [{"status": "ok", "count": 1, "total": 1}], "collection": [record]}
    return json.dumps(body).encode().replace(b"@@", raw)


def crossref_json(extra: str, raw: bytes = b"") -> bytes:
    work_file = FEEDS / "crossref" / "crossref_work_10.1371_journal.pone.0033693.json"
    document = json.loads(work_file.read_bytes())
    work = document["message"]
    work["title"] = [work["title"][0] + extra]
    work["abstract"] = "<jats:p>An abstract.</jats:p>" + extra
    work["author"][0]["family"] += extra
    return json.dumps(document).encode().replace(b"@@", raw)


XML_CASES = {
    "arxiv-rss": xml_case(
        "arxiv_rss/rss_2025-04-28_quant-ph_81items.xml",
        "<item>",
        "title",
        "description",
        "dc:creator",
    ),
    "arxiv-atom": xml_case(
        "arxiv_api/api_2026_search_all-testing_max10.xml", "<entry>", "title", "summary", "name"
    ),
    "arxiv-oai": xml_case(
        "arxiv_oai/oai2_legacy_2014_ListRecords_arXivRaw_resumption_page.xml",
        "<record>",
        "title",
        "abstract",
        "authors",
    ),
    "biorxiv-rss": xml_case(
        "biorxiv_rss/biorxiv_rss_2023-12_subject_genomics_trimmed.xml",
        "<item ",
        "title",
        "description",
        "dc:creator",
    ),
    "rss": xml_case(
        "journal_feeds/science_aaas_rss1_2021-05_current_issue_trimmed.xml",
        "<item ",
        "title",
        "description",
        "dc:creator",
    ),
}
JSON_CASES: dict[str, Callable[..., bytes]] = {
    "biorxiv-json": biorxiv_json,
    "crossref-json": crossref_json,
}
FORMAT_NAMES = sorted([*XML_CASES, *JSON_CASES])


def hostile(fmt: str) -> bytes:
    if fmt in XML_CASES:
        return XML_CASES[fmt]((HOSTILE + C0).encode())
    return JSON_CASES[fmt](HOSTILE + C0)


def undecodable(fmt: str) -> bytes:
    if fmt in XML_CASES:
        return XML_CASES[fmt](b" caf\xe9")
    return JSON_CASES[fmt](" caf@@", b"\xe9")


def first(parsed: FeedParse) -> Paper:
    assert parsed.papers, parsed.errors
    return parsed.papers[0]


def repaired(parsed: FeedParse, kind: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for repair in parsed.repairs:
        if repair.kind == kind and repair.index in (None, 0):
            totals[repair.field] = totals.get(repair.field, 0) + repair.count
    return totals


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_no_paper_field_keeps_a_control_bidi_or_invisible_character(fmt: str) -> None:
    parsed = FORMATS[fmt](hostile(fmt))
    paper = first(parsed)

    for parsed_paper in parsed.papers:
        found = [s for s in strings(parsed_paper.model_dump()) if FORBIDDEN_RE.search(s)]
        assert found == [], parsed_paper.id
    assert paper.title.endswith(SURVIVES)
    assert SURVIVES.strip() in paper.abstract
    assert any(SURVIVES.strip() in name for name in paper.authors)
    bidi = repaired(parsed, "bidi")
    assert {"title", "abstract", "authors"} <= set(bidi)
    assert bidi["title"] == 3  # RLO, LRI, PDI
    assert repaired(parsed, "invisible")["title"] == 2  # the BOM and the tag character
    control = repaired(parsed, "control")
    if fmt in XML_CASES:
        # Raw C0 controls make XML ill-formed, C1 controls are discouraged: both are removed
        # from the document before parsing.
        assert control["document"] == 3 * (len(C0) + 1)
        assert "title" not in control
    else:
        assert control["title"] == 1 + len(C0)


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_undecodable_bytes_are_replaced_in_their_field_and_counted(fmt: str) -> None:
    parsed = FORMATS[fmt](undecodable(fmt))
    paper = first(parsed)

    assert paper.title.endswith(" caf\ufffd")
    assert "caf\ufffd" in paper.abstract
    assert repaired(parsed, "undecodable")["title"] == 1
    assert repaired(parsed, "undecodable")["document"] == 3
    # Every other entry decoded as declared: one bad byte does not re-decode the document.
    assert len(parsed.papers) == len(FORMATS[fmt](hostile(fmt)).papers)


def big(fmt: str) -> bytes:
    """The first entry with a title, abstract and author list far over their bounds."""
    title, abstract = "T" * 5 + " word" * 400, "An abstract sentence. " * 50_000
    if fmt in XML_CASES:
        return XML_CASES[fmt](f" {title} {abstract}".encode())
    return JSON_CASES[fmt](f" {title} {abstract}")


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_a_one_megabyte_entry_is_truncated_to_its_bounds_and_fits_an_event(fmt: str) -> None:
    parsed = FORMATS[fmt](big(fmt))
    paper = first(parsed)

    assert len(paper.title) <= PAPER_BOUNDS["title"].limit
    assert paper.title.endswith(TRUNCATION_MARKER)
    assert len(paper.abstract) <= PAPER_BOUNDS["abstract"].limit
    assert paper.abstract.endswith(TRUNCATION_MARKER)
    assert all(len(name) <= 300 for name in paper.authors)
    assert len(encode_event(paper)) < MAX_EVENT_BYTES
    truncated = repaired(parsed, "truncated")
    assert (truncated["title"], truncated["abstract"]) == (1, 1)
    assert Repair("abstract", "truncated", 1, 0, paper.id) in parsed.repairs
