"""Small builders for the store tests: papers, radars, matches and briefings."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Briefing, Match, MatchedTerm, Paper, Radar

T0 = dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC)


def paper(
    n: int,
    title: str = "A paper",
    abstract: str = "",
    *,
    version: int | None = 1,
    source: str = "arxiv",
    announce_type: str | None = "new",
    authors: tuple[str, ...] = ("Ada Lovelace",),
    categories: tuple[str, ...] = ("quant-ph",),
    published: dt.date = dt.date(2026, 6, 10),
) -> Paper:
    return Paper.model_validate(
        {
            "id": f"arxiv:2606.{n:05d}",
            "version": version,
            "source": source,
            "announce_type": announce_type,
            "title": title,
            "abstract": abstract,
            "authors": authors,
            "categories": categories,
            "published": published,
        }
    )


def radar(
    radar_id: str = "r1",
    *,
    owner: str = "alice",
    revision: int = 1,
    query: str = "quantum",
    created_at: dt.datetime = T0,
) -> Radar:
    return Radar(
        id=radar_id,
        owner=owner,
        name=f"radar {radar_id}",
        query=query,
        revision=revision,
        created_at=created_at,
        updated_at=created_at + dt.timedelta(minutes=revision),
    )


def match(
    paper_id: str,
    *,
    radar_id: str = "r1",
    version: int | None = 1,
    score: float = 1.0,
    at: dt.datetime = T0,
) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=paper_id,
        version=version,
        score=score,
        terms=(MatchedTerm(field="title", term="quantum"),),
        matched_at=at,
    )


def briefing(radar_id: str, window: int, paper_ids: tuple[str, ...]) -> Briefing:
    return Briefing(
        id=Briefing.make_id(radar_id, window),
        radar_id=radar_id,
        window=window,
        language="en",
        provider="test",
        overview=f"window {window}",
        paper_ids=paper_ids,
        window_opened_at=T0,
        window_closed_at=T0 + dt.timedelta(hours=1),
        created_at=T0 + dt.timedelta(hours=1),
    )


# A small corpus the search and match suites share.
CORPUS = [
    paper(
        1,
        "Quantum error correction with surface codes",
        "We study rotations of logical qubits.",
        authors=("Yann LeCun", "Alice Smith", "Bob Jones"),
        categories=("quant-ph", "cs.IT"),
        published=dt.date(2026, 6, 10),
    ),
    paper(
        2,
        "Deep learning for protein folding",
        "Neural networks predict structures; quantum effects are ignored.",
        authors=("Bob Jones",),
        categories=("cs.LG", "q-bio.BM"),
        announce_type="cross",
        published=dt.date(2026, 6, 11),
    ),
    paper(
        3,
        "Decoders for the surface code",
        "A neural decoder. Code surface is not a phrase here.",
        authors=("Carla Rémy",),
        categories=("quant-ph",),
        announce_type="replace",
        published=dt.date(2026, 6, 9),
    ),
    paper(
        4,
        "Vaccine trial outcomes",
        "A randomised clinical trial.",
        version=None,
        source="medrxiv",
        announce_type=None,
        authors=("Dana Smith",),
        categories=("Infectious Diseases",),
        published=dt.date(2026, 6, 11),
    ),
    paper(
        5,
        "Quantum supremacy revisited",
        "Sampling experiments, again.",
        version=None,
        source="journal:nature",
        announce_type=None,
        authors=("Eve Adams",),
        categories=(),
        published=dt.date(2026, 6, 8),
    ),
]
P1, P2, P3, P4, P5 = (p.id for p in CORPUS)
