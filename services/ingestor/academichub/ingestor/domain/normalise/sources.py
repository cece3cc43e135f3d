"""The canonical ``source`` of a paper: ``arxiv``, ``biorxiv``, ``medrxiv`` or ``journal:<slug>``.

A journal's slug is derived from its name as the feed spells it (``Science`` -> ``science``,
``PLoS ONE`` -> ``plos-one``), so the same journal reached through its RSS feed and through
Crossref lands on the same source as long as both spell the name alike.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

PreprintServer = Literal["biorxiv", "medrxiv"]

# Long enough for any real journal title; proceedings titles can run to 200 characters, and a
# slug is a filter value people type (`source:journal:...`), not a citation.
_MAX_SLUG: Final = 60
_NON_SLUG_RE: Final = re.compile(r"[^a-z0-9]+")
# As a word (`bioRxiv`, `connect.medrxiv.org`), never inside one.
_SERVER_RE: Final = re.compile(r"(?<![a-z0-9])(biorxiv|medrxiv)(?![a-z0-9])", re.IGNORECASE)


def journal_slug(name: str) -> str:
    """``Nature Reviews: Drug Discovery`` -> ``nature-reviews-drug-discovery``; "" if no letters.

    Accents are folded (``Revista Española`` -> ``revista-espanola``) and ``&`` becomes ``and``,
    so ``Science & Society`` and ``Science and Society`` are one journal.
    """
    folded = unicodedata.normalize("NFKD", name.replace("&", " and "))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_SLUG_RE.sub("-", ascii_only).strip("-")
    if len(slug) > _MAX_SLUG:
        # Cut at a word boundary so the slug does not end in half a word.
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0]
    return slug


def journal_source(name: str) -> str | None:
    """``journal:<slug>`` for a journal name; None when the name has nothing to slug."""
    slug = journal_slug(name)
    return f"journal:{slug}" if slug else None


def preprint_server(text: str) -> PreprintServer | None:
    """``biorxiv`` or ``medrxiv`` if ``text`` names one (any case: ``bioRxiv``, a host name)."""
    match = _SERVER_RE.search(text)
    if match is None:
        return None
    return "medrxiv" if match.group(1).lower() == "medrxiv" else "biorxiv"
