"""The one recipe for what text of a paper is embedded."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Paper
from academichub.embedding.text import MAX_CHARS, capped, interest_text, paper_text


def paper(title: str, abstract: str) -> Paper:
    return Paper(
        id="arxiv:2501.00001",
        version=1,
        source="arxiv",
        title=title,
        abstract=abstract,
        published=dt.date(2025, 1, 2),
    )


def test_title_and_abstract_make_one_sentence_with_whitespace_collapsed() -> None:
    text = paper_text(paper("Cat  codes\nfor qubits", "We show  $\\theta$\tscaling."))
    assert text == "Cat codes for qubits. We show $\\theta$ scaling."
    assert paper_text(paper("Why do cats purr?", "Because.")) == "Why do cats purr? Because."
    assert paper_text(paper("Only a title", "  ")) == "Only a title"


def test_long_text_is_cut_at_a_word_boundary_under_the_cap() -> None:
    text = paper_text(paper("Title", "word " * 1000))
    assert len(text) <= MAX_CHARS
    assert text.endswith("word")
    assert len(capped("x" * 5000)) == MAX_CHARS  # one overlong word is cut where it must


def test_interest_text_is_capped_and_flattened() -> None:
    assert interest_text("  bosonic\n cat codes ") == "bosonic cat codes"
    assert len(interest_text("量子 " * 3000)) <= MAX_CHARS
