"""``~"free text"`` in the search box: a search by meaning, read at the gateway's edge.

The radar language (:mod:`academichub.radar.parser`) stays what it is; before a search
query reaches it, the ``~"…"`` parts are taken out: their text is searched by meaning
(the nearest stored papers to its embedding), and whatever query remains still has to
hold for a paper to be shown, like the search filters. ``~"bosonic codes" cat:quant-ph``
and ``~"bosonic codes" -survey`` both work; two ``~"…"`` parts are read as one text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from academichub.radar.parser import QuerySyntaxError

__all__ = ["MeaningQuery", "split_meaning"]

_MEANING: Final = re.compile(r'~"([^"]*)("?)')


@dataclass(frozen=True)
class MeaningQuery:
    meaning: str | None  # the text to search by meaning; None: an ordinary query
    rest: str  # the radar-language query left (may be empty)


def split_meaning(query: str) -> MeaningQuery:
    """Take the ``~"…"`` parts out of ``query``. Raises :class:`QuerySyntaxError` (with
    its position) for a ``~"`` never closed or holding nothing."""
    texts: list[str] = []
    rest: list[str] = []
    last = 0
    for found in _MEANING.finditer(query):
        if not found.group(2):
            raise QuerySyntaxError(
                found.start(),
                "'\"'",
                f"expected '\"' to close the phrase opened at position {found.start() + 1}, "
                "found end of query",
            )
        if not found.group(1).strip():
            raise QuerySyntaxError(
                found.start(), "a search term", 'expected a search term inside ~"…", found none'
            )
        texts.append(found.group(1).strip())
        rest.append(query[last : found.start()])
        last = found.end()
    rest.append(query[last:])
    if not texts:
        return MeaningQuery(None, query)
    return MeaningQuery(" ".join(texts), " ".join(" ".join(rest).split()))
