"""``academichub match``: the matcher's own engine over JSON-lines files.

Radars are ``{"id": …, "query": …}`` lines, papers are canonical papers; each match
is printed as one JSON line. The work goes through the same registry and pipeline as
the matcher service (over the in-memory store), so scores and version rules agree.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from academichub.contracts import Paper, Radar
from academichub.matcher.pipeline import MatchingPipeline
from academichub.matcher.registry import RadarRegistry
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.store.memory import InMemoryStore

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _lines(path: str) -> Iterator[tuple[int, Any]]:
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, exc


def load_radars(path: str) -> tuple[list[Radar], list[str]]:
    radars, problems = [], []
    for number, item in _lines(path):
        where = f"{path}:{number}"
        if isinstance(item, Exception) or not isinstance(item, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        try:
            parse_query(str(item.get("query", "")))
            radars.append(
                Radar(
                    id=str(item.get("id")),
                    owner="cli",
                    name=str(item.get("name", item.get("id"))),
                    query=str(item["query"]),
                    created_at=EPOCH,
                    updated_at=EPOCH,
                )
            )
        except QuerySyntaxError as exc:
            problems.append(f"{where}: radar {item.get('id')!r}: {exc}")
        except (KeyError, ValidationError) as exc:
            problems.append(f"{where}: invalid radar: {exc}")
    return radars, problems


def load_papers(path: str) -> tuple[list[Paper], list[str]]:
    papers, problems = [], []
    for number, item in _lines(path):
        if isinstance(item, Exception):
            problems.append(f"{path}:{number}: not JSON: {item}")
            continue
        try:
            papers.append(Paper.model_validate(item))
        except ValidationError as exc:
            problems.append(f"{path}:{number}: invalid paper: {exc.errors()[0]['msg']}")
    return papers, problems


def run_match(radars_path: str, papers_path: str) -> int:
    try:
        radars, radar_problems = load_radars(radars_path)
        papers, paper_problems = load_papers(papers_path)
    except OSError as exc:
        print(f"academichub match: {exc}", file=sys.stderr)
        return 2
    for problem in radar_problems + paper_problems:
        print(f"skipped {problem}", file=sys.stderr)
    registry = RadarRegistry()
    registry.load(radars)
    memory = InMemoryStore()
    pipeline = MatchingPipeline(papers=memory.papers, matches=memory.matches, registry=registry)
    count = 0
    for paper in papers:  # one at a time: a later version sees the earlier one's matches
        outcome = pipeline.process([paper])
        pipeline.emitted(outcome.to_emit)
        for m in outcome.to_emit:
            sys.stdout.write(
                json.dumps(
                    {
                        "radar_id": m.radar_id,
                        "paper_id": m.paper_id,
                        "version": m.version,
                        "score": m.score,
                        "terms": [t.model_dump() for t in m.terms],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            count += 1
    print(f"{len(radars)} radars, {len(papers)} papers, {count} matches", file=sys.stderr)
    return 1 if radar_problems or paper_problems else 0
