"""A paper analysed once for matching: the tokens every radar leaf compares against."""

from __future__ import annotations

from dataclasses import dataclass

from academichub.contracts import Paper
from academichub.radar.analysis import analyze, fold_name, tokenize


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
        return cls(
            paper=paper,
            title=tuple(analyze(paper.title)),
            abstract=tuple(analyze(paper.abstract)),
            title_raw=tuple(tokenize(paper.title)),
            abstract_raw=tuple(tokenize(paper.abstract)),
            authors=tuple(tuple(fold_name(a)) for a in paper.authors),
            categories=tuple(c.lower() for c in paper.categories),
            source=paper.source.lower(),
            announce_type=paper.announce_type,
        )
