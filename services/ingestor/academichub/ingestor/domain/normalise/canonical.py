"""The last step of every parsed paper: every text field clean, every field within its bound.

Each parser builds its :class:`~academichub.contracts.Paper` from its own format, then hands it
to :func:`finish_paper` (through ``formats.entries.convert_entries``), the one place every
paper's text passes whatever its source. It

1. cleans the characters of every text field -- title, abstract, each author, each category,
   ``journal_ref``, ``license``, ``doi``, ``url``, ``pdf_url``, ``id`` and ``source``
   (:mod:`.characters`: control characters, bidi overrides and invisible characters
   removed, undecodable text counted);
2. turns TeX accent and letter commands outside math into the letters they spell in the
   title, the abstract and each author name (:mod:`.tex`: ``Schr\\"odinger`` ->
   Schrödinger, ``$\\theta$`` kept);
3. applies the contract's bounds (:mod:`academichub.contracts.bounds`): truncates, cuts,
   drops or skips as its table says per field.

What it changed comes back as :class:`FieldRepair` values, for the metrics and the poll's
status. A paper with nothing to change comes back as it went in (the common case costs one
regular-expression search per field).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import ValidationError

from academichub.contracts import Paper
from academichub.contracts.bounds import (
    AUTHORS_MAX_CHARS,
    PAPER_BOUNDS,
    TRUNCATION_MARKER,
    authors_marker,
)
from academichub.ingestor.domain.normalise.characters import clean_characters
from academichub.tex import decode_tex_accents

__all__ = ["FieldRepair", "Finished", "RepairKind", "finish_paper"]

RepairKind = Literal[
    "control", "bidi", "invisible", "undecodable", "truncated", "cut", "dropped", "skipped"
]

# Text fields that may be null, and those every paper has.
_OPTIONAL: Final = ("doi", "journal_ref", "url", "pdf_url", "license")
_REQUIRED: Final = ("id", "source", "title", "abstract")
# Text fields TeX accents are decoded in (beside every author name).
_TEX_FIELDS: Final = ("title", "abstract")
# A truncation looks back this far for a space to cut at, so no word is cut in two.
_WORD_LOOKBACK: Final = 100


@dataclass(frozen=True, slots=True)
class FieldRepair:
    """One kind of change to one field: ``count`` characters (control, bidi, invisible,
    undecodable), items left out (cut, dropped), or 1 (a text truncated, a field dropped)."""

    field: str
    kind: RepairKind
    count: int


@dataclass(frozen=True, slots=True)
class Finished:
    """The paper as published, or None with ``skipped`` saying why; and what changed."""

    paper: Paper | None
    repairs: tuple[FieldRepair, ...] = ()
    skipped: str | None = None


class _Repairs:
    def __init__(self) -> None:
        self.found: list[FieldRepair] = []

    def add(self, field: str, kind: RepairKind, count: int = 1) -> None:
        if count:
            self.found.append(FieldRepair(field, kind, count))

    def clean(self, field: str, text: str) -> str:
        cleaned = clean_characters(text)
        self.add(field, "control", cleaned.control)
        self.add(field, "bidi", cleaned.bidi)
        self.add(field, "invisible", cleaned.invisible)
        self.add(field, "undecodable", cleaned.undecodable)
        return cleaned.text


def finish_paper(paper: Paper) -> Finished:
    """``paper`` with clean characters and within the contract's bounds (module docstring)."""
    repairs = _Repairs()
    changes: dict[str, Any] = {}

    for name in (*_REQUIRED, *_OPTIONAL):
        value = getattr(paper, name)
        if value is None:
            continue
        bound = PAPER_BOUNDS[name]
        text = repairs.clean(name, value)
        if name in _TEX_FIELDS:
            text = decode_tex_accents(text)
        if len(text) > bound.limit:
            if bound.over == "skip":
                reason = f"{name} is {len(text)} characters, over the bound of {bound.limit}"
                return Finished(None, (*repairs.found, FieldRepair(name, "skipped", 1)), reason)
            if bound.over == "truncate":
                text = _truncate(text, bound.limit)
                repairs.add(name, "truncated")
            else:
                repairs.add(name, "dropped")
                changes[name] = None
                continue
        if text != value:
            changes[name] = text if text or name in _REQUIRED else None

    authors = _authors(paper.authors, repairs)
    if authors != paper.authors:
        changes["authors"] = authors
    categories = _categories(paper.categories, repairs)
    if categories != paper.categories:
        changes["categories"] = categories

    if not changes:
        return Finished(paper, tuple(repairs.found))
    try:
        finished = Paper.model_validate(paper.model_dump() | changes)
    except ValidationError as exc:
        # Cleaning can leave a field invalid: an id that was only control characters.
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        return Finished(None, tuple(repairs.found), f"invalid once cleaned: {details}")
    return Finished(finished, tuple(repairs.found))


def _authors(names: Iterable[str], repairs: _Repairs) -> tuple[str, ...]:
    bound = PAPER_BOUNDS["authors"]
    assert bound.item_limit is not None
    kept: list[str] = []
    dropped = truncated = 0
    for name in names:
        text = decode_tex_accents(repairs.clean("authors", name))
        if not text:
            dropped += 1  # nothing but characters no name holds
            continue
        if len(text) > bound.item_limit:
            text = _truncate(text, bound.item_limit)
            truncated += 1
        kept.append(text)
    repairs.add("authors", "dropped", dropped)
    repairs.add("authors", "truncated", truncated)
    if len(kept) <= bound.limit and sum(map(len, kept)) <= AUTHORS_MAX_CHARS:
        return tuple(kept)
    # Names are kept in order while they, and the marker saying how many were not, fit.
    room = AUTHORS_MAX_CHARS - len(authors_marker(len(kept)))
    fitting: list[str] = []
    for name in kept[: bound.limit - 1]:
        if len(name) > room:
            break
        fitting.append(name)
        room -= len(name)
    left_out = len(kept) - len(fitting)
    repairs.add("authors", "cut", left_out)
    return (*fitting, authors_marker(left_out))


def _categories(categories: Iterable[str], repairs: _Repairs) -> tuple[str, ...]:
    bound = PAPER_BOUNDS["categories"]
    assert bound.item_limit is not None
    kept: dict[str, None] = {}  # an ordered set: the primary category stays first
    dropped = 0
    for category in categories:
        text = repairs.clean("categories", category)
        if not text or len(text) > bound.item_limit:
            dropped += 1
        else:
            kept.setdefault(text, None)
    repairs.add("categories", "dropped", dropped)
    repairs.add("categories", "cut", max(0, len(kept) - bound.limit))
    return tuple(kept)[: bound.limit]


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with the marker, at a space if one is near."""
    room = limit - len(TRUNCATION_MARKER)
    head = text[:room]
    space = head.rfind(" ", max(0, room - _WORD_LOOKBACK))
    if space > 0:
        head = head[:space]
    return head.rstrip() + TRUNCATION_MARKER
