"""How big a canonical paper may be, field by field, and what happens to a field over its bound.

Every parser hands its papers through one gate (the ingestor's
``normalise.canonical.finish_paper``) that applies this table, so no paper on ``papers`` is
over it, whatever the source sent. Text bounds count characters (code points) after the
text was cleaned; list bounds count items.

==================  =================  =======================================================
field               bound              over the bound
==================  =================  =======================================================
``id``              300 characters     the entry is **skipped** (an identifier cannot be cut)
``source``          100 characters     the entry is **skipped**
``title``           1,000 characters   **truncated**: cut at a word boundary, ``" […]"`` added
``abstract``        20,000 characters  **truncated**, as the title
``authors``         5,000 items and    **cut**: the names that fit are kept in order, then one
                    100,000 characters last item says how many were left out,
                    in all, that item  ``"et al. (2812 more)"``
                    included
each author         300 characters     **truncated**, as the title (the name stays in place)
``categories``      50 items           **cut**: the first 50 kept (the primary is first); no
                                       marker, which would read as a category
each category       100 characters     that category is **dropped**
``doi``             300 characters     the field is **dropped** (set to null)
``journal_ref``     1,000 characters   **truncated**, as the title
``url``,            2,000 characters   the field is **dropped**: a URL cut short points
``pdf_url``                            somewhere else
``license``         1,000 characters   the field is **dropped**
==================  =================  =======================================================

Every truncation, cut, drop and skip is counted per source and field
(``academichub_ingestor_repairs_total``) and listed in the poll's status.

The bounds keep every event under :data:`MAX_EVENT_BYTES`: at four UTF-8 bytes per
character, the worst case, a paper at every bound is about 550 KB of JSON. The publisher
refuses any event over that size whatever its type, so that no event can exceed the
broker's message size (Kafka's default ``message.max.bytes`` is 1,048,588 bytes and
aiokafka's ``max_request_size`` 1,048,576; the margin is for the key and the batch header).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "AUTHORS_MAX_CHARS",
    "MAX_EVENT_BYTES",
    "PAPER_BOUNDS",
    "TRUNCATION_MARKER",
    "Bound",
    "Over",
    "authors_marker",
]

MAX_EVENT_BYTES: Final = 1_000_000

# What a truncated text ends with: a bracketed ellipsis, as an editor marks a cut in a quote.
TRUNCATION_MARKER: Final = " […]"
# The most characters all author names of one paper may hold together.
AUTHORS_MAX_CHARS: Final = 100_000

Over = Literal["skip", "truncate", "cut", "drop"]


@dataclass(frozen=True, slots=True)
class Bound:
    """The bound of one field of :class:`~academichub.contracts.events.Paper`.

    ``limit`` counts characters for a text field; for a list field it counts items, and
    ``item_limit`` the characters of each item (``item_over`` says what happens to an item
    over it).
    """

    field: str
    limit: int
    over: Over
    item_limit: int | None = None
    item_over: Over | None = None


PAPER_BOUNDS: Final[dict[str, Bound]] = {
    bound.field: bound
    for bound in (
        Bound("id", 300, "skip"),
        Bound("source", 100, "skip"),
        Bound("title", 1_000, "truncate"),
        Bound("abstract", 20_000, "truncate"),
        Bound("authors", 5_000, "cut", item_limit=300, item_over="truncate"),
        Bound("categories", 50, "cut", item_limit=100, item_over="drop"),
        Bound("doi", 300, "drop"),
        Bound("journal_ref", 1_000, "truncate"),
        Bound("url", 2_000, "drop"),
        Bound("pdf_url", 2_000, "drop"),
        Bound("license", 1_000, "drop"),
    )
}


def authors_marker(left_out: int) -> str:
    """The last item of a cut author list: how many names were left out."""
    return f"et al. ({left_out} more)"
