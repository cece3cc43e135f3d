"""How papers read on the page and in the API: pure functions, no framework.

Feed text is untrusted. Everything that turns it into HTML lives here and escapes
first, so the one place that emits ``<mark>`` is also the one place that escapes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from academichub.contracts import MatchedTerm, Paper
from academichub.radar.ast import Node, Or
from academichub.radar.highlight import snippet
from academichub.radar.leaves import leaf_of

Segments = list[tuple[str, bool]]

_SOURCE_NAMES: Final = {"arxiv": "arXiv", "medrxiv": "medRxiv", "biorxiv": "bioRxiv"}


def source_name(source: str) -> str:
    """Display name of a source: ``arxiv`` → ``arXiv``, ``journal:nature-physics`` →
    ``Nature Physics``."""
    if source in _SOURCE_NAMES:
        return _SOURCE_NAMES[source]
    if source.startswith("journal:"):
        return source.removeprefix("journal:").replace("-", " ").title()
    return source


def source_line(paper: Paper) -> str:
    """``arXiv (quant-ph) 2026-06-12``: source, primary category, published date."""
    parts = [source_name(paper.source)]
    if paper.categories:
        parts.append(f"({paper.categories[0]})")
    parts.append(paper.published.isoformat())
    return " ".join(parts)


def safe_link(url: str | None) -> str | None:
    """The URL if it is http(s); a feed could carry ``javascript:`` and we would link it."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def marked_html(segments: Iterable[tuple[str, bool]]) -> str:
    """Escape every segment and wrap the hits in ``<mark>``."""
    return "".join(
        f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text) for text, hit in segments
    )


def entry_number(index: int) -> str:
    """``01.``, ``02.`` … ``100.``: at least two digits, as on the original page."""
    return f"{index:02d}."


@dataclass(frozen=True)
class FeedEntry:
    """One numbered entry of the curated list, ready for a template to escape."""

    number: str
    paper_id: str
    source_line: str
    title: str
    url: str | None
    authors: str
    more_authors: bool  # names were left out: the page adds "等" / "et al." in its language
    abstract: Segments
    similarity: float | None = None  # in a search by meaning: the cosine to what was asked


AUTHORS_SHOWN: Final = 6


def authors_line(authors: Sequence[str], shown: int = AUTHORS_SHOWN) -> str:
    """The first ``shown`` names; the page says "et al." in its own language."""
    return ", ".join(authors[:shown])


def feed_entry(paper: Paper, position: int, query: Node | None) -> FeedEntry:
    """``position`` counts from 1 across pages, so page 2 continues where page 1 ended."""
    if query is None:
        abstract: Segments = [(paper.abstract, False)]
    else:
        # The whole abstract, with the query's hits marked (the page shows it in full).
        abstract = snippet(paper.abstract, query, max_chars=max(len(paper.abstract), 2))
    return FeedEntry(
        number=entry_number(position),
        paper_id=paper.id,
        source_line=source_line(paper),
        title=paper.title,
        url=safe_link(paper.url),
        authors=authors_line(paper.authors),
        more_authors=len(paper.authors) > AUTHORS_SHOWN,
        abstract=abstract,
    )


def paper_page(paper_id: str) -> str:
    """Our own page of a paper (ids may hold '/', which the route accepts)."""
    return f"/papers/{paper_id}"


def paper_links(paper: Paper) -> dict[str, str | None]:
    """Where to read a paper: here, its abstract page, its PDF, its DOI (http(s) only)."""
    doi = f"https://doi.org/{paper.doi}" if paper.doi else None
    return {
        "page": paper_page(paper.id),
        "abstract": safe_link(paper.url),
        "pdf": safe_link(paper.pdf_url),
        "doi": doi,
    }


def fired_node(terms: Iterable[MatchedTerm], field: str) -> Node | None:
    """The fired terms of one field (``title`` or ``abstract``) as a query to highlight
    with: each term read back to the leaf that reported it."""
    leaves: list[Node] = [leaf_of(term) for term in terms if term.field == field]
    return Or(tuple(leaves)) if leaves else None


def fired_segments(
    text: str, terms: Iterable[MatchedTerm], field: str, max_chars: int | None = None
) -> Segments:
    """``text`` (whole, or a snippet of ``max_chars``) with the terms that fired in
    ``field`` marked as hits."""
    node = fired_node(terms, field)
    if node is None:
        return snippet(text, None, max_chars=max_chars) if max_chars else [(text, False)]
    return snippet(text, node, max_chars=max_chars or max(len(text), 2))
