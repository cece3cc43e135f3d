"""The dead letters a re-reading consumer has sent, in the shared SQLite file
(:class:`~academichub.store.port.DeadLetterLog`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from academichub.store.embedded.database import Database

_CHUNK: Final = 500  # below SQLite's smallest limit on bound parameters (999)


class EmbeddedDeadLetters:
    def __init__(self, db: Database) -> None:
        self._db = db

    def dead_lettered(self, letter_ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(letter_ids))
        found: set[str] = set()
        with self._db.read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found.update(
                    letter_id
                    for (letter_id,) in conn.execute(
                        f"SELECT letter_id FROM dead_letters WHERE letter_id IN ({marks})",
                        tuple(chunk),
                    )
                )
        return found

    def remember_dead_letters(self, letter_ids: Iterable[str]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO dead_letters (letter_id, sent_at) VALUES (?, ?)",
                [(letter_id, now) for letter_id in dict.fromkeys(letter_ids)],
            )
