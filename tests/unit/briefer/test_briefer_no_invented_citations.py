"""Contract: a published briefing names no paper outside its window, in any field.

A lying model writes invented ids into every string field of every answer -- overviews,
titles, syntheses, findings, a connection's fields, reasons, TL;DRs, and the id lists --
for every task (TL;DRs, direct briefing, staged themes and synthesis). Whatever survives
into the briefing is then searched, field by field, for any arXiv id or DOI: each one found
must be a paper of the window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.model import ChatRequest, ModelRejected, ScriptedChatModel
from academichub.briefer.domain.synthesis import SynthesisLimits
from academichub.briefer.metrics import BrieferMetrics
from academichub.contracts import Briefing
from tests.unit.briefer.briefer_samples import (
    make_composer,
    paper,
    pid,
    radar,
    sample,
    well_behaved,
)

INVENTED = "arxiv:9999.99999"
# Every way a model spells a paper it should not cite.
MENTION = (
    f" (see {INVENTED}, doi:10.9999/invented.1, 2101.00001v2, "
    "https://arxiv.org/abs/1706.03762v5, arXiv: hep-th/9901001)"
)
ANY_ID_RE = re.compile(
    r"(?<![\w.])\d{4}\.\d{4,5}(?!\d)|10\.\d{4,9}/[^\s,;)\]]+|[a-z][a-z.-]*/\d{7}", re.IGNORECASE
)


def lie(value: Any, key: str = "") -> Any:
    """``value`` with invented ids written into every string field and id list."""
    if isinstance(value, dict):
        return {k: lie(v, k) for k, v in value.items()}
    if isinstance(value, list):
        lied = [lie(item, key) for item in value]
        if key == "paper_ids":
            lied += [INVENTED, "doi:10.9999/invented.2"]
        return lied
    if isinstance(value, str):
        return value if key == "paper_id" else value + MENTION
    return value


def lying(request: ChatRequest) -> dict[str, Any]:
    answer = lie(well_behaved(request))
    ids = list(request.paper_ids)
    if "notable" in answer:
        answer["notable"].append({"paper_id": INVENTED, "reason": "Famous" + MENTION})
    if "connections" in answer and len(ids) >= 2:
        answer["connections"].append(
            {
                "finding": "Decoders meet surgery" + MENTION,
                "fields": ["quant-ph" + MENTION, INVENTED, "see doi:10.9999/invented.3"],
                "paper_ids": [ids[0], ids[-1], INVENTED],
            }
        )
    if "summaries" in answer:
        answer["summaries"].append(
            {"paper_id": INVENTED, "tldr_en": "Invented" + MENTION, "tldr_zh": "编造" + MENTION}
        )
    return answer


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{path}[{i}]")


def outside_ids(briefing: Briefing) -> list[tuple[str, str]]:
    """(field, id) for every id named anywhere in the briefing that is not in its window."""
    window = {i.split(":", 1)[1].lower() for i in briefing.paper_ids}
    found = []
    for path, text in strings(briefing.model_dump(mode="json")):
        for m in ANY_ID_RE.finditer(text):
            if m.group(0).lower() not in window:
                found.append((path, m.group(0)))
    return found


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("staged", [False, True], ids=["direct", "staged"])
async def test_a_lying_model_gets_no_invented_id_into_any_field(
    language: str, staged: bool
) -> None:
    metrics = BrieferMetrics(CollectorRegistry())
    composer = make_composer(
        ScriptedChatModel(repeat=lying),
        metrics=metrics,
        limits=SynthesisLimits(staged_above=3) if staged else None,
    )
    papers = [paper(n, categories=("quant-ph",) if n % 2 else ("cs.LG",)) for n in range(1, 7)]

    composed = await composer.compose(papers, radar=radar(language=language), window=1)

    briefing = composed.briefing
    assert briefing.provider == "openai", briefing.degraded_reason  # the model's briefing
    assert briefing.connections, "the connection with fields survived, cleaned"
    assert outside_ids(briefing) == []
    text = json.dumps(briefing.model_dump(mode="json"), ensure_ascii=False)
    for invented in ("9999.99999", "invented", "2101.00001", "1706.03762", "9901001"):
        assert invented not in text
    assert sample(metrics, "citations_rejected_total", reason="in_text_outside_window") > 0
    assert sample(metrics, "citations_rejected_total", reason="outside_window") > 0


async def test_an_extractive_briefing_quoting_another_papers_id_drops_the_id() -> None:
    quoting = paper(
        1,
        abstract="We extend the decoder of arXiv:2101.00001 to lattice surgery. "
        "Surface codes reach threshold with it.",
    )
    composed = await make_composer(None).compose([quoting, paper(2)], radar=radar(), window=1)

    assert composed.briefing.provider == "extractive"
    assert outside_ids(composed.briefing) == []


async def test_an_endpoints_message_in_the_degraded_reason_cites_nothing_either() -> None:
    model = ScriptedChatModel(repeat=ModelRejected(f"HTTP 400: unknown paper {INVENTED}"))
    composed = await make_composer(model).compose([paper(1), paper(2)], radar=radar(), window=1)

    briefing = composed.briefing
    assert briefing.degraded
    assert briefing.degraded_reason is not None
    assert "HTTP 400: unknown paper" in briefing.degraded_reason
    assert outside_ids(briefing) == []


def test_the_window_papers_own_ids_are_kept_wherever_they_are_named() -> None:
    briefing = Briefing(
        id="r1.w1",
        radar_id="r1",
        window=1,
        language="en",
        provider="openai",
        overview=f"Both {pid(1)} and {pid(2)} agree.",
        paper_ids=(pid(1), pid(2)),
        window_opened_at="2026-06-12T08:00:00Z",  # type: ignore[arg-type]
        window_closed_at="2026-06-12T08:00:00Z",  # type: ignore[arg-type]
        created_at="2026-06-12T08:00:00Z",  # type: ignore[arg-type]
    )
    assert outside_ids(briefing) == []
