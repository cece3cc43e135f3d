"""Example payloads, one per event type, exactly as they travel on the topics.

Tests round-trip them through the models; documentation and operators can read them
to see what a topic carries.
"""

from __future__ import annotations

from typing import Any

from academichub.contracts.topics import TopicName

PAPER: dict[str, Any] = {
    "schema_version": 1,
    "id": "arxiv:2504.17830",
    "version": 2,
    "source": "arxiv",
    "announce_type": "replace",
    "title": "Variational quantum eigensolvers with $\\theta$-adaptive ansätze",
    "abstract": "We study adaptive ansätze for variational quantum eigensolvers.",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "categories": ["quant-ph", "cs.LG"],
    "published": "2025-04-28",
    "doi": "10.1103/physrevlett.132.241601",
    "journal_ref": "Phys. Rev. Lett. 132, 241601 (2024)",
    "url": "https://arxiv.org/abs/2504.17830",
    "pdf_url": "https://arxiv.org/pdf/2504.17830v2",
    "license": "http://creativecommons.org/licenses/by/4.0/",
}

RADAR: dict[str, Any] = {
    "schema_version": 2,
    "id": "r_4f3c2a1b",
    "owner": "u_ada",
    "name": "Quantum ML",
    "query": '"quantum circuit" (learning OR agent) -survey',
    "seeds": ["arxiv:2504.17830", "doi:10.1103/physrevlett.132.241601"],
    "interest": "Machine learning that runs on, or learns about, quantum circuits.",
    "per_day": 3.0,
    "threshold": 0.412,
    "liked": ["arxiv:2504.18012"],
    "disliked": ["arxiv:2504.18555"],
    "language": "zh",
    "schedule": {
        "kind": "daily",
        "hour": 7,
        "n": None,
        "weekday": 0,
        "timezone": "Asia/Shanghai",
    },
    "revision": 3,
    "created_at": "2026-06-01T08:00:00Z",
    "updated_at": "2026-06-12T09:30:00Z",
}

RADAR_CHANGE_UPSERT: dict[str, Any] = {
    "schema_version": 1,
    "kind": "upsert",
    "radar_id": "r_4f3c2a1b",
    "revision": 3,
    "radar": RADAR,
}

RADAR_CHANGE_DELETE: dict[str, Any] = {
    "schema_version": 1,
    "kind": "delete",
    "radar_id": "r_4f3c2a1b",
    "revision": 4,
    "radar": None,
}

MATCH: dict[str, Any] = {
    "schema_version": 2,
    "radar_id": "r_4f3c2a1b",
    "paper_id": "arxiv:2504.17830",
    "version": 2,
    "score": 7.25,
    "score_kind": "keyword",
    "terms": [
        {"field": "title", "term": "quantum circuit"},
        {"field": "abstract", "term": "learn"},
    ],
    "nearest": [],
    "matched_at": "2026-06-12T04:01:02Z",
    "origin": "live",
}

# A semantic radar's match: its similarity, explained by its nearest seed papers.
SEMANTIC_MATCH: dict[str, Any] = {
    "schema_version": 2,
    "radar_id": "r_4f3c2a1b",
    "paper_id": "arxiv:2504.19001",
    "version": 1,
    "score": 0.6431,
    "score_kind": "similarity",
    "terms": [{"field": "title", "term": "quantum circuit"}],
    "nearest": [
        {"paper_id": "arxiv:2504.17830", "similarity": 0.7112},
        {"paper_id": "doi:10.1103/physrevlett.132.241601", "similarity": 0.5208},
    ],
    "matched_at": "2026-06-12T04:01:09Z",
    "origin": "live",
}

# Version 3: the matches of one paper version for the radars on one partition (the key is
# one of them). The first one is MATCH's, the second a semantic radar's.
PAPER_MATCHES: dict[str, Any] = {
    "schema_version": 3,
    "paper_id": "arxiv:2504.17830",
    "version": 2,
    "matched_at": "2026-06-12T04:01:02Z",
    "origin": "live",
    "matches": [
        {
            "radar_id": "r_4f3c2a1b",
            "score": 7.25,
            "score_kind": "keyword",
            "terms": [
                {"field": "title", "term": "quantum circuit"},
                {"field": "abstract", "term": "learn"},
            ],
            "nearest": [],
        },
        {
            "radar_id": "r_9a0b1c2d",
            "score": 0.6431,
            "score_kind": "similarity",
            "terms": [],
            "nearest": [{"paper_id": "arxiv:2504.19001", "similarity": 0.7112}],
        },
    ],
}

BRIEFING: dict[str, Any] = {
    "schema_version": 1,
    "id": "r_4f3c2a1b.w1",
    "radar_id": "r_4f3c2a1b",
    "window": 1,
    "language": "en",
    "provider": "extractive",
    "model": None,
    "degraded": False,
    "degraded_reason": None,
    "overview": "1 paper in quant-ph on adaptive variational ansätze.",
    "themes": [
        {
            "title": "Variational algorithms",
            "synthesis": "Adaptive ansätze for VQE.",
            "paper_ids": ["arxiv:2504.17830"],
        }
    ],
    "connections": [],
    "notable": [{"paper_id": "arxiv:2504.17830", "reason": "Adaptive ansätze."}],
    "tldrs": [{"paper_id": "arxiv:2504.17830", "tldr": "Adaptive ansätze help VQE."}],
    "paper_ids": ["arxiv:2504.17830"],
    "omitted_paper_ids": [],
    "window_opened_at": "2026-06-12T04:01:02Z",
    "window_closed_at": "2026-06-12T07:00:00Z",
    "created_at": "2026-06-12T07:00:01Z",
}

DEAD_LETTER: dict[str, Any] = {
    "schema_version": 1,
    "topic": "papers",
    "partition": 2,
    "offset": 1041,
    "key": "arxiv:2504.17830",
    "value": "{not json",
    "error": "papers: value is not JSON: Expecting property name enclosed in double quotes",
    "service": "matcher",
    "failed_at": "2026-06-12T04:01:03Z",
}

EXAMPLES: dict[TopicName, list[dict[str, Any]]] = {
    TopicName.PAPERS: [PAPER],
    TopicName.RADARS: [RADAR_CHANGE_UPSERT, RADAR_CHANGE_DELETE],
    TopicName.MATCHES: [PAPER_MATCHES],
    TopicName.BRIEFINGS: [BRIEFING],
    TopicName.PAPERS_DLQ: [DEAD_LETTER],
    TopicName.RADARS_DLQ: [DEAD_LETTER],
    TopicName.MATCHES_DLQ: [DEAD_LETTER],
}


# --- older versions, still read ------------------------------------------------------
# Events written before a version bump may still be on the topics (and radars in the
# store): each decodes, its newer fields taking their defaults.

RADAR_V1: dict[str, Any] = {
    "schema_version": 1,
    "id": "r_4f3c2a1b",
    "owner": "u_ada",
    "name": "Quantum ML",
    "query": '"quantum circuit" (learning OR agent) -survey',
    "language": "zh",
    "schedule": RADAR["schedule"],
    "revision": 3,
    "created_at": "2026-06-01T08:00:00Z",
    "updated_at": "2026-06-12T09:30:00Z",
}

MATCH_V1: dict[str, Any] = {
    "schema_version": 1,
    "radar_id": "r_4f3c2a1b",
    "paper_id": "arxiv:2504.17830",
    "version": 2,
    "score": 7.25,
    "terms": [
        {"field": "title", "term": "quantum circuit"},
        {"field": "abstract", "term": "learn"},
    ],
    "matched_at": "2026-06-12T04:01:02Z",
}

LEGACY_EXAMPLES: dict[TopicName, list[dict[str, Any]]] = {
    TopicName.RADARS: [
        {
            "schema_version": 1,
            "kind": "upsert",
            "radar_id": "r_4f3c2a1b",
            "revision": 3,
            "radar": RADAR_V1,
        }
    ],
    # One match an event, as matchers before version 3 wrote them: read as groups of one.
    TopicName.MATCHES: [MATCH_V1, MATCH, SEMANTIC_MATCH],
}
