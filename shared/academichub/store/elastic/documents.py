"""How each record becomes an Elasticsearch document, the ids of composite keys, and back.

Versions are written as a ``version_rank`` where 0 stands for "no version" (versions start
at 1), as in the embedded store, so (id, version) can be part of a document id and the
papers index can use the rank as its external version.

Composite ids are unambiguous: radar ids never contain ``|`` (``[A-Za-z0-9_-]``) and the
rank after the last ``#`` is all digits, whatever the paper id holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from academichub.contracts import Briefing, Match, Paper, Radar
from academichub.radar.document import PaperDocument
from academichub.store.elastic import mappings as f
from academichub.store.port import PendingItem

PENDING: Final = "pending"
BRIEFED: Final = "briefed"
ItemState = Literal["pending", "briefed"]


def version_rank(version: int | None) -> int:
    return 0 if version is None else version


def version_of(rank: int) -> int | None:
    return None if rank == 0 else rank


def version_id(paper_id: str, version: int | None) -> str:
    """The id of one (paper, version): in the paper-versions and published-keys indices."""
    return f"{paper_id}#{version_rank(version)}"


def match_id(radar_id: str, paper_id: str, version: int | None) -> str:
    """The id of one (radar, paper, version): a match, or an item of a briefing window."""
    return f"{radar_id}|{version_id(paper_id, version)}"


# --- papers ---------------------------------------------------------------------------


def paper_document(paper: Paper, seq: int) -> dict[str, Any]:
    """The papers-index document of ``paper``, whose id first arrived as the ``seq``-th.

    Every token field holds the evaluator's own analysis joined by single spaces (tokens
    are runs of letters/digits, so they never contain one); authors stay one value each
    so the mapping's position gap keeps a phrase inside one name.
    """
    analysed = PaperDocument.from_paper(paper)
    named = [name for name in analysed.authors if name]
    return {
        f.ID: paper.id,
        f.TITLE: " ".join(analysed.title),
        f.ABSTRACT: " ".join(analysed.abstract),
        f.TITLE_RAW: " ".join(analysed.title_raw),
        f.ABSTRACT_RAW: " ".join(analysed.abstract_raw),
        f.AUTHOR: [" ".join(name) for name in named],
        f.AUTHOR_LAST: [name[-1] for name in named],
        f.CATEGORY: list(analysed.categories),
        f.CATEGORY_EXACT: list(paper.categories),
        f.SOURCE: analysed.source,
        f.ANNOUNCE_TYPE: analysed.announce_type,
        f.PUBLISHED: paper.published.isoformat(),
        f.SEQ: seq,
        f.PAPER: paper.model_dump(mode="json"),
    }


def version_document(paper: Paper) -> dict[str, Any]:
    """One version of a paper in its history (stale versions are kept here only)."""
    return {
        "paper_id": paper.id,
        "version_rank": version_rank(paper.version),
        "paper": paper.model_dump(mode="json"),
    }


def paper_from(source: Mapping[str, Any]) -> Paper:
    return Paper.model_validate(source[f.PAPER])


# --- radars ---------------------------------------------------------------------------


def radar_document(radar: Radar) -> dict[str, Any]:
    return {
        "radar_id": radar.id,
        "owner": radar.owner,
        "created_at": radar.created_at.isoformat(),
        "deleted": False,
        "radar": radar.model_dump(mode="json"),
    }


def tombstone_document(radar_id: str) -> dict[str, Any]:
    """What a deleted radar leaves: its external version outranks every revision up to the
    deleted one, so a replayed older upsert is refused (Elasticsearch's own delete
    tombstones are forgotten after ``index.gc_deletes``, 60 s by default)."""
    return {"radar_id": radar_id, "deleted": True}


def radar_from(source: Mapping[str, Any]) -> Radar:
    return Radar.model_validate(source["radar"])


# --- matches --------------------------------------------------------------------------


def match_document(match: Match) -> dict[str, Any]:
    return {
        "radar_id": match.radar_id,
        "paper_id": match.paper_id,
        "version_rank": version_rank(match.version),
        "score": match.score,
        "matched_at": match.matched_at.isoformat(),
        "emitted": False,
        "match": match.model_dump(mode="json"),
    }


def match_from(source: Mapping[str, Any]) -> Match:
    return Match.model_validate(source["match"])


# --- briefing windows -----------------------------------------------------------------


def item_document(
    radar_id: str, item: PendingItem, state: ItemState, seq: int | None = None
) -> dict[str, Any]:
    """An item of a radar's briefing window; ``seq`` (enqueue order) only while pending."""
    doc: dict[str, Any] = {
        "radar_id": radar_id,
        "paper_id": item.paper_id,
        "version_rank": version_rank(item.version),
        "score": item.score,
        "enqueued_at": item.enqueued_at.isoformat(),
        "state": state,
    }
    if seq is not None:
        doc["seq"] = seq
    return doc


def pending_item_from(source: Mapping[str, Any]) -> PendingItem:
    return PendingItem(
        paper_id=str(source["paper_id"]),
        version=version_of(int(source["version_rank"])),
        score=float(source["score"]),
        enqueued_at=dt.datetime.fromisoformat(str(source["enqueued_at"])),
    )


def briefing_document(briefing: Briefing, items: Sequence[PendingItem]) -> dict[str, Any]:
    """The briefing with the window items it takes: the commit record of ``close_window``.

    ``applied`` turns true once those items are marked briefed; until then anyone may
    (re)apply ``items``, so a crash between the two steps is finished later, not lost.
    """
    return {
        "briefing_id": briefing.id,
        "radar_id": briefing.radar_id,
        "window": briefing.window,
        "applied": False,
        "items": [item_document(briefing.radar_id, i, BRIEFED) for i in items],
        "briefing": briefing.model_dump(mode="json"),
    }


def briefing_from(source: Mapping[str, Any]) -> Briefing:
    return Briefing.model_validate(source["briefing"])
