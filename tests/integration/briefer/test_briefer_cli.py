"""``academichub brief`` over the recorded quant-ph feed: extractive in both languages,
and through a real OpenAI-compatible server on 127.0.0.1. One case runs the installed
command; the others call its ``main`` in this process (same code, no start-up cost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.cli.main import main
from academichub.contracts import Briefing
from academichub.ingestor.formats.registry import FORMATS
from tests.conftest import QUANT_PH_RSS
from tests.integration.briefer.chat_server import serve_chat, well_behaved

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    return subprocess.run(
        [ACADEMICHUB, *args], capture_output=True, text=True, timeout=60, env={**clean, **env}
    )


def in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFER_")):
            monkeypatch.delenv(name)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brief") / "papers.jsonl"
    parsed = FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers
    path.write_text("".join(p.model_dump_json() + "\n" for p in parsed))
    return path


def ids_in(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_the_installed_command_prints_an_extractive_briefing(papers: Path) -> None:
    done = run("brief", "--papers", str(papers), "--language", "en")
    assert done.returncode == 0, done.stderr
    b = Briefing.model_validate_json(done.stdout)  # the contract checks every citation
    assert (b.provider, b.degraded, b.language) == ("extractive", False, "en")
    assert list(b.paper_ids) == ids_in(papers)  # file order is match order
    assert len(b.tldrs) == 81
    assert b.themes
    assert b.connections
    assert b.notable[0].paper_id == b.paper_ids[0]
    assert "81 papers briefed, 0 omitted, by extractive" in done.stderr


def test_a_chinese_extractive_briefing(
    papers: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = in_process(
        capsys, monkeypatch, "brief", "--papers", str(papers), "--language", "zh"
    )
    assert code == 0
    b = Briefing.model_validate_json(out)
    assert (b.provider, b.language) == ("extractive", "zh")
    assert b.overview.startswith("本期共 81 篇论文")
    assert "本期" in out  # printed as UTF-8 text, not \u escapes


def test_a_model_briefing_through_an_openai_compatible_server(
    papers: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_chat() as server:
        server.responder = well_behaved
        code, out, err = in_process(
            capsys,
            monkeypatch,
            "brief",
            "--papers",
            str(papers),
            "--language",
            "zh",
            "--base-url",
            server.base_url,
            "--model",
            "local-model",
        )
    assert code == 0, err
    b = Briefing.model_validate_json(out)
    assert (b.provider, b.model, b.degraded) == ("openai", "served-model", False)
    assert b.tldrs[0].tldr == f"{b.paper_ids[0]} 的模型摘要。"
    # 81 papers: summarised in batches, then briefed in stages (the outline's themes a few
    # a request, then the synthesis).
    tasks = server.tasks()
    assert tasks.count("paper_summaries") == 11
    assert 1 <= tasks.count("themes") <= 2
    assert tasks[-1] == "briefing_synthesis"
    assert {r["model"] for r in server.requests} == {"local-model"}
    assert set(b.paper_ids) | set(b.omitted_paper_ids) == set(ids_in(papers))


def test_unusable_input_is_refused(
    papers: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "none.jsonl"
    code, _, err = in_process(
        capsys, monkeypatch, "brief", "--papers", str(missing), "--language", "en"
    )
    assert (code, "none.jsonl" in err) == (2, True)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    code, _, err = in_process(
        capsys, monkeypatch, "brief", "--papers", str(empty), "--language", "en"
    )
    assert (code, "no papers" in err) == (2, True)
    code, _, err = in_process(
        capsys,
        monkeypatch,
        "brief",
        "--papers",
        str(papers),
        "--language",
        "en",
        "--base-url",
        "localhost:1",
    )
    assert code == 2
    assert "must be an http(s) URL" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text(papers.read_text().splitlines()[0] + "\n{oops\n")
    code, out, err = in_process(
        capsys, monkeypatch, "brief", "--papers", str(broken), "--language", "en"
    )
    assert code == 1  # briefed what it could, and said what it skipped
    assert "broken.jsonl:2: not JSON" in err
    assert len(Briefing.model_validate_json(out).paper_ids) == 1
