"""Contribution sentences: the TL;DR is what the paper says it does, cut cleanly."""

from academichub.briefer.domain.contribution import claim, clip_clean, contribution, tldr
from academichub.briefer.domain.tex import tex_command_chars
from tests.unit.briefer.briefer_samples import paper


def test_the_stated_claim_wins_over_the_opening_sentence() -> None:
    p = paper(
        1,
        abstract=(
            "Topological codes are a leading candidate for fault tolerance. "
            "Decoders are slow. We propose a linear-time decoder for the toric code. "
            "It is fast."
        ),
    )
    assert contribution(p).sentence == "We propose a linear-time decoder for the toric code."
    assert contribution(p).strength == 3


def test_a_strong_claim_beats_a_description_of_what_was_done() -> None:
    p = paper(
        1,
        abstract=(
            "Background here. We use density functional theory for twelve compounds. "
            "We find that three of them are topological insulators."
        ),
    )
    assert tldr(p) == "We find that three of them are topological insulators."


def test_lead_ins_are_dropped_and_other_claim_forms_are_recognised() -> None:
    here = paper(1, abstract="Old ideas abound. In this paper, we present a new sampler for QCD.")
    assert tldr(here) == "We present a new sampler for QCD."
    this = paper(2, abstract="Context first. This paper develops a theory of bosonic codes.")
    assert tldr(this).startswith("This paper develops")
    ours = paper(3, abstract="Context first. Our results demonstrate a tenfold speed-up.")
    assert tldr(ours) == "Our results demonstrate a tenfold speed-up."


def test_without_a_claim_background_and_the_opening_lose() -> None:
    p = paper(
        1,
        abstract=(
            "Superconducting qubits have attracted much attention in recent years. "
            "Despite progress, coherence remains limited. "
            "Coherence times of 2 ms are reached with tantalum films on sapphire."
        ),
    )
    assert tldr(p).startswith("Coherence times of 2 ms")


def test_a_very_short_claim_is_joined_by_the_next_sentence() -> None:
    p = paper(1, abstract="Intro sentence here. We show this. It holds for every lattice size.")
    assert tldr(p) == "We show this. It holds for every lattice size."


def test_long_sentences_end_at_a_clause_and_never_inside_math() -> None:
    math = "$\\mathcal{O}(n \\log n + k^{2} \\sum_{i=1}^{n} w_i)$"
    sentence = (
        "We show that the algorithm runs in time " + math + " on every input graph, "
        "which improves the previous bound by a logarithmic factor for dense graphs "
        "and matches the lower bound of the cell-probe model for sparse graphs of "
        "bounded degree in every dimension we could test."
    )
    cut = tldr(paper(1, abstract="Intro here. " + sentence), limit=160)
    assert len(cut) <= 160
    assert cut.endswith("…")
    assert math in cut  # the math is whole
    assert cut.count("$") % 2 == 0
    assert clip_clean("a $x + y$ b", 6) in ("a…", "a $x + y$ b"[:6] + "…")
    assert "$x" not in clip_clean("aaaa bbbb $x + y + z$", 14)


def test_tex_outside_math_is_made_plain_math_is_kept() -> None:
    p = paper(1, abstract='Intro here. We show that \\emph{Schr\\"odinger} cats obey $\\hbar$.')
    text = tldr(p)
    assert text == "We show that Schrödinger cats obey $\\hbar$."
    assert tex_command_chars(text) == 0


def test_claims_read_in_the_third_person_after_a_title() -> None:
    assert claim(paper(1, abstract="Intro. We show that X holds for all Y.")) == (
        "shows that X holds for all Y"
    )
    assert claim(paper(2, abstract="Intro. We study cats in boxes with mirrors.")) == (
        "studies cats in boxes with mirrors"
    )
    assert claim(paper(3, abstract="Intro. Our results show many things at once.")) is None
    assert claim(paper(4, abstract="Intro. We show, surprisingly, that X is Y.")) is None
