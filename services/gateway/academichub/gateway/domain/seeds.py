"""Seed papers as a person gives them: ids, arXiv ids, DOIs and links, or a BibTeX or RIS
export pasted from Zotero (or any reference manager). Pure: it reads what each entry
names; which stored paper it is, is the store's to say (:mod:`.semantic`).

An entry may be ``arxiv:2504.17830``, ``2504.17830v2``, ``hep-th/9901001``, an arXiv abs
or PDF link, ``doi:10.1103/…``, ``10.1103/…`` or a ``doi.org`` link. A BibTeX entry names
its paper by ``doi``, by ``eprint`` (with ``archivePrefix = arXiv``, or an arXiv-looking
eprint) or by an arXiv ``url``; a RIS record by ``DO`` or an arXiv ``UR``. Each is tried
as the arXiv preprint first, then as the DOI. Parsing is the libraries' (``bibtexparser``
2, ``rispy``): hand-rolled BibTeX parsing is how braces inside titles break.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import rispy
from bibtexparser.entrypoint import parse_string as parse_bibtex

from academichub.contracts.events import PAPER_ID_RE
from academichub.contracts.identifiers import (
    doi_from_identifier,
    doi_paper_id,
    parse_arxiv_ref,
)

__all__ = [
    "SeedCandidate",
    "SeedReading",
    "looks_like_references",
    "read_references",
    "read_seed_entries",
]

MAX_ENTRIES: Final = 500
_RIS_TAG: Final = re.compile(r"^TY  - ", re.MULTILINE)
_BIBTEX_ENTRY: Final = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_SPLIT: Final = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class SeedCandidate:
    """One paper a person named: what they wrote, and the ids it may have, in the order
    to try them (its arXiv id, then its DOI's ``doi:`` id)."""

    given: str
    paper_ids: tuple[str, ...]
    doi: str | None = None


@dataclass(frozen=True)
class SeedReading:
    candidates: list[SeedCandidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # entries that name no paper


def _candidate(given: str, arxiv: str | None, doi: str | None) -> SeedCandidate | None:
    ids: list[str] = []
    ref = parse_arxiv_ref(arxiv) if arxiv else None
    if ref is not None:
        ids.append(ref.paper_id)
    if doi is not None:
        ids.append(doi_paper_id(doi))
    if not ids:
        return None
    return SeedCandidate(given, tuple(dict.fromkeys(ids)), doi)


def read_seed_entries(entries: Iterable[str]) -> SeedReading:
    """Ids, arXiv ids, DOIs or links, one per entry (an entry may hold several, separated
    by spaces, commas or semicolons)."""
    reading = SeedReading()
    words = [w for entry in entries for w in _SPLIT.split(entry.strip()) if w]
    for word in words[:MAX_ENTRIES]:
        if PAPER_ID_RE.match(word) and not word.startswith("doi:"):
            reading.candidates.append(SeedCandidate(word, (word,)))
            continue
        found = _candidate(word, word, doi_from_identifier(word))
        if found is None:
            reading.problems.append(f"{word!r} is no paper id, arXiv id, DOI or link to one")
        else:
            reading.candidates.append(found)
    if len(words) > MAX_ENTRIES:
        reading.problems.append(f"{len(words)} seeds given; a radar takes at most {MAX_ENTRIES}")
    return reading


def looks_like_references(text: str) -> bool:
    """Whether ``text`` is a BibTeX or RIS export rather than a list of ids."""
    return bool(_RIS_TAG.search(text) or _BIBTEX_ENTRY.search(text))


def read_references(text: str) -> SeedReading:
    """A pasted BibTeX or RIS export (told apart by their markers)."""
    if _RIS_TAG.search(text):
        return _ris(text)
    if _BIBTEX_ENTRY.search(text):
        return _bibtex(text)
    return SeedReading(
        problems=["the references are neither BibTeX (@article{…}) nor RIS (TY  - …)"]
    )


def _bibtex(text: str) -> SeedReading:
    # bibtexparser logs every block it cannot parse; those are reported here instead.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = parse_bibtex(text)
    reading = SeedReading()
    for block in library.failed_blocks:
        start = getattr(block, "start_line", None)
        line = f" at line {start + 1}" if isinstance(start, int) else ""
        reading.problems.append(f"a BibTeX entry{line} could not be read")
    for entry in library.entries[:MAX_ENTRIES]:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        _add(
            reading, f"@{entry.entry_type}{{{entry.key}}}", fields.get("title"), _bibtex_ids(fields)
        )
    return reading


def _bibtex_ids(fields: Mapping[str, str]) -> tuple[str | None, str | None]:
    arxiv = None
    eprint = fields.get("eprint", "").strip()
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).strip().lower()
    if eprint and (prefix == "arxiv" or parse_arxiv_ref(eprint) is not None):
        arxiv = eprint
    for key in ("url", "howpublished", "journal"):
        if arxiv is None and "arxiv" in fields.get(key, "").lower():
            arxiv = _arxiv_in(fields[key])
    doi = doi_from_identifier(fields["doi"].strip()) if fields.get("doi") else None
    return arxiv, doi


def _ris(text: str) -> SeedReading:
    reading = SeedReading()
    try:
        records: Sequence[Mapping[str, Any]] = rispy.loads(text)
    except (OSError, ValueError, KeyError) as exc:
        return SeedReading(problems=[f"the RIS export could not be read: {exc}"])
    for number, record in enumerate(records[:MAX_ENTRIES], start=1):
        urls = [str(u) for u in (record.get("urls") or [])] + [str(record.get("url") or "")]
        arxiv = next((_arxiv_in(u) for u in urls if "arxiv" in u.lower()), None)
        doi_field = record.get("doi")
        doi = doi_from_identifier(str(doi_field).strip()) if doi_field else None
        title = record.get("title") or record.get("primary_title")
        _add(reading, f"RIS record {number}", str(title) if title else None, (arxiv, doi))
    return reading


def _arxiv_in(text: str) -> str | None:
    for word in _SPLIT.split(text):
        ref = parse_arxiv_ref(word.rstrip("}").lstrip("{"))
        if ref is not None:
            return ref.id
    return None


def _add(
    reading: SeedReading, where: str, title: str | None, ids: tuple[str | None, str | None]
) -> None:
    named = f"{where} ({title})" if title else where
    found = _candidate(named, *ids)
    if found is None:
        reading.problems.append(f"{named} has no DOI or arXiv id")
    else:
        reading.candidates.append(found)
