"""arXiv ids and DOIs in their canonical forms (ARCHITECTURE.md, "Canonical paper").

* arXiv: ``arxiv:<id>`` without version; new style ``2504.17830``, old style ``hep-th/9901001``.
  The version travels separately as an int.
* DOI: lower-cased (DOIs are case-insensitive by definition); a paper without an arXiv id is
  ``doi:<doi>``.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Final

# Accepted spellings around the id: the OAI guid (`oai:arXiv.org:`), the description prefix
# (`arXiv:`), abs/pdf URLs, or the bare id. Anything else is not trusted to be an arXiv id.
_ARXIV_REF_RE: Final = re.compile(
    r"""
    (?:oai:arxiv\.org:|arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?
    (?:
        (?P<new>\d{4}\.\d{4,5})
      | (?P<archive>[a-z][a-z-]*)(?:\.[a-z-]+)?/(?P<number>\d{7})
    )
    (?:v(?P<version>\d+))?
    (?:\.pdf)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_DOI_RE: Final = re.compile(r"10\.\d{4,9}/\S+")
# A whole identifier value that *is* a DOI, in the spellings feeds use (FEEDS.md section 8):
# `doi:10.x`, `doi: 10.x` (MDPI), `info:doi/10.x` (Science, PLOS), `urn:doi:10.x`, resolver URLs,
# or the bare DOI. Anything else (`hwp:resource-id:...`, a publisher URL that happens to contain
# `10.`) is not taken for one.
_DOI_IDENTIFIER_RE: Final = re.compile(
    r"(?:doi:\s*|info:doi/|urn:doi:|https?://(?:dx\.|www\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ArxivRef:
    """An arXiv identifier split into the bare id (``2504.17830``) and its version, if given."""

    id: str
    version: int | None

    @property
    def paper_id(self) -> str:
        """The canonical paper id, ``arxiv:<id>``."""
        return f"arxiv:{self.id}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        """The PDF of exactly this version (the latest one when the version is unknown)."""
        suffix = "" if self.version is None else f"v{self.version}"
        return f"https://arxiv.org/pdf/{self.id}{suffix}"


def parse_arxiv_ref(text: str) -> ArxivRef | None:
    """``oai:arXiv.org:2504.17830v1`` -> ``ArxivRef("2504.17830", 1)``; None if not an arXiv id.

    Old-style ids lose a subject class (``math.GT/0309136`` is ``math/0309136``: arXiv ignores
    the class and lists the paper under the archive id) and their archive is lower-cased.
    """
    match = _ARXIV_REF_RE.fullmatch(text.strip())
    if match is None:
        return None
    version = match.group("version")
    if match.group("new") is not None:
        bare = match.group("new")
    else:
        bare = f"{match.group('archive').lower()}/{match.group('number')}"
    return ArxivRef(bare, None if version is None else int(version))


def normalise_doi(text: str) -> str | None:
    """The first DOI in ``text``, lower-cased; None if there is none.

    Accepts ``10.1103/X``, ``doi:10.1103/X`` and ``https://doi.org/10.1103/X``; arXiv's DOI
    field sometimes lists several separated by spaces, and the first is the journal version.
    Trailing ``.``/``,``/``;`` are sentence punctuation, never part of a registered DOI's end.
    """
    match = _DOI_RE.search(text)
    if match is None:
        return None
    return match.group(0).rstrip(".,;").lower()


def doi_from_identifier(value: str) -> str | None:
    """The DOI an identifier field holds, lower-cased; None if the value is some other identifier.

    >>> doi_from_identifier("info:doi/10.1126/science.abj4606")
    '10.1126/science.abj4606'
    >>> doi_from_identifier("hwp:resource-id:sci;372/6544/769") is None
    True
    """
    text = value.strip()
    if "%" in text:
        # Resolver URLs may percent-encode the DOI (`10.1000%2Fxyz`); the DOI itself is not.
        text = urllib.parse.unquote(text)
    match = _DOI_IDENTIFIER_RE.fullmatch(text)
    if match is None:
        return None
    return match.group("doi").rstrip(".,;").lower()


def doi_paper_id(doi: str) -> str:
    """The canonical paper id of a paper known only by its DOI: ``doi:<lower-case doi>``."""
    return f"doi:{doi.lower()}"
