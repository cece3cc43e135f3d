"""Hand-built papers for the radar tests: only what a test cares about is spelled out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import count

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument

_numbers = count(1)


def paper(
    title: str = "A paper",
    abstract: str = "",
    *,
    authors: Sequence[str] = (),
    categories: Sequence[str] = ("quant-ph",),
    source: str = "arxiv",
    announce_type: str | None = "new",
) -> Paper:
    return Paper.model_validate(
        {
            "id": f"arxiv:2606.{next(_numbers):05d}",
            "version": 1,
            "source": source,
            "announce_type": announce_type,
            "title": title,
            "abstract": abstract,
            "authors": tuple(authors),
            "categories": tuple(categories),
            "published": dt.date(2026, 6, 12),
        }
    )


def doc(
    title: str = "A paper",
    abstract: str = "",
    *,
    authors: Sequence[str] = (),
    categories: Sequence[str] = ("quant-ph",),
    source: str = "arxiv",
    announce_type: str | None = "new",
) -> PaperDocument:
    return PaperDocument.from_paper(
        paper(
            title,
            abstract,
            authors=authors,
            categories=categories,
            source=source,
            announce_type=announce_type,
        )
    )
