"""The extractive briefer: themes by meaning, named by keyphrases, contribution TL;DRs."""

import re

import numpy as np

from academichub.briefer.domain.corpus import CorpusCounts
from academichub.briefer.domain.extractive import candidate_keys, plan_window, summarise
from academichub.briefer.domain.keyphrases import is_filler, phrase_key
from academichub.briefer.domain.text import split_sentences
from academichub.briefer.domain.vectors import WindowVectors
from academichub.contracts import Briefing, Paper
from tests.unit.briefer.briefer_samples import paper, pid

# A window as a radar on "error correction" might collect: three quant-ph papers, a
# cs.LG paper on learned decoders, a q-bio paper that borrows the idea, and one outlier.
ABSTRACTS = {
    1: (
        "Quantum computers are a promising technology. "
        "We show that lattice surgery on surface codes lowers the logical error rate "
        "below the threshold with fewer physical qubits. "
        "Experiments are left for future work."
    ),
    2: (
        "Noise is ubiquitous in experiments. "
        "We demonstrate a surface code decoder that corrects correlated errors, "
        "reaching a logical error rate of $10^{-6}$ for lattice surgery. "
        "This matters."
    ),
    3: (
        "Many approaches exist. "
        "Our results show that magic state distillation combined with surface codes "
        "reduces the overhead of fault tolerant gates."
    ),
    4: (
        "Machine learning has been applied widely. "
        "We train graph neural network decoders for surface codes and show they "
        "outperform matching decoders on correlated errors."
    ),
    5: (
        "Biology is complicated. "
        "We transfer error correction ideas from surface codes to DNA storage and find "
        "that graph neural network decoders handle synthesis errors reliably."
    ),
    6: (
        "Cosmology is old. "
        "We measure galaxy cluster lensing to constrain dark matter halo profiles."
    ),
}
CATEGORIES = {
    1: ("quant-ph",),
    2: ("quant-ph",),
    3: ("quant-ph",),
    4: ("cs.LG", "quant-ph"),
    5: ("q-bio.GN",),
    6: ("astro-ph.CO",),
}
TITLES = {
    1: "Lattice surgery with fewer qubits",
    2: "Decoding correlated errors in surface codes",
    3: "Cheaper magic state distillation",
    4: "Graph neural network decoders for surface codes",
    5: "Error correction for DNA storage with graph neural network decoders",
    6: "Lensing constraints on dark matter halos",
}


def window() -> list[Paper]:
    return [
        paper(n, title=TITLES[n], abstract=ABSTRACTS[n], categories=CATEGORIES[n])
        for n in sorted(ABSTRACTS)
    ]


def unit(rows: list[list[float]]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


# Hand-made meaning: 1-3 surface codes, 4-5 learned decoders, 6 cosmology.
VECTORS = WindowVectors(
    "hand-made",
    unit(
        [
            [1.0, 0.1, 0.0, 0.0],
            [0.9, 0.2, 0.0, 0.0],
            [0.95, 0.1, 0.1, 0.0],
            [0.2, 1.0, 0.0, 0.0],
            [0.1, 0.95, 0.1, 0.0],
            [0.0, 0.0, 0.1, 1.0],
        ]
    ),
    0.5,
)


def brief(
    papers: list[Paper], language: str = "en", vectors: WindowVectors | None = VECTORS
) -> Briefing:
    parts = summarise(
        papers,
        language=language,  # type: ignore[arg-type]
        scores={p.id: 10.0 - i for i, p in enumerate(papers)},
        vectors=vectors,
    )
    return Briefing(
        id="r1.w1",
        radar_id="r1",
        window=1,
        language=language,  # type: ignore[arg-type]
        provider="extractive",
        overview=parts.overview,
        themes=parts.themes,
        connections=parts.connections,
        notable=parts.notable,
        tldrs=parts.tldrs,
        paper_ids=tuple(p.id for p in papers),
        window_opened_at="2026-06-12T08:00:00Z",  # type: ignore[arg-type]
        window_closed_at="2026-06-12T09:00:00Z",  # type: ignore[arg-type]
        created_at="2026-06-12T09:00:00Z",  # type: ignore[arg-type]
    )


def cited(b: Briefing) -> set[str]:
    ids = {i for t in b.themes for i in t.paper_ids}
    ids |= {i for c in b.connections for i in c.paper_ids}
    ids |= {n.paper_id for n in b.notable} | {t.paper_id for t in b.tldrs}
    return ids


def test_it_cites_only_window_papers_and_covers_every_paper() -> None:
    papers = window()
    b = brief(papers)  # the Briefing contract itself refuses outside citations
    assert cited(b) <= set(b.paper_ids)
    assert [t.paper_id for t in b.tldrs] == [p.id for p in papers]
    assert {i for t in b.themes for i in t.paper_ids} == set(b.paper_ids)


def test_tldrs_are_the_contribution_sentence_not_the_first() -> None:
    b = brief(window())
    for tldr in b.tldrs:
        n = int(tldr.paper_id.rsplit(".", 1)[1])
        first = split_sentences(ABSTRACTS[n])[0]
        assert not tldr.tldr.startswith(first), (n, tldr.tldr)
        assert tldr.tldr.startswith(("We ", "Our results")), (n, tldr.tldr)
    assert "$10^{-6}$" in next(t.tldr for t in b.tldrs if t.paper_id == pid(2))


def test_themes_follow_the_vectors_not_the_categories() -> None:
    b = brief(window())
    groups = {frozenset(t.paper_ids) for t in b.themes}
    assert frozenset({pid(1), pid(2), pid(3)}) in groups
    # Different categories, same meaning: one theme.
    assert frozenset({pid(4), pid(5)}) in groups
    assert b.themes[-1].title == "Other papers"
    assert b.themes[-1].paper_ids == (pid(6),)


def test_themes_are_named_by_shared_multi_word_keyphrases_without_filler() -> None:
    b = brief(window())
    codes = next(t for t in b.themes if pid(1) in t.paper_ids)
    assert codes.title.startswith("Quantum Physics: ")
    assert "lattice surgery" in codes.title or "surface code" in codes.title
    learned = next(t for t in b.themes if pid(4) in t.paper_ids)
    assert "graph neural network decoders" in learned.title
    plan = plan_window(window(), vectors=VECTORS)
    for theme in plan.themes:
        for phrase in theme.keyphrases:
            assert len(phrase.split()) >= 2, phrase
            assert not any(is_filler(w) for w in phrase.split()), phrase


def test_a_theme_synthesis_is_one_sentence_from_its_papers_contributions() -> None:
    b = brief(window())
    codes = next(t for t in b.themes if pid(1) in t.paper_ids)
    assert codes.synthesis.startswith("3 papers on ")
    # The papers' own claims, turned to the third person after their titles.
    assert "“Lattice surgery with fewer qubits” shows that lattice surgery" in codes.synthesis
    assert len(split_sentences(codes.synthesis)) == 1


def test_a_themes_papers_are_ranked_by_the_radars_score() -> None:
    papers = window()
    scores = {pid(1): 0.2, pid(2): 0.9, pid(3): 0.5, pid(4): 1.0, pid(5): 0.1, pid(6): 0.3}
    plan = plan_window(papers, scores=scores, vectors=VECTORS)
    codes = next(t for t in plan.themes if pid(1) in t.paper_ids)
    assert codes.paper_ids == (pid(2), pid(3), pid(1))


def test_store_statistics_decide_which_phrase_is_distinctive() -> None:
    papers = window()
    keys = candidate_keys(papers)
    surgery, code = phrase_key("lattice surgery"), phrase_key("surface codes")
    assert surgery in keys
    assert code in keys
    usual = dict.fromkeys(keys, 500)
    # In a store where "lattice surgery" is everywhere, it names nothing.
    common = CorpusCounts(10_000, {**usual, surgery: 4_000}, "store")
    plan = plan_window(papers, vectors=VECTORS, corpus=common)
    theme = next(t for t in plan.themes if pid(1) in t.paper_ids)
    assert "lattice surgery" not in theme.keyphrases
    rare = CorpusCounts(10_000, {**usual, surgery: 3}, "store")
    plan = plan_window(papers, vectors=VECTORS, corpus=rare)
    theme = next(t for t in plan.themes if pid(1) in t.paper_ids)
    assert theme.keyphrases[0] == "lattice surgery"


def test_without_vectors_it_falls_back_to_tfidf_and_says_so() -> None:
    b = brief(window(), vectors=None)
    assert "TF-IDF" in b.overview
    assert "hand-made embeddings" in brief(window()).overview
    zh = brief(window(), "zh", vectors=None)
    assert "TF-IDF" in zh.overview
    assert "暂无语义向量" in zh.overview


def test_vectors_of_another_window_are_not_used() -> None:
    papers = window()[:3]  # VECTORS has six rows: they cannot be these papers'
    plan = plan_window(papers, vectors=VECTORS)
    assert plan.space == "tf-idf"


def test_notable_papers_have_reasons_and_lead_with_the_best_match() -> None:
    b = brief(window())
    assert b.notable[0].paper_id == pid(1)
    assert b.notable[0].reason.startswith("Best match for this radar (score 10.00)")
    assert len(b.notable) == 3
    assert len({n.paper_id for n in b.notable}) == 3


def test_overview_in_english_and_in_chinese() -> None:
    en = brief(window(), "en").overview
    assert en.startswith("6 papers across Quantum Physics (3)")
    assert "without a language model" in en
    zh = brief(window(), "zh")
    assert zh.overview.startswith("本期共 6 篇论文，来自量子物理（3 篇）")
    assert "未使用大语言模型" in zh.overview
    assert re.search(r"[\u4e00-\u9fff]", zh.themes[0].synthesis)


def test_it_is_deterministic() -> None:
    assert brief(window()) == brief(window())
    assert brief(window(), vectors=None) == brief(window(), vectors=None)


def test_an_empty_window_gets_an_overview_only() -> None:
    parts = summarise([], language="en")
    assert parts.overview
    assert not parts.has_cited_content()


def test_a_paper_without_abstract_gets_its_title_as_tldr() -> None:
    p = paper(1, title="Only a title", abstract=" ")
    (tldr,) = summarise([p], language="en").tldrs
    assert tldr.tldr == "Only a title"


def test_quoted_text_names_no_paper_outside_the_window() -> None:
    p = paper(
        1,
        abstract="Background. We show that the bound of arXiv:2101.00001 holds for surface codes.",
    )
    (tldr,) = summarise([p], language="en").tldrs
    assert "2101.00001" not in tldr.tldr
    assert tldr.tldr.startswith("We show that the bound of")


def test_tex_outside_math_never_reaches_the_briefing() -> None:
    p = paper(
        1,
        title='Schr\\"odinger cat states',
        abstract='Background. We show that \\emph{Schr\\"odinger} cat states with $\\alpha$ live.',
    )
    parts = summarise([p], language="en")
    texts = [parts.overview, *(t.title for t in parts.themes), *(t.tldr for t in parts.tldrs)]
    assert not any(re.search(r"\\[A-Za-z\"]", t.replace("$\\alpha$", "")) for t in texts), texts
    assert "Schrödinger cat states with $\\alpha$" in parts.tldrs[0].tldr
