import re

from academichub.briefer.extractive import summarise
from academichub.briefer.text import clip, split_sentences
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
        "We train graph neural networks as decoders for surface codes and show they "
        "outperform matching decoders on correlated errors."
    ),
    5: (
        "Biology is complicated. "
        "We transfer error correction ideas from surface codes to DNA storage and find "
        "that graph neural networks decode synthesis errors reliably."
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
    5: "Error correction for DNA storage with graph neural networks",
    6: "Lensing constraints on dark matter halos",
}


def window() -> list[Paper]:
    return [
        paper(n, title=TITLES[n], abstract=ABSTRACTS[n], categories=CATEGORIES[n])
        for n in sorted(ABSTRACTS)
    ]


def brief(papers: list[Paper], language: str = "en") -> Briefing:
    parts = summarise(
        papers, language=language, scores={p.id: 10.0 - i for i, p in enumerate(papers)}
    )  # type: ignore[arg-type]
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


def test_tldrs_pick_the_informative_sentence_not_the_first() -> None:
    b = brief(window())
    for tldr in b.tldrs:
        n = int(tldr.paper_id.rsplit(".", 1)[1])
        first = split_sentences(ABSTRACTS[n])[0]
        assert not tldr.tldr.startswith(first), (n, tldr.tldr)
        assert tldr.tldr.startswith(("We ", "Our results")), (n, tldr.tldr)


def test_cross_domain_connections_cite_papers_on_both_sides() -> None:
    b = brief(window())
    assert b.connections
    field_of = {p.id: p.categories[0].split(".")[0] for p in window()}
    for conn in b.connections:
        sides = {field_of[i] for i in conn.paper_ids}
        assert len(sides) >= 2, conn
        assert set(conn.fields) == sides
    assert any("graph neural network" in c.finding for c in b.connections)
    # The outlier shares nothing with anyone.
    assert all(pid(6) not in c.paper_ids for c in b.connections)


def test_themes_group_same_category_papers_and_name_shared_terms() -> None:
    b = brief(window())
    quantum = next(t for t in b.themes if pid(1) in t.paper_ids)
    assert {pid(1), pid(2)} <= set(quantum.paper_ids)
    assert "surface code" in quantum.title
    assert any(t.paper_ids == (pid(6),) for t in b.themes)


def test_a_large_category_is_split_into_themes_by_shared_terms() -> None:
    topics = [
        "photonic boson sampling with squeezed light",
        "trapped ion gates with laser pulses",
        "superconducting transmon qubit coherence",
    ]
    papers = [
        paper(
            10 * k + j,
            title=f"Study {j} of {topic}",
            abstract=f"Old background {k}{j}. We report progress on {topic} in setup {j}.",
        )
        for k, topic in enumerate(topics)
        for j in range(3)
    ]
    b = brief(papers)
    assert len(b.themes) == 3
    for k in range(3):
        group = {pid(10 * k + j) for j in range(3)}
        assert any(set(t.paper_ids) == group for t in b.themes), b.themes


def test_notable_papers_have_reasons_and_lead_with_the_best_match() -> None:
    b = brief(window())
    assert b.notable[0].paper_id == pid(1)
    assert "score 10.00" in b.notable[0].reason
    assert len(b.notable) == 3
    assert len({n.paper_id for n in b.notable}) == 3
    assert any("Spans several fields" in n.reason and n.paper_id == pid(4) for n in b.notable)


def test_overview_in_english_and_in_chinese() -> None:
    en = brief(window(), "en").overview
    assert en.startswith("6 papers across quant-ph (3)")
    assert "without a language model" in en
    zh = brief(window(), "zh").overview
    assert zh.startswith("本期共 6 篇论文")
    assert "未使用大语言模型" in zh
    assert re.search(r"[\u4e00-\u9fff]", brief(window(), "zh").themes[0].synthesis)


def test_it_is_deterministic() -> None:
    assert brief(window()) == brief(window())


def test_an_empty_window_gets_an_overview_only() -> None:
    parts = summarise([], language="en")
    assert parts.overview
    assert not parts.has_cited_content()


def test_a_paper_without_abstract_gets_its_title_as_tldr() -> None:
    p = paper(1, title="Only a title", abstract=" ")
    (tldr,) = summarise([p], language="en").tldrs
    assert tldr.tldr == "Only a title"


def test_sentences_are_not_split_at_abbreviations_initials_or_decimals() -> None:
    text = (
        "We show, e.g. in Fig. 2, that $\\theta=0.5$ works. J. Smith et al. (2020) "
        "disagree! Does it hold? 结果很好。"
    )
    assert split_sentences(text) == [
        "We show, e.g. in Fig. 2, that $\\theta=0.5$ works.",
        "J. Smith et al. (2020) disagree!",
        "Does it hold?",
        "结果很好。",
    ]


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    assert clip("hello wonderful world of science", 20) == "hello wonderful…"


def test_papers_sharing_no_topic_are_not_titled_as_a_theme() -> None:
    topics = ["photonic boson sampling", "trapped ion gates"]
    papers = [
        paper(
            10 * k + j,
            title=f"Study {j} of {topic}",
            abstract=f"Old background {k}{j}. We report progress on {topic} in setup {j}.",
        )
        for k, topic in enumerate(topics)
        for j in range(3)
    ]
    loners = [
        paper(90, title="Rydberg blockade clocks", abstract="We time Rydberg blockade clocks."),
        paper(91, title="Magnon cavity readout", abstract="We read magnon cavities out."),
    ]
    b = brief(papers + loners)
    rest = next(t for t in b.themes if pid(90) in t.paper_ids)
    assert set(rest.paper_ids) == {pid(90), pid(91)}
    assert rest.title == "quant-ph: other papers"
    assert rest.synthesis.startswith("2 more papers on smaller topics")
    assert b.themes[-1] == rest  # after the real themes
    zh = brief(papers + loners, "zh")
    assert zh.themes[-1].title == "quant-ph：其他论文"


def test_tldrs_pass_over_background_sentences() -> None:
    abstract = (
        "Despite decades of effort, scalable error correction has remained a major "
        "challenge for surface code hardware with lattice surgery. "
        "Lattice surgery schedules for surface code patches are compiled by a new router."
    )
    (tldr,) = brief([paper(1, abstract=abstract)]).tldrs
    assert tldr.tldr.startswith("Lattice surgery schedules")


def test_group_papers_gives_the_extractive_themes_as_groups() -> None:
    from academichub.briefer.extractive import group_papers, paper_tldrs

    papers = window()
    groups = group_papers(papers, language="en", max_groups=3)
    assert len(groups) <= 3
    assert sorted(i for g in groups for i in g.paper_ids) == sorted(p.id for p in papers)
    assert set(paper_tldrs(papers)) == {p.id for p in papers}
