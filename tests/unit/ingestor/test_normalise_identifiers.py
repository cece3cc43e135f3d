"""arXiv ids, DOIs and announcement dates in canonical form."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from academichub.contracts.events import PAPER_ID_RE
from academichub.ingestor.domain.normalise import (
    ArxivRef,
    doi_paper_id,
    normalise_doi,
    parse_arxiv_ref,
    parse_feed_date,
)


@pytest.mark.parametrize(
    ("text", "bare", "version"),
    [
        ("oai:arXiv.org:2504.17830v1", "2504.17830", 1),
        ("arXiv:2312.01259v3", "2312.01259", 3),
        ("2504.17830", "2504.17830", None),
        ("0704.0001v12", "0704.0001", 12),
        ("https://arxiv.org/abs/2504.17830v2", "2504.17830", 2),
        ("http://export.arxiv.org/abs/2504.17830", "2504.17830", None),
        ("https://arxiv.org/pdf/2504.17830v2.pdf", "2504.17830", 2),
        ("oai:arXiv.org:hep-th/9901001v2", "hep-th/9901001", 2),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("math.GT/0309136v1", "math/0309136", 1),  # subject class dropped, as arXiv does
        ("HEP-TH/9901001", "hep-th/9901001", None),
        ("  arXiv:2504.17830v1  ", "2504.17830", 1),
    ],
)
def test_parse_arxiv_ref(text: str, bare: str, version: int | None) -> None:
    ref = parse_arxiv_ref(text)
    assert ref == ArxivRef(bare, version)
    assert PAPER_ID_RE.match(ref.paper_id)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "oai:arXiv.org:",
        "10.1103/PhysRevLett.132.241601",
        "2504.178",
        "https://example.org/2504.17830",
        "hep-th/99010",
        "2504.17830vx",
        "see 2504.17830",
    ],
)
def test_not_an_arxiv_ref(text: str) -> None:
    assert parse_arxiv_ref(text) is None


def test_urls_of_a_ref() -> None:
    assert ArxivRef("hep-th/9901001", 2).pdf_url == "https://arxiv.org/pdf/hep-th/9901001v2"
    assert ArxivRef("2504.17830", None).pdf_url == "https://arxiv.org/pdf/2504.17830"
    assert ArxivRef("2504.17830", 1).abs_url == "https://arxiv.org/abs/2504.17830"
    assert ArxivRef("2504.17830", 1).paper_id == "arxiv:2504.17830"


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1103/PhysRevLett.132.241601", "10.1103/physrevlett.132.241601"),
        ("  10.1088/2058-9565/add04d\n", "10.1088/2058-9565/add04d"),
        ("doi:10.1016/J.PPNP.2025.104174", "10.1016/j.ppnp.2025.104174"),
        ("https://doi.org/10.1063/5.0245667", "10.1063/5.0245667"),
        ("10.1103/PhysRevA.1.1 10.1103/PhysRevB.2.2", "10.1103/physreva.1.1"),
        ("10.1103/PhysRevB.111.144313.", "10.1103/physrevb.111.144313"),
        ("not a doi", None),
        ("", None),
    ],
)
def test_normalise_doi(text: str, doi: str | None) -> None:
    assert normalise_doi(text) == doi


def test_doi_paper_id_is_canonical() -> None:
    paper_id = doi_paper_id("10.1371/Journal.PONE.0033693")
    assert paper_id == "doi:10.1371/journal.pone.0033693"
    assert PAPER_ID_RE.match(paper_id)


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("Mon, 28 Apr 2025 00:00:00 -0400", dt.date(2025, 4, 28)),
        ("Thu, 28 Nov 2024 00:00:00 -0500", dt.date(2024, 11, 28)),
        # East of Greenwich: the date in the stamp's own offset, not the UTC one (27th).
        ("Mon, 28 Apr 2025 00:30:00 +0200", dt.date(2025, 4, 28)),
        ("2025-04-28T00:00:00-04:00", dt.date(2025, 4, 28)),
        ("2025-04-28T00:00:00Z", dt.date(2025, 4, 28)),
        ("2025-04-28", dt.date(2025, 4, 28)),
        ("", None),
        (None, None),
        ("someday", None),
    ],
)
def test_parse_feed_date(raw: str | None, date: dt.date | None) -> None:
    assert parse_feed_date(raw) == date


def test_parse_feed_date_falls_back_to_the_parsed_value() -> None:
    parsed = time.struct_time((2025, 4, 28, 4, 0, 0, 0, 118, 0))
    assert parse_feed_date("28 avril 2025", parsed) == dt.date(2025, 4, 28)
    assert parse_feed_date("Mon, 28 Apr 2025 00:00:00 -0400", parsed) == dt.date(2025, 4, 28)
