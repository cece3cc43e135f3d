"""A paper analysed once for matching: the streams of tokens every leaf compares against.

The full-text indices hold exactly these streams, under the same names (see
:mod:`academichub.radar.leaves` for what each holds), so a probe means the same thing in
Python, tantivy and Elasticsearch.
"""

from __future__ import annotations

from dataclasses import dataclass

from academichub.contracts import Paper
from academichub.radar.analysis import stem, tokenize
from academichub.radar.leaves import Stream, name_forms

Values = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class PaperDocument:
    paper: Paper
    title: tuple[str, ...]  # stemmed tokens, in order
    abstract: tuple[str, ...]
    title_raw: tuple[str, ...]  # unstemmed tokens, for prefixes
    abstract_raw: tuple[str, ...]
    authors: tuple[tuple[str, ...], ...]  # name tokens per author
    author_forms: tuple[tuple[str, ...], ...]  # every form of every name (name_forms)
    categories: tuple[str, ...]  # lower-cased
    source: str
    announce_type: str | None

    @classmethod
    def from_paper(cls, paper: Paper) -> PaperDocument:
        # analyze() is stem(tokenize()): tokenise once, the matcher does this per paper.
        title_raw = tuple(tokenize(paper.title))
        abstract_raw = tuple(tokenize(paper.abstract))
        authors = tuple(tuple(tokenize(a)) for a in paper.authors)
        return cls(
            paper=paper,
            title=tuple(map(stem, title_raw)),
            abstract=tuple(map(stem, abstract_raw)),
            title_raw=title_raw,
            abstract_raw=abstract_raw,
            authors=authors,
            author_forms=tuple(form for name in authors for form in name_forms(name)),
            categories=tuple(c.lower() for c in paper.categories),
            source=paper.source.lower(),
            announce_type=paper.announce_type,
        )

    def written(self, field: str) -> list[tuple[str, Values]]:
        """Each value of a field other than the title and abstract as the paper writes it,
        with the values of its stream it stands for: an author's name as listed and the
        forms of it, a category as given and its lower-cased form, the source, the type."""
        match field:
            case "author":
                return [
                    (name, name_forms(tokens))
                    for name, tokens in zip(self.paper.authors, self.authors, strict=True)
                ]
            case "cat":
                return [(c, ((c.lower(),),)) for c in self.paper.categories]
            case "source":
                return [(self.paper.source, ((self.source,),))]
            case "type":
                return (
                    []
                    if self.announce_type is None
                    else [(self.announce_type, ((self.announce_type,),))]
                )
        raise ValueError(f"no stream holds the field {field!r}")

    def stream(self, name: Stream) -> Values:
        """The values of one stream, each a tuple of tokens (a keyword is one token)."""
        match name:
            case "title":
                return (self.title,)
            case "abstract":
                return (self.abstract,)
            case "title_raw":
                return (self.title_raw,)
            case "abstract_raw":
                return (self.abstract_raw,)
            case "author":
                return self.author_forms
            case "cat":
                return tuple((c,) for c in self.categories)
            case "source":
                return ((self.source,),)
            case "type":
                return () if self.announce_type is None else ((self.announce_type,),)
