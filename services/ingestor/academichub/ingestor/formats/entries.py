"""One entry at a time: each becomes a Paper or an EntryError, and never stops the others.

Format modules raise :class:`Rejected` from the function that converts one entry; the loop in
:func:`convert_entries` turns it into an :class:`EntryError` and goes on. Only ``Rejected`` is
caught: any other exception is a bug in the parser and must crash loudly (STYLE.md rule 6).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from pydantic import ValidationError

from academichub.contracts import Paper
from academichub.ingestor.formats import EntryError

T = TypeVar("T")


class Rejected(Exception):
    """An entry that cannot become a Paper; becomes an EntryError with this reason."""

    def __init__(self, reason: str, entry_id: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.entry_id = entry_id


def convert_entries(
    entries: Iterable[T], convert: Callable[[T], Paper]
) -> tuple[tuple[Paper, ...], tuple[EntryError, ...]]:
    """Papers in document order, and an EntryError (with its 0-based index) per rejected entry."""
    papers: list[Paper] = []
    errors: list[EntryError] = []
    for index, entry in enumerate(entries):
        try:
            papers.append(convert(entry))
        except Rejected as rejected:
            errors.append(EntryError(index, rejected.entry_id, rejected.reason))
    return tuple(papers), tuple(errors)


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
