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
from academichub.store.accounts import ApiKey, Feedback, FeedToken, User, WebSession
from academichub.store.elastic import mappings as f
from academichub.store.port import PaperSummary, PendingItem

PENDING: Final = "pending"
BRIEFED: Final = "briefed"
ItemState = Literal["pending", "briefed"]


def instant(moment: dt.datetime) -> str:
    """A datetime as stored: ISO 8601 in UTC (a naive one is taken to be UTC, as in the
    embedded store), so that equal instants are equal strings and order as they should."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat()


def instant_from(text: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text))


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
    are runs of letters/digits, so they never contain one); each form of an author's name
    stays one value so the mapping's position gap keeps a phrase inside one name.
    """
    analysed = PaperDocument.from_paper(paper)
    return {
        f.ID: paper.id,
        f.TITLE: " ".join(analysed.title),
        f.ABSTRACT: " ".join(analysed.abstract),
        f.TITLE_RAW: " ".join(analysed.title_raw),
        f.ABSTRACT_RAW: " ".join(analysed.abstract_raw),
        f.AUTHOR: [" ".join(form) for form in analysed.stream("author")],
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
        "announced": False,
    }


def tombstone_document(radar_id: str) -> dict[str, Any]:
    """What a deleted radar leaves: its external version outranks every revision up to the
    deleted one, so a replayed older upsert is refused (Elasticsearch's own delete
    tombstones are forgotten after ``index.gc_deletes``, 60 s by default)."""
    return {"radar_id": radar_id, "deleted": True, "announced": False}


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
        "queued": False,
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


def briefing_document(briefing: Briefing, items: Sequence[PendingItem], seq: int) -> dict[str, Any]:
    """The briefing with the window items it takes: the commit record of ``close_window``.

    ``applied`` turns true once those items are marked briefed; until then anyone may
    (re)apply ``items``, so a crash between the two steps is finished later, not lost.
    It is stored as revision 1, not published nor delivered yet (no digest carries it);
    ``seq`` orders briefings as stored.
    """
    return {
        "briefing_id": briefing.id,
        "radar_id": briefing.radar_id,
        "window": briefing.window,
        "applied": False,
        "items": [item_document(briefing.radar_id, i, BRIEFED) for i in items],
        "briefing": briefing.model_dump(mode="json"),
        "revision": 1,
        "published_revision": 0,
        "published": False,
        "delivered_revision": 0,
        "delivered": False,
        "seq": seq,
    }


def briefing_from(source: Mapping[str, Any]) -> Briefing:
    return Briefing.model_validate(source["briefing"])


# --- the briefer's state ----------------------------------------------------------------


def summary_document(summary: PaperSummary) -> dict[str, Any]:
    return {
        "paper_id": summary.paper_id,
        "version_rank": version_rank(summary.version),
        "model": summary.model,
        "created_at": summary.created_at.isoformat(),
        "tldr": {"en": summary.tldr_en, "zh": summary.tldr_zh},
    }


def summary_from(source: Mapping[str, Any]) -> PaperSummary:
    return PaperSummary(
        paper_id=str(source["paper_id"]),
        version=version_of(int(source["version_rank"])),
        tldr_en=str(source["tldr"]["en"]),
        tldr_zh=str(source["tldr"]["zh"]),
        model=str(source["model"]),
        created_at=instant_from(source["created_at"]),
    )


def token_usage_id(day: dt.date, account: str) -> str:
    return f"{day.isoformat()}|{account}"


# --- accounts ---------------------------------------------------------------------------


def user_document(user: User) -> dict[str, Any]:
    """``user`` with its email already normalised."""
    return {
        "user_id": user.id,
        "email": user.email,
        "created_at": instant(user.created_at),
        "user": {"name": user.name, "is_admin": user.is_admin},
    }


def user_from(source: Mapping[str, Any]) -> User:
    return User(
        id=str(source["user_id"]),
        name=str(source["user"]["name"]),
        email=str(source["email"]),
        is_admin=bool(source["user"]["is_admin"]),
        created_at=instant_from(source["created_at"]),
    )


def api_key_document(key: ApiKey) -> dict[str, Any]:
    return {
        "prefix": key.prefix,
        "user_id": key.user_id,
        "created_at": instant(key.created_at),
        "revoked_at": None if key.revoked_at is None else instant(key.revoked_at),
        "key": {"digest": key.digest, "label": key.label},
    }


def api_key_from(source: Mapping[str, Any]) -> ApiKey:
    revoked = source.get("revoked_at")
    return ApiKey(
        prefix=str(source["prefix"]),
        user_id=str(source["user_id"]),
        digest=str(source["key"]["digest"]),
        created_at=instant_from(source["created_at"]),
        label=str(source["key"]["label"]),
        revoked_at=None if revoked is None else instant_from(revoked),
    )


def session_document(session: WebSession) -> dict[str, Any]:
    """A web session, stored under its digest (the id)."""
    return {
        "user_id": session.user_id,
        "key_prefix": session.key_prefix,
        "created_at": instant(session.created_at),
        "expires_at": instant(session.expires_at),
        "session": {"csrf_token": session.csrf_token},
    }


def session_from(digest: str, source: Mapping[str, Any]) -> WebSession:
    return WebSession(
        digest=digest,
        user_id=str(source["user_id"]),
        key_prefix=str(source["key_prefix"]),
        csrf_token=str(source["session"]["csrf_token"]),
        created_at=instant_from(source["created_at"]),
        expires_at=instant_from(source["expires_at"]),
    )


def feed_token_document(token: FeedToken) -> dict[str, Any]:
    return {
        "radar_id": token.radar_id,
        "created_at": instant(token.created_at),
        "token": {"digest": token.digest},
    }


def feed_token_from(source: Mapping[str, Any]) -> FeedToken:
    return FeedToken(
        radar_id=str(source["radar_id"]),
        digest=str(source["token"]["digest"]),
        created_at=instant_from(source["created_at"]),
    )


def feedback_id(radar_id: str, paper_id: str, user_id: str) -> str:
    """Radar and user ids hold no ``|``; the paper id, which may, comes last."""
    return f"{radar_id}|{user_id}|{paper_id}"


def feedback_document(feedback: Feedback) -> dict[str, Any]:
    return {
        "radar_id": feedback.radar_id,
        "paper_id": feedback.paper_id,
        "user_id": feedback.user_id,
        "verdict": feedback.verdict,
        "at": instant(feedback.at),
    }


def feedback_from(source: Mapping[str, Any]) -> Feedback:
    return Feedback(
        radar_id=str(source["radar_id"]),
        paper_id=str(source["paper_id"]),
        user_id=str(source["user_id"]),
        verdict="up" if source["verdict"] == "up" else "down",
        at=instant_from(source["at"]),
    )
