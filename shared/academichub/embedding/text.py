"""What text of a paper is embedded: one recipe, used by every embedder and every caller.

The title and the abstract, joined as a sentence, whitespace collapsed, cut at a word
boundary after :data:`MAX_CHARS` characters. The cap keeps a journal's overlong abstract
from costing an endpoint thousands of tokens; the embedded model reads 256 word pieces
(about 1,000-1,300 characters of English) and ignores the rest anyway. TeX is kept as
the feed gave it (``$\\theta$``): it is part of how physicists write.

A change here changes every stored vector: bump :data:`TEXT_RECIPE`, which travels
with each vector's provenance, so that stored vectors made with the old recipe are known
to be stale.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.contracts import Paper

__all__ = ["MAX_CHARS", "TEXT_RECIPE", "capped", "interest_text", "paper_text"]

MAX_CHARS: Final = 2000
TEXT_RECIPE: Final = "title+abstract:2000c:v1"

_SPACE = re.compile(r"\s+")


def capped(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` with whitespace collapsed, cut at the last space before ``limit``
    characters (or at ``limit`` inside a single overlong word)."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit + 1)
    return flat[: cut if cut > limit // 2 else limit].rstrip()


def paper_text(paper: Paper) -> str:
    """The text embedded for ``paper``: "Title. Abstract", capped."""
    title = _SPACE.sub(" ", paper.title).strip()
    abstract = _SPACE.sub(" ", paper.abstract).strip()
    if not abstract:
        return capped(title)
    joiner = " " if title.endswith((".", "?", "!", ":")) else ". "
    return capped(title + joiner + abstract)


def interest_text(description: str) -> str:
    """The text embedded for a radar's described interest (free text, any language)."""
    return capped(description)
