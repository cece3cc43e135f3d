"""`academichub embed` and `academichub rank` as installed, over a real feed's papers.

embed runs the packaged MiniLM on three papers; rank runs against a local
OpenAI-compatible embeddings server (EMBEDDING_PROVIDER=openai) whose vectors come from
the fake embedder, so the expected order is known and the test stays fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from academichub.contracts import Paper
from academichub.embedding.fake import FakeEmbedder
from academichub.embedding.text import paper_text
from tests.conftest import QUANT_PH_RSS
from tests.integration.briefer.chat_server import ChatServer, Reply, serve_chat

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))
FAKE = FakeEmbedder(dimension=48)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACADEMICHUB, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def papers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    done = run("parse", "--format", "arxiv-rss", str(QUANT_PH_RSS))
    assert done.returncode == 0, done.stderr
    path = tmp_path_factory.mktemp("papers") / "papers.jsonl"
    path.write_text(done.stdout)
    return path


def papers(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def endpoint() -> Iterator[ChatServer]:
    def respond(body: dict[str, Any]) -> Reply:
        vectors = FAKE.embed(body["input"])
        data = [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        answer = {"object": "list", "data": data, "model": body["model"]}
        return Reply(raw=json.dumps(answer).encode())

    with serve_chat() as server:
        server.embedding_responder = respond
        yield server


def endpoint_env(server: ChatServer) -> dict[str, str]:
    return {
        "EMBEDDING_PROVIDER": "openai",
        "EMBEDDING_BASE_URL": server.base_url,
        "EMBEDDING_MODEL": "fake-bag-of-words",
        "EMBEDDING_DIMENSION": "48",
    }


def test_embed_prints_a_unit_vector_per_paper_with_the_models_provenance(
    papers_file: Path, tmp_path: Path
) -> None:
    three = tmp_path / "three.jsonl"
    three.write_text("\n".join(papers_file.read_text().splitlines()[:3]) + "\n")
    done = run("embed", "--papers", str(three))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == [p["id"] for p in papers(three)]
    for line in lines:
        assert len(line["vector"]) == 384
        assert np.linalg.norm(line["vector"]) == pytest.approx(1.0, abs=1e-5)
        assert line["model"].startswith("sentence-transformers/all-MiniLM-L6-v2@sha256:53aa5117")
    assert "3 papers embedded" in done.stderr


def test_rank_orders_every_paper_the_query_admits_by_the_radars_score(
    papers_file: Path, tmp_path: Path, endpoint: ChatServer
) -> None:
    all_papers = papers(papers_file)
    seeds = [all_papers[0]["id"], all_papers[1]["id"]]
    radar = tmp_path / "radar.json"
    radar.write_text(json.dumps({"query": "-type:replace", "seeds": seeds}))
    done = run(
        "rank", "--radar", str(radar), "--papers", str(papers_file), env=endpoint_env(endpoint)
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    admitted = [p for p in all_papers if p["announce_type"] != "replace"]
    assert {line["id"] for line in lines} == {p["id"] for p in admitted}
    scores = [line["score"] for line in lines]
    assert scores == sorted(scores, reverse=True)
    # The scores are the fake vectors' cosines with the seeds' direction.
    texts = {p["id"]: paper_text(Paper.model_validate(p)) for p in all_papers}
    vectors = dict(zip(texts, FAKE.embed(list(texts.values())), strict=True))
    direction = vectors[seeds[0]] + vectors[seeds[1]]
    direction /= np.linalg.norm(direction)
    expected = sorted(admitted, key=lambda p: -float(vectors[p["id"]] @ direction))
    for line in lines:
        assert line["score"] == pytest.approx(float(vectors[line["id"]] @ direction), abs=1e-4)
    assert lines[0]["score"] == pytest.approx(float(vectors[expected[0]["id"]] @ direction))
    assert {line["kind"] for line in lines} == {"similarity"}
    assert {line["role"] for line in lines if line["id"] in seeds} == {"seed"}
    assert all(line["nearest"][0]["paper_id"] in seeds for line in lines)


def test_feedback_learns_and_a_threshold_filters(
    papers_file: Path, tmp_path: Path, endpoint: ChatServer
) -> None:
    ids = [p["id"] for p in papers(papers_file)]
    radar = tmp_path / "radar.json"
    radar.write_text(
        json.dumps(
            {
                "interest": "quantum error correction codes",
                "feedback": {"liked": ids[2:4], "disliked": ids[4:6]},
                "threshold": 0.5,
            }
        )
    )
    done = run(
        "rank", "--radar", str(radar), "--papers", str(papers_file), env=endpoint_env(endpoint)
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines
    assert {line["kind"] for line in lines} == {"learned"}
    assert min(line["score"] for line in lines) >= 0.5  # a probability above the threshold
    roles = {line["id"]: line["role"] for line in lines}
    assert roles.get(ids[2]) == "liked"
    assert ids[4] not in roles or roles[ids[4]] == "disliked"


def test_a_query_alone_ranks_by_bm25_without_any_embedding(
    papers_file: Path, tmp_path: Path
) -> None:
    radar = tmp_path / "radar.json"
    radar.write_text(json.dumps({"query": "entanglement"}))
    env = {"EMBEDDING_PROVIDER": "openai"}  # incomplete: would fail if an embedder were built
    done = run("rank", "--radar", str(radar), "--papers", str(papers_file), env=env)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines
    assert all(line["kind"] == "keyword" and line["terms"] for line in lines)


@pytest.mark.parametrize(
    ("radar", "message"),
    [
        ({"seeds": ["arxiv:0000.00000"]}, "papers not in the papers file: ['arxiv:0000.00000']"),
        ({"query": "qubit AND (", "seeds": []}, "query: "),
        ({"seed": ["x"]}, "unknown keys ['seed']"),
        ({}, "no query, seeds, interest or feedback"),
    ],
)
def test_rank_names_what_is_wrong_with_a_radar(
    papers_file: Path, tmp_path: Path, radar: dict[str, Any], message: str
) -> None:
    path = tmp_path / "radar.json"
    path.write_text(json.dumps(radar))
    done = run("rank", "--radar", str(path), "--papers", str(papers_file))
    assert done.returncode == 2
    assert message in done.stderr
    assert not done.stdout


def test_match_handles_semantic_radars_as_the_matcher_does(
    papers_file: Path, tmp_path: Path, endpoint: ChatServer
) -> None:
    all_papers = papers(papers_file)
    seed = all_papers[0]["id"]
    radars = tmp_path / "radars.jsonl"
    radars.write_text(
        "\n".join(
            json.dumps(r)
            for r in (
                {"id": "words", "query": "entanglement"},
                {"id": "meaning", "seeds": [seed], "per_day": 3},
                {"id": "both", "query": "entanglement", "seeds": [seed], "threshold": -1.0},
                {"id": "broken", "seeds": ["arxiv:2699.00001"], "interest": ""},
            )
        )
        + "\n"
    )
    done = run(
        "match", "--radars", str(radars), "--papers", str(papers_file), env=endpoint_env(endpoint)
    )
    assert done.returncode == 1, done.stderr  # the broken radar is reported, the rest run
    assert "invalid radar" in done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_radar: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_radar.setdefault(line["radar_id"], []).append(line)
    # About three a day over the file's one day: the three nearest papers to the seed.
    meaning = by_radar["meaning"]
    assert len(meaning) == 3
    assert seed not in {m["paper_id"] for m in meaning}
    assert {m["score_kind"] for m in meaning} == {"similarity"}
    assert all(m["nearest"][0]["paper_id"] == seed for m in meaning)
    texts = {p["id"]: paper_text(Paper.model_validate(p)) for p in all_papers}
    vectors = dict(zip(texts, FAKE.embed(list(texts.values())), strict=True))
    nearest = sorted(
        (p for p in texts if p != seed), key=lambda p: -float(vectors[p] @ vectors[seed])
    )
    assert {m["paper_id"] for m in meaning} == set(nearest[:3])
    # With a query, its words decide which papers meaning may add; without a threshold
    # barrier, every entanglement paper but the seed.
    words = {m["paper_id"] for m in by_radar["words"]}
    assert {m["paper_id"] for m in by_radar["both"]} == words - {seed}
    assert all(m["terms"] for m in by_radar["both"])
