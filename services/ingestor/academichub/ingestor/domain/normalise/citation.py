"""A journal reference (``journal_ref``) composed from bibliographic parts.

arXiv gives a free-text reference (``Phys. Rev. B 85, 115117 (2012)``); Crossref and PRISM feeds
give its parts. They are put together in the same shape, so every source reads alike.
"""

from __future__ import annotations

from academichub.ingestor.domain.normalise.text import clean_text


def journal_reference(
    container: str | None,
    *,
    volume: str | None = None,
    issue: str | None = None,
    pages: str | None = None,
    year: int | None = None,
) -> str | None:
    """``PLoS ONE 7(3), e33693 (2012)``; None without a container or without volume and pages.

    A name alone says nothing the source field does not already say, so it is not a reference:
    articles published online first have no volume or pages yet, and get None.
    """
    name = clean_text(container) if container else ""
    volume = clean_text(volume) if volume else ""
    issue = clean_text(issue) if issue else ""
    pages = clean_text(pages) if pages else ""
    if not name or not (volume or pages):
        return None
    reference = name
    if volume:
        reference += f" {volume}" + (f"({issue})" if issue else "")
    if pages:
        reference += f", {pages}" if volume else f" {pages}"
    if year is not None:
        reference += f" ({year})"
    return reference
