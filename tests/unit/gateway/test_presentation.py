"""How papers read: source lines, numbering, escaping with marks."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Paper
from academichub.gateway.domain.presentation import (
    entry_number,
    marked_html,
    safe_link,
    source_line,
    source_name,
)


def _paper(source: str, categories: tuple[str, ...]) -> Paper:
    return Paper(
        id="doi:10.1101/2026.06.12.1",
        version=None,
        source=source,
        title="t",
        abstract="a",
        categories=categories,
        published=dt.date(2026, 6, 12),
    )


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("arxiv", "arXiv"),
        ("medrxiv", "medRxiv"),
        ("biorxiv", "bioRxiv"),
        ("journal:nature-physics", "Nature Physics"),
    ],
)
def test_source_names(source: str, name: str) -> None:
    assert source_name(source) == name


def test_source_line_uses_the_primary_category() -> None:
    assert (
        source_line(_paper("medrxiv", ("Medicine", "Genomics"))) == "medRxiv (Medicine) 2026-06-12"
    )
    assert source_line(_paper("journal:nature", ())) == "Nature 2026-06-12"


def test_numbers_have_two_digits_at_least() -> None:
    assert [entry_number(n) for n in (1, 9, 10, 100)] == ["01.", "09.", "10.", "100."]


def test_marked_html_escapes_everything_but_the_marks() -> None:
    html = marked_html([("<i>a</i> & ", False), ("qu<b>it", True)])
    assert html == "&lt;i&gt;a&lt;/i&gt; &amp; <mark>qu&lt;b&gt;it</mark>"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://arxiv.org/abs/1", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("", False),
    ],
)
def test_only_http_links_are_kept(url: str, kept: bool) -> None:
    assert safe_link(url) == (url if kept else None)
