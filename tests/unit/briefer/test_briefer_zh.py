"""Chinese briefings in Chinese: field names, numbers and structure; English keyphrases
marked as such."""

import re

import pytest

from academichub.bench.corpus import recorded_papers
from academichub.briefer.domain.extractive import plan_window, render
from academichub.briefer.domain.field_names import FIELD_NAMES, field_name
from academichub.briefer.domain.fields import paper_field, primary_category
from tests.unit.briefer.test_briefer_extractive import VECTORS, window

_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("quant-ph", "量子物理", "Quantum Physics"),
        ("cs.CV", "计算机视觉与模式识别", "Computer Vision and Pattern Recognition"),
        ("cs", "计算机科学", "Computer Science"),
        ("cond-mat.str-el", "强关联电子", "Strongly Correlated Electrons"),
        ("astro-ph.CO", "宇宙学与河外天体物理", "Cosmology and Nongalactic Astrophysics"),
        ("Genomics", "基因组学", "Genomics"),
        (
            "Infectious Diseases (except HIV/AIDS)",
            "传染病学（艾滋病除外）",
            "Infectious Diseases (except HIV/AIDS)",
        ),
        ("Neuroscience", "神经科学", "Neuroscience"),
    ],
)
def test_fields_have_chinese_and_english_names(code: str, zh: str, en: str) -> None:
    assert field_name(code, "zh") == zh
    assert field_name(code, "en") == en


def test_unknown_fields_are_shown_as_they_are_journals_by_name() -> None:
    assert field_name("xyz.AB", "zh") == "xyz.AB"
    assert field_name("journal:nature", "zh") == "Nature"


def test_every_category_of_the_recorded_feeds_and_every_archive_is_named_in_chinese() -> None:
    papers = recorded_papers()
    codes = {c for p in papers for c in p.categories} | {paper_field(p) for p in papers}
    missing = sorted(c for c in codes if c.lower() not in FIELD_NAMES)
    assert missing == []
    assert all(
        _HAN.search(zh)
        for _, zh in FIELD_NAMES.values()
        if zh not in ("arXiv", "bioRxiv", "medRxiv")
    )


def test_a_chinese_briefing_is_structured_in_chinese() -> None:
    papers = window()
    parts = render(plan_window(papers, vectors=VECTORS), "zh")
    assert parts.overview.startswith("本期共 6 篇论文，来自量子物理（3 篇）")
    assert "归纳为 2 个主题" in parts.overview
    codes = next(t for t in parts.themes if papers[0].id in t.paper_ids)
    assert codes.title.startswith("量子物理：")
    # English keyphrases say what they are.
    assert codes.title.endswith("（英文关键词）")
    assert codes.synthesis.startswith("3 篇论文围绕 ")
    assert "《Lattice surgery with fewer qubits》" in codes.synthesis
    assert parts.themes[-1].title == "其他论文"
    # No English framing: English words only inside quotes, titles and keyphrases.
    framing = re.sub(r"“[^”]*”|《[^》]*》|[A-Za-z][A-Za-z -]*（英文关键词）", "", codes.synthesis)
    assert not re.search(r"\b(papers?|and|on|more)\b", framing), framing
    for notable in parts.notable:
        assert _HAN.search(notable.reason.split("原文")[0])


def test_a_chinese_connection_names_both_fields_in_chinese() -> None:
    from tests.unit.briefer.test_briefer_connections import pair, plan
    from tests.unit.briefer.test_briefer_connections import window as pair_window

    papers = pair_window(("quant-ph",), ("q-bio.GN",), "graph neural network decoders")
    (conn,) = render(plan(papers, pair(0.8)), "zh").connections
    assert conn.finding.startswith("量子物理的《")
    assert "基因组学的《" in conn.finding
    assert "graph neural network decoders（英文关键词）" in conn.finding
    assert "语义相似度 0.80" in conn.finding
    assert primary_category(papers[1]) == "q-bio.GN"
