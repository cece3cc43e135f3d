"""``academichub rank``: every paper of a file with one radar's score, best first.

``R.json`` is one radar::

    {"query": "...", "seeds": [paper ids], "interest": "free text",
     "feedback": {"liked": [ids], "disliked": [ids]}, "threshold": 0.4}

each key optional. The query, if any, must hold (the radar parser and reference
evaluator, as the matcher decides); the semantic side (seeds, interest, feedback: a
:class:`~academichub.semantic.profile.SemanticProfile` in a one-radar
:class:`~academichub.semantic.bank.RadarBank`, as a matcher scores) orders the papers,
and with ``threshold`` (in the score's units: a cosine, or the learned probability)
filters them. A radar with a query only is ordered by the query's BM25 score. Seeds and
rated papers must be papers of the file; they are printed too, with their role.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from academichub.contracts import MatchedTerm, Paper
from academichub.contracts.paper_lines import load_papers
from academichub.embedding.text import interest_text, paper_text
from academichub.matcher.commands.embed import open_embedder
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.radar.scoring import CorpusStats, score_document
from academichub.semantic.bank import RadarBank
from academichub.semantic.profile import SemanticProfile

__all__ = ["RadarFile", "RadarFileError", "run_rank"]

_KEYS = {"query", "seeds", "interest", "feedback", "threshold", "id", "name"}


class RadarFileError(ValueError):
    """The radar file cannot be used; the message says why."""


@dataclass(frozen=True)
class RadarFile:
    query: Node | None = None
    seeds: tuple[str, ...] = ()
    interest: str | None = None
    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    threshold: float | None = None
    ids: dict[str, str] = field(default_factory=dict)  # paper id -> role

    @classmethod
    def parse(cls, data: Any) -> RadarFile:
        if not isinstance(data, dict):
            raise RadarFileError("a radar is a JSON object")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise RadarFileError(f"unknown keys {unknown}; a radar has {sorted(_KEYS)}")
        query = None
        if data.get("query"):
            if not isinstance(data["query"], str):
                raise RadarFileError("query must be a string")
            try:
                query = parse_query(data["query"])
            except QuerySyntaxError as exc:
                raise RadarFileError(f"query: {exc}") from exc
        feedback = data.get("feedback") or {}
        if not isinstance(feedback, dict) or set(feedback) - {"liked", "disliked"}:
            raise RadarFileError('feedback is {"liked": [ids], "disliked": [ids]}')
        seeds, liked, disliked = (
            _ids(data.get("seeds"), "seeds"),
            _ids(feedback.get("liked"), "feedback.liked"),
            _ids(feedback.get("disliked"), "feedback.disliked"),
        )
        interest = data.get("interest")
        if interest is not None and (not isinstance(interest, str) or not interest.strip()):
            raise RadarFileError("interest must be a non-empty string")
        threshold = data.get("threshold")
        if threshold is not None and (
            not isinstance(threshold, int | float) or not math.isfinite(threshold)
        ):
            raise RadarFileError("threshold must be a number")
        roles = {i: "disliked" for i in disliked} | {i: "liked" for i in liked}
        roles |= {i: "seed" for i in seeds}
        return cls(query, seeds, interest, liked, disliked, threshold, roles)


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RadarFileError(f"{where} must be a list of paper ids")
    return tuple(value)


def _raw_threshold(profile: SemanticProfile, threshold: float | None) -> float:
    """The file's threshold (a cosine or a probability) in the profile's raw units."""
    if threshold is None:
        return -math.inf
    if profile.learned is None:
        return threshold
    if not 0 < threshold < 1:
        raise RadarFileError("a learned radar's threshold is a probability between 0 and 1")
    return math.log(threshold / (1 - threshold))


def _terms(terms: tuple[MatchedTerm, ...] | None) -> list[dict[str, str]]:
    return [t.model_dump() for t in terms or ()]


def rank(radar: RadarFile, papers: list[Paper]) -> list[dict[str, Any]]:
    """The printed lines, best first (raises RadarFileError for unusable radars)."""
    by_id = {p.id: i for i, p in enumerate(papers)}
    missing = [pid for pid in radar.ids if pid not in by_id]
    if missing:
        raise RadarFileError(f"papers not in the papers file: {missing}")
    semantic = bool(radar.seeds or radar.interest or radar.liked or radar.disliked)
    if not semantic and radar.query is None:
        raise RadarFileError("the radar has no query, seeds, interest or feedback")
    docs = [PaperDocument.from_paper(p) for p in papers]
    fired = [evaluate(radar.query, d) if radar.query is not None else () for d in docs]
    lines: list[dict[str, Any]] = []
    if not semantic:
        stats = CorpusStats.from_documents(docs)
        for paper, doc, terms in zip(papers, docs, fired, strict=True):
            if terms is not None:
                lines.append(_line(paper, score_document(terms, doc, stats), "keyword", terms))
    else:
        embedder = open_embedder()
        vectors = embedder.embed([paper_text(p) for p in papers])
        dim = embedder.model.dimension
        profile = SemanticProfile.build(
            "cli",
            dim,
            seeds={i: vectors[by_id[i]] for i in radar.seeds},
            interest=embedder.embed([interest_text(radar.interest)])[0] if radar.interest else None,
            liked={i: vectors[by_id[i]] for i in radar.liked},
            disliked={i: vectors[by_id[i]] for i in radar.disliked},
        )
        if not profile.is_semantic:
            raise RadarFileError("dislikes alone say nothing to rank by: add seeds or likes")
        bank = RadarBank(dim)
        bank.put(profile.with_threshold(_raw_threshold(profile, radar.threshold)))
        hits = bank.match(vectors)
        for k in range(len(hits)):
            index = int(hits.paper_index[k])
            if fired[index] is None:
                continue
            hit = hits.hit(k)
            line = _line(papers[index], hit.score, hit.kind, fired[index])
            line["nearest"] = [{"paper_id": p, "similarity": round(s, 4)} for p, s in hit.nearest]
            lines.append(line)
    for line in lines:
        line["role"] = radar.ids.get(line["id"])
    lines.sort(key=lambda line: -line["score"])
    return lines


def _line(
    paper: Paper, score: float, kind: str, terms: tuple[MatchedTerm, ...] | None
) -> dict[str, Any]:
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "score": round(float(score), 6),
        "kind": kind,
        "terms": _terms(terms),
    }


def run_rank(radar_path: str, papers_path: str) -> int:
    try:
        papers, problems = load_papers(papers_path)
        radar = RadarFile.parse(json.loads(Path(radar_path).read_text(encoding="utf-8")))
        lines = rank(radar, papers)
    except OSError as exc:
        print(f"academichub rank: {exc}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"academichub rank: {radar_path} is not JSON: {exc}", file=sys.stderr)
        return 2
    except RadarFileError as exc:
        print(f"academichub rank: {radar_path}: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for line in lines:
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    scored = np.array([line["score"] for line in lines])
    print(
        f"{len(lines)} of {len(papers)} papers ranked"
        + (f"; scores {scored.min():.3f}..{scored.max():.3f}" if len(lines) else ""),
        file=sys.stderr,
    )
    return 1 if problems else 0
