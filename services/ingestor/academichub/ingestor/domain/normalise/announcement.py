"""The arXiv announcement description: ``arXiv:<id>v<N> Announce Type: <type> \\nAbstract: …``.

Both rss.arxiv.org variants (RSS ``<description>``, Atom ``<summary>``) put this prefix before
the abstract, with a space before the newline. The canonical abstract must never keep it, so
it is parsed here once, yielding the id/version and announce type as a fallback for the item's
own fields and the abstract without the prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from academichub.contracts.identifiers import ArxivRef, parse_arxiv_ref
from academichub.ingestor.domain.normalise.text import clean_text

# Every part is optional and the whitespace loose, so a prefix arXiv trims or reflows is still
# removed whole; on text with no prefix the match is empty and nothing is cut.
_PREFIX_RE: Final = re.compile(
    r"(?:arXiv:(?P<ref>\S*)\s*)?"
    r"(?:Announce\s+Type:\s*(?P<type>[A-Za-z-]*)\s*)?"
    r"(?:Abstract:\s*)?"
)


@dataclass(frozen=True, slots=True)
class Announcement:
    """What an arXiv description carries: the abstract, and the prefix's id and type if any."""

    abstract: str
    ref: ArxivRef | None
    announce_type: str | None


class UnrecognisedPrefix(ValueError):
    """The description still names an announce type after the prefix was removed."""


def parse_announcement(description: str) -> Announcement:
    """Split an arXiv description into the plain-text abstract and its announcement prefix.

    Raises :class:`UnrecognisedPrefix` when "Announce Type:" survives the cut: the prefix then
    has a shape this code has not seen, and publishing it as an abstract would break the rule
    that it never reaches users.
    """
    text = clean_text(description)
    match = _PREFIX_RE.match(text)
    assert match is not None  # every part of the pattern is optional: it always matches
    abstract = text[match.end() :]
    if "Announce Type:" in abstract:
        raise UnrecognisedPrefix(f"description has an unrecognised arXiv prefix: {text[:80]!r}")
    ref_text = match.group("ref")
    announce_type = match.group("type")
    return Announcement(
        abstract=abstract,
        ref=parse_arxiv_ref(ref_text) if ref_text else None,
        announce_type=announce_type.lower() if announce_type else None,
    )
