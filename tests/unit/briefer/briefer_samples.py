"""Builders for the briefer's unit tests: papers, radars, matches, model drafts."""

from __future__ import annotations

import datetime as dt

from academichub.briefer.draft import BriefingDraft
from academichub.contracts import Match, MatchedTerm, Paper, Radar

T0 = dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC)


def paper(
    n: int,
    *,
    title: str | None = None,
    abstract: str | None = None,
    categories: tuple[str, ...] = ("quant-ph",),
    version: int = 1,
) -> Paper:
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=version,
        source="arxiv",
        title=title or f"Paper number {n} on quantum error correction",
        abstract=abstract
        or (
            f"Background sentence for paper {n}. We show that surface codes with "
            f"lattice surgery reach threshold {n}."
        ),
        authors=("A. Author", "B. Author"),
        categories=categories,
        published=dt.date(2026, 6, 12),
    )


def pid(n: int) -> str:
    return f"arxiv:2606.{n:05d}"


def radar(radar_id: str = "r1", *, language: str = "en") -> Radar:
    return Radar.model_validate(
        {
            "id": radar_id,
            "owner": "alice",
            "name": "Error correction",
            "query": "surface code OR lattice surgery",
            "language": language,
            "created_at": T0,
            "updated_at": T0,
        }
    )


def match(
    n: int,
    *,
    radar_id: str = "r1",
    score: float = 1.0,
    at: dt.datetime = T0,
    version: int = 1,
) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=pid(n),
        version=version,
        score=score,
        terms=(MatchedTerm(field="abstract", term="surfac"),),
        matched_at=at,
    )


def good_draft(ids: list[str], *, extra_ids: tuple[str, ...] = ()) -> BriefingDraft:
    """A well-formed draft citing ``ids`` (plus ``extra_ids`` in the first theme)."""
    return BriefingDraft.model_validate(
        {
            "overview": f"{len(ids)} papers on error correction.",
            "themes": [
                {
                    "title": "Surface codes",
                    "synthesis": "Lattice surgery keeps improving thresholds.",
                    "paper_ids": [*ids, *extra_ids],
                }
            ],
            "connections": [],
            "notable": [{"paper_id": ids[0], "reason": "Best threshold."}],
            "tldrs": [{"paper_id": i, "tldr": f"TL;DR of {i}."} for i in ids],
        }
    )
