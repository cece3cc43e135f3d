"""``academichub match``: the matcher's own engine over JSON-lines files.

Radars are ``{"id": …, "query": …}`` lines, papers are canonical papers; each match
is printed as one JSON line. The work goes through the same registries and pipelines as
the matcher service's two roles (over the in-memory store), so scores, explanations and
version rules agree.

A radar line may also have the semantic parts of a radar (``seeds``: ids of papers in the
file, ``interest``, ``per_day``, ``threshold``, ``liked``, ``disliked``); then every paper
of the file is embedded first (``EMBEDDING_*``, as the embedding role would have stored
them), a radar without a ``threshold`` gets the one its ``per_day`` gives over the file's
papers (as the gateway chooses it over the last 30 days), and papers are matched one at a
time by both roles.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from pydantic import ValidationError

from academichub.contracts import Paper, Radar
from academichub.contracts.paper_lines import json_lines, load_papers
from academichub.embedding.port import EmbeddingModel
from academichub.embedding.text import interest_text, paper_text
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.domain.semantic import SemanticPipeline, SemanticRadars
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.semantic.radars import decided_by_meaning, profile_of, radar_threshold, references
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperVector

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DEFAULT_PER_DAY = 3.0


SEMANTIC_KEYS = ("seeds", "interest", "per_day", "threshold", "liked", "disliked")


def load_radars(path: str) -> tuple[list[Radar], list[str]]:
    radars, problems = [], []
    for number, item in json_lines(path):
        where = f"{path}:{number}"
        if isinstance(item, Exception) or not isinstance(item, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        try:
            query = str(item.get("query") or "")
            if query.strip():
                parse_query(query)
            semantic = {k: item[k] for k in SEMANTIC_KEYS if item.get(k) is not None}
            if (semantic.get("seeds") or semantic.get("interest")) and "per_day" not in semantic:
                semantic["per_day"] = DEFAULT_PER_DAY
            radars.append(
                Radar.model_validate(
                    {
                        "id": str(item.get("id")),
                        "owner": "cli",
                        "name": str(item.get("name", item.get("id"))),
                        "query": query,
                        **semantic,
                        "created_at": EPOCH,
                        "updated_at": EPOCH,
                    }
                )
            )
        except QuerySyntaxError as exc:
            problems.append(f"{where}: radar {item.get('id')!r}: {exc}")
        except ValidationError as exc:
            problems.append(f"{where}: invalid radar: {exc.errors()[0]['msg']}")
    return radars, problems


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
    pipeline = MatchingPipeline(
        papers=memory.papers, matches=memory.matches, registry=registry, corpus=memory.corpus
    )
    semantic = (
        _semantic_role(memory, radars, papers) if any(map(decided_by_meaning, radars)) else None
    )
    count = 0
    for paper in papers:  # one at a time: a later version sees the earlier one's matches
        outcome = pipeline.process([paper])
        pipeline.emitted(outcome.to_emit)
        found = outcome.matches
        if semantic is not None:
            more = semantic.process([paper], {})
            semantic.emitted(more.to_emit)
            found += more.matches
        for m in found:
            line: dict[str, Any] = {
                "radar_id": m.radar_id,
                "paper_id": m.paper_id,
                "version": m.version,
                "score": m.score,
                "terms": [t.model_dump() for t in m.terms],
            }
            if m.score_kind != "keyword" or m.nearest:
                line["score_kind"] = m.score_kind
                line["nearest"] = [n.model_dump() for n in m.nearest]
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    print(f"{len(radars)} radars, {len(papers)} papers, {count} matches", file=sys.stderr)
    return 1 if radar_problems or paper_problems else 0


def _semantic_role(
    memory: InMemoryStore, radars: list[Radar], papers: list[Paper]
) -> SemanticPipeline:
    """The embedding role over the file: every paper's vector stored (newest version of
    each), interests embedded, thresholds from ``per_day`` over the file's papers."""
    from academichub.matcher.commands.embed import open_embedder  # loads the model only when needed

    embedder = open_embedder()
    model = embedder.model
    newest: dict[str, Paper] = {}
    for paper in papers:
        held = newest.get(paper.id)
        if held is None or (paper.version or 0) >= (held.version or 0):
            newest[paper.id] = paper
    kept = list(newest.values())
    for start in range(0, len(kept), 256):
        chunk = kept[start : start + 256]
        vectors = embedder.embed([paper_text(p) for p in chunk])
        memory.vectors.put_vectors(
            model, [PaperVector.of(p, v) for p, v in zip(chunk, vectors, strict=True)]
        )
    interests = sorted({r.interest for r in radars if r.interest is not None})
    if interests:
        made = embedder.embed([interest_text(i) for i in interests])
        memory.vectors.put_text_vectors(model, dict(zip(interests, made, strict=True)))
    settled = [_with_threshold(r, memory, model, kept) for r in radars]
    role = SemanticRadars(model)
    ids, _ = role.load(settled)
    role.install(memory.vectors, ids)
    return SemanticPipeline(
        model=model, vectors=memory.vectors, matches=memory.matches, radars=role
    )


def _with_threshold(
    radar: Radar, memory: InMemoryStore, model: EmbeddingModel, papers: list[Paper]
) -> Radar:
    """The radar with the threshold its ``per_day`` gives over the file's papers (those
    its query lets through, its own papers left out), unless it states one."""
    if not radar.semantic or radar.threshold is not None or radar.per_day is None or not papers:
        return radar
    window = memory.vectors.window(
        model, min(p.published for p in papers), max(p.published for p in papers)
    )
    refs = references(radar)
    stored = memory.vectors.paper_vectors(model, refs)
    interest = memory.vectors.text_vectors(model, [radar.interest] if radar.interest else [])
    profile = profile_of(
        radar,
        model.dimension,
        {p: v.vector for p, v in stored.items()},
        interest.get(radar.interest) if radar.interest else None,
    )
    if profile is None:
        return radar
    allowed = set(window.paper_ids) - set(refs)
    if radar.has_query:
        node = parse_query(radar.query)
        by_id = {p.id: p for p in papers}
        allowed = {
            p for p in allowed if evaluate(node, PaperDocument.from_paper(by_id[p])) is not None
        }
    chosen = radar_threshold(
        profile, radar.per_day, window.paper_ids, window.published, window.vectors, allowed=allowed
    )
    return radar.model_copy(update={"threshold": chosen})
