"""A paper analysed once for matching: the tokens every radar leaf compares against."""

from __future__ import annotations

from dataclasses import dataclass

from academichub.contracts import Paper
from academichub.radar.analysis import fold_name, stem, tokenize


@dataclass(frozen=True, slots=True)
class PaperDocument:
    paper: Paper
    title: tuple[str, ...]  # stemmed tokens, in order
    abstract: tuple[str, ...]
    title_raw: tuple[str, ...]  # unstemmed tokens, for prefixes
    abstract_raw: tuple[str, ...]
    authors: tuple[tuple[str, ...], ...]  # folded name tokens per author
    categories: tuple[str, ...]  # lower-cased
    source: str
    announce_type: str | None

    @classmethod
    def from_paper(cls, paper: Paper) -> PaperDocument:
        # analyze() is stem(tokenize()): tokenise once, the matcher does this per paper.
        title_raw = tuple(tokenize(paper.title))
        abstract_raw = tuple(tokenize(paper.abstract))
        return cls(
            paper=paper,
            title=tuple(map(stem, title_raw)),
            abstract=tuple(map(stem, abstract_raw)),
            title_raw=title_raw,
            abstract_raw=abstract_raw,
            authors=tuple(tuple(fold_name(a)) for a in paper.authors),
            categories=tuple(c.lower() for c in paper.categories),
            source=paper.source.lower(),
            announce_type=paper.announce_type,
        )
