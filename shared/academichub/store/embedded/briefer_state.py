"""The briefer's state in the shared SQLite file (:class:`~academichub.store.port.
BrieferStateStore`): per-paper summaries, briefing revisions and their publication,
upgrade marks, and daily token usage.

Delivery and upgrades live in columns of the ``briefings`` table that the briefings part
(:mod:`.briefings`) writes: an upgrade replaces a briefing and clears its mark in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Final

from academichub.contracts import Briefing
from academichub.store.embedded.columns import version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import PaperSummary

TOKEN_DAYS_KEPT: Final = 7
_CHUNK: Final = 400  # two parameters per key: stay below SQLite's 999


def _summary_doc(summary: PaperSummary) -> str:
    return json.dumps(
        {
            "paper_id": summary.paper_id,
            "version": summary.version,
            "tldr_en": summary.tldr_en,
            "tldr_zh": summary.tldr_zh,
            "model": summary.model,
            "created_at": summary.created_at.isoformat(),
        },
        ensure_ascii=False,
    )


def _summary(doc: str) -> PaperSummary:
    data = json.loads(doc)
    return PaperSummary(
        paper_id=data["paper_id"],
        version=data["version"],
        tldr_en=data["tldr_en"],
        tldr_zh=data["tldr_zh"],
        model=data["model"],
        created_at=dt.datetime.fromisoformat(data["created_at"]),
    )


class EmbeddedBrieferState:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- per-paper summaries --------------------------------------------------------
    def get_summaries(
        self, keys: Iterable[tuple[str, int | None]]
    ) -> dict[tuple[str, int | None], PaperSummary]:
        wanted = list(dict.fromkeys(keys))
        ids = list(dict.fromkeys(paper_id for paper_id, _ in wanted))
        found: dict[tuple[str, int | None], PaperSummary] = {}
        with self._db.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                # Every stored version of the wanted papers (a handful each), then the
                # wanted versions picked out: one simple indexed query per chunk.
                for (doc,) in conn.execute(
                    f"SELECT doc FROM paper_summaries WHERE paper_id IN ({marks})", tuple(chunk)
                ):
                    summary = _summary(doc)
                    found[summary.key] = summary
        return {k: found[k] for k in wanted if k in found}

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> int:
        with self._db.write() as conn:
            return sum(
                conn.execute(
                    "INSERT OR IGNORE INTO paper_summaries (paper_id, version_rank, doc) "
                    "VALUES (?, ?, ?)",
                    (s.paper_id, version_rank(s.version), _summary_doc(s)),
                ).rowcount
                for s in summaries
            )

    # --- delivery and upgrades --------------------------------------------------------
    def unpublished_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        rows = self._db.read_all(
            "SELECT doc, revision FROM briefings WHERE published_revision < revision "
            "ORDER BY rowid LIMIT ?",
            (max(limit, 0),),
        )
        return [(Briefing.model_validate_json(doc), int(rev)) for doc, rev in rows]

    def mark_briefing_published(self, briefing_id: str, revision: int) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE briefings SET published_revision = MAX(published_revision, ?) WHERE id = ?",
                (revision, briefing_id),
            )

    def mark_for_upgrade(self, briefing_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("INSERT OR IGNORE INTO briefing_upgrades (id) VALUES (?)", (briefing_id,))

    def briefings_to_upgrade(self, limit: int = 20) -> list[Briefing]:
        rows = self._db.read_all(
            "SELECT b.doc FROM briefing_upgrades u JOIN briefings b ON b.id = u.id "
            "ORDER BY u.rowid LIMIT ?",
            (max(limit, 0),),
        )
        return [Briefing.model_validate_json(doc) for (doc,) in rows]

    def upgrade_briefing(self, briefing: Briefing) -> int | None:
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT b.doc, b.revision FROM briefings b "
                "JOIN briefing_upgrades u ON u.id = b.id WHERE b.id = ?",
                (briefing.id,),
            ).fetchone()
            if row is None:
                return None
            stored = Briefing.model_validate_json(row[0])
            if not stored.degraded:
                return None
            if (briefing.radar_id, briefing.window) != (stored.radar_id, stored.window):
                raise ValueError(f"an upgrade of {briefing.id} must keep its radar and window")
            revision = int(row[1]) + 1
            conn.execute(
                "UPDATE briefings SET doc = ?, revision = ? WHERE id = ?",
                (briefing.model_dump_json(), revision, briefing.id),
            )
            conn.execute("DELETE FROM briefing_upgrades WHERE id = ?", (briefing.id,))
            return revision

    def drop_upgrade(self, briefing_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM briefing_upgrades WHERE id = ?", (briefing_id,))

    # --- token usage ------------------------------------------------------------------
    def add_token_usage(self, day: dt.date, accounts: Sequence[str], tokens: int) -> None:
        with self._db.write() as conn:
            conn.executemany(
                "INSERT INTO token_usage (day, account, tokens) VALUES (?, ?, ?) "
                "ON CONFLICT (day, account) DO UPDATE SET tokens = tokens + excluded.tokens",
                [(day.isoformat(), a, tokens) for a in dict.fromkeys(accounts)],
            )
            # Only today's and recent days' counters are ever read.
            oldest = (day - dt.timedelta(days=TOKEN_DAYS_KEPT)).isoformat()
            conn.execute("DELETE FROM token_usage WHERE day < ?", (oldest,))

    def token_usage(self, day: dt.date, accounts: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(accounts))
        used = dict.fromkeys(wanted, 0)
        with self._db.read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for account, tokens in conn.execute(
                    "SELECT account, tokens FROM token_usage "
                    f"WHERE day = ? AND account IN ({marks})",
                    (day.isoformat(), *chunk),
                ):
                    used[account] = int(tokens)
        return {a: used[a] for a in accounts}
