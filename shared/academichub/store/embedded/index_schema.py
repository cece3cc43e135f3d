"""The tantivy schema of the papers index, and how a paper becomes an index document.

Every token field is filled from :class:`academichub.radar.document.PaperDocument`, the
analysis the in-memory evaluator uses: the tokens are joined with single spaces and split
again by tantivy's ``whitespace`` tokenizer (analysis tokens are runs of letters/digits, so
they never contain a space). tantivy therefore indexes exactly the evaluator's tokens, at
the same positions, and a query compiled from the AST compares like with like.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import tantivy

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument

ID: Final = "id"
TITLE: Final = "title"  # stemmed tokens, with positions (words, phrases)
ABSTRACT: Final = "abstract"
TITLE_RAW: Final = "title_raw"  # unstemmed tokens (prefixes)
ABSTRACT_RAW: Final = "abstract_raw"
AUTHOR: Final = "author"  # the forms of every author's name, separated (name_forms)
CATEGORY: Final = "cat"  # lower-cased categories (``cat:`` in queries)
CATEGORY_EXACT: Final = "category"  # categories as given (SearchFilters compare exactly)
SOURCE: Final = "source"
ANNOUNCE_TYPE: Final = "type"
PUBLISHED: Final = "published"  # date, for range filters
RECENCY: Final = "recency"  # (published, arrival) in one integer, for newest-first order

# Written between two name forms so that a phrase cannot run from one into the next.
# It can never equal a query token: name tokens are letters/digits only.
AUTHOR_SEPARATOR: Final = "|"

# tantivy's "whitespace" tokenizer neither lower-cases nor stems nor drops long tokens, so
# the analysed tokens go in untouched; "raw" keeps a whole value as one term.
_TOKENS: Final = "whitespace"
_EXACT: Final = "raw"


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, stored=True, tokenizer_name=_EXACT, index_option="basic")
    for name in (TITLE, ABSTRACT, AUTHOR):
        builder.add_text_field(name, tokenizer_name=_TOKENS, index_option="position")
    # Prefix leaves only ask "does some token start with ..."; no positions or frequencies.
    for name in (TITLE_RAW, ABSTRACT_RAW):
        builder.add_text_field(name, tokenizer_name=_TOKENS, index_option="basic")
    for name in (CATEGORY, CATEGORY_EXACT, SOURCE, ANNOUNCE_TYPE):
        builder.add_text_field(name, tokenizer_name=_EXACT, index_option="basic")
    builder.add_date_field(PUBLISHED, indexed=True, fast=True)
    builder.add_integer_field(RECENCY, fast=True)
    return builder.build()


def recency_key(published: dt.date, seq: int) -> int:
    """One sortable integer for "published date, then arrival order".

    tantivy-py orders by a single fast field, and the store's newest-first order has two
    keys; the arrival sequence fits in the low 32 bits below the day number.
    """
    if not 0 <= seq < 1 << 32:
        raise ValueError(f"arrival sequence {seq} out of range for the recency key")
    return (published.toordinal() << 32) | seq


def date_value(day: dt.date) -> dt.datetime:
    """How a date is written to and compared against the ``published`` field."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def to_document(paper: Paper, seq: int) -> tantivy.Document:
    """The index document of ``paper``, first seen as the ``seq``-th paper."""
    analysed = PaperDocument.from_paper(paper)
    doc = tantivy.Document()
    doc.add_text(ID, paper.id)
    doc.add_text(TITLE, " ".join(analysed.title))
    doc.add_text(ABSTRACT, " ".join(analysed.abstract))
    doc.add_text(TITLE_RAW, " ".join(analysed.title_raw))
    doc.add_text(ABSTRACT_RAW, " ".join(analysed.abstract_raw))
    forms = analysed.stream("author")
    doc.add_text(AUTHOR, f" {AUTHOR_SEPARATOR} ".join(" ".join(form) for form in forms))
    for category in analysed.categories:
        doc.add_text(CATEGORY, category)
    for category in paper.categories:
        doc.add_text(CATEGORY_EXACT, category)
    doc.add_text(SOURCE, analysed.source)
    if analysed.announce_type is not None:
        doc.add_text(ANNOUNCE_TYPE, analysed.announce_type)
    doc.add_date(PUBLISHED, date_value(paper.published))
    doc.add_integer(RECENCY, recency_key(paper.published, seq))
    return doc
