"""The paper gate: every field within the contract's bounds, as its table says, and every
event of a paper at its bounds under the broker's message size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from academichub.contracts import Paper, encode_event
from academichub.contracts.bounds import (
    AUTHORS_MAX_CHARS,
    MAX_EVENT_BYTES,
    PAPER_BOUNDS,
    TRUNCATION_MARKER,
)
from academichub.ingestor.domain.normalise.canonical import FieldRepair, finish_paper


def paper(**fields: Any) -> Paper:
    values: dict[str, Any] = {
        "id": "arxiv:2606.00001",
        "version": 1,
        "source": "arxiv",
        "title": "A title",
        "abstract": "An abstract.",
        "published": dt.date(2026, 6, 1),
    }
    return Paper(**(values | fields))


def test_a_paper_within_its_bounds_is_returned_as_it_is() -> None:
    given = paper(authors=("Ada Lovelace",), categories=("quant-ph",), url="https://arxiv.org/x")
    finished = finish_paper(given)
    assert finished.paper is given
    assert finished.repairs == ()


def test_long_texts_are_cut_at_a_word_with_the_marker() -> None:
    finished = finish_paper(paper(title="word " * 300, journal_ref="Phys. Rev. " * 200))
    assert finished.paper is not None
    title = finished.paper.title
    assert len(title) <= PAPER_BOUNDS["title"].limit
    assert title.endswith(" word" + TRUNCATION_MARKER)  # never half a word
    assert finished.paper.journal_ref is not None
    assert finished.paper.journal_ref.endswith(TRUNCATION_MARKER)
    assert FieldRepair("title", "truncated", 1) in finished.repairs


def test_a_text_without_spaces_is_cut_hard() -> None:
    finished = finish_paper(paper(abstract="x" * 30_000))
    assert finished.paper is not None
    assert finished.paper.abstract == "x" * (20_000 - len(TRUNCATION_MARKER)) + TRUNCATION_MARKER


def test_a_huge_author_list_is_cut_with_a_marker_saying_how_many_were_left_out() -> None:
    names = tuple(f"Author Number {i}" for i in range(12_000))
    finished = finish_paper(paper(authors=names))
    assert finished.paper is not None
    authors = finished.paper.authors
    assert len(authors) == PAPER_BOUNDS["authors"].limit
    assert authors[:3] == names[:3]  # order kept
    assert authors[-1] == f"et al. ({12_000 - 4_999} more)"
    assert FieldRepair("authors", "cut", 12_000 - 4_999) in finished.repairs


def test_author_names_are_cut_by_their_total_length_too() -> None:
    names = tuple(f"{i:05d}" + "n" * 290 for i in range(1_000))  # 295 characters each
    finished = finish_paper(paper(authors=names))
    assert finished.paper is not None
    authors = finished.paper.authors
    assert sum(map(len, authors)) <= AUTHORS_MAX_CHARS
    assert authors[-1] == f"et al. ({1_000 - len(authors) + 1} more)"


def test_one_long_name_is_truncated_in_place() -> None:
    finished = finish_paper(paper(authors=("Ada", "B" * 400, "Cy")))
    assert finished.paper is not None
    assert finished.paper.authors[0] == "Ada"
    assert len(finished.paper.authors[1]) == 300
    assert finished.paper.authors[2] == "Cy"


def test_categories_over_their_bounds_are_dropped_or_cut_without_a_marker() -> None:
    categories = ("quant-ph", "x" * 101, *(f"cat.{i}" for i in range(60)))
    finished = finish_paper(paper(categories=categories))
    assert finished.paper is not None
    assert finished.paper.categories[0] == "quant-ph"
    assert len(finished.paper.categories) == 50
    assert "x" * 101 not in finished.paper.categories
    assert FieldRepair("categories", "dropped", 1) in finished.repairs
    assert FieldRepair("categories", "cut", 11) in finished.repairs


@pytest.mark.parametrize("field", ["url", "pdf_url", "license", "doi"])
def test_a_field_that_cannot_be_cut_is_dropped(field: str) -> None:
    long = "https://example.org/" + "a" * 3_000
    value = "10.1234/" + "a" * 400 if field == "doi" else long
    finished = finish_paper(paper(**{field: value}))
    assert finished.paper is not None
    assert getattr(finished.paper, field) is None
    assert FieldRepair(field, "dropped", 1) in finished.repairs


def test_an_identifier_over_its_bound_skips_the_entry() -> None:
    finished = finish_paper(paper(id="doi:10.1234/" + "a" * 400, version=None))
    assert finished.paper is None
    assert finished.skipped == "id is 412 characters, over the bound of 300"


def test_a_title_of_nothing_but_control_characters_skips_the_entry() -> None:
    finished = finish_paper(paper(title="\u202e\x00"))
    assert finished.paper is None
    assert finished.skipped is not None
    assert "title" in finished.skipped


def test_a_paper_at_every_bound_in_four_byte_characters_fits_an_event() -> None:
    wide = "\U0001d4d0"  # 4 bytes in UTF-8, the most any character takes
    bounds = PAPER_BOUNDS
    worst = Paper.model_construct(
        schema_version=1,
        id="doi:10.1234/" + "a" * 288,
        version=None,
        source="journal:" + "a" * 92,
        announce_type=None,
        title=wide * bounds["title"].limit,
        abstract=wide * bounds["abstract"].limit,
        authors=(wide * 20,) * (AUTHORS_MAX_CHARS // 20),
        categories=(wide * 100,) * 50,
        published=dt.date(2026, 6, 1),
        doi=wide * 300,
        journal_ref=wide * 1_000,
        url=wide * 2_000,
        pdf_url=wide * 2_000,
        license=wide * 1_000,
    )
    assert len(encode_event(worst)) < MAX_EVENT_BYTES
