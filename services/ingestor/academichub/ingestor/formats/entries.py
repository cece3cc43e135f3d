"""One entry at a time: each becomes a Paper or an EntryError, and never stops the others.

Format modules raise :class:`Rejected` from the function that converts one entry; the loop in
:func:`convert_entries` turns it into an :class:`EntryError` and goes on. Only ``Rejected`` is
caught: any other exception is a bug in the parser and must crash loudly (STYLE.md rule 6).

Every converted Paper then passes
:func:`~academichub.ingestor.domain.normalise.canonical.finish_paper` -- clean characters,
bounded fields -- so this loop is the one place every format's papers are finished; what it
changed comes back as :class:`~academichub.ingestor.formats.Repair` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise.canonical import finish_paper
from academichub.ingestor.formats import EntryError, Repair

T = TypeVar("T")


class Rejected(Exception):
    """An entry that cannot become a Paper; becomes an EntryError with this reason."""

    def __init__(self, reason: str, entry_id: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.entry_id = entry_id


@dataclass(frozen=True, slots=True)
class Converted:
    papers: tuple[Paper, ...]  # in document order
    errors: tuple[EntryError, ...]  # one per entry skipped, with its 0-based index
    repairs: tuple[Repair, ...]  # what finishing the papers changed, per entry


def convert_entries(entries: Iterable[T], convert: Callable[[T], Paper]) -> Converted:
    """Each entry converted and finished (clean characters, bounded fields), in order."""
    papers: list[Paper] = []
    errors: list[EntryError] = []
    repairs: list[Repair] = []
    for index, entry in enumerate(entries):
        try:
            paper = convert(entry)
        except Rejected as rejected:
            errors.append(EntryError(index, rejected.entry_id, rejected.reason))
            continue
        finished = finish_paper(paper)
        repairs.extend(Repair(r.field, r.kind, r.count, index, paper.id) for r in finished.repairs)
        if finished.paper is None:
            errors.append(EntryError(index, paper.id, finished.skipped or "skipped"))
        else:
            papers.append(finished.paper)
    return Converted(tuple(papers), tuple(errors), tuple(repairs))


@contextmanager
def paper_validation(entry_id: str | None) -> Iterator[None]:
    """Turn the Paper model's validation error into a Rejected naming the invalid fields."""
    try:
        yield
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise Rejected(f"invalid paper: {details}", entry_id) from None
