"""Seed papers as people give them: ids, arXiv ids, DOIs, links, BibTeX and RIS exports."""

from __future__ import annotations

import datetime as dt

from academichub.gateway.domain.meaning_query import split_meaning
from academichub.gateway.domain.seeds import (
    looks_like_references,
    read_references,
    read_seed_entries,
)
from academichub.gateway.radar_service import ratings_of
from academichub.store.accounts import Feedback


def ids(entries: list[str]) -> list[tuple[str, ...]]:
    return [c.paper_ids for c in read_seed_entries(entries).candidates]


def test_entries_in_every_spelling() -> None:
    assert ids(["arxiv:2504.17830, 2504.17830v2; hep-th/9901001"]) == [
        ("arxiv:2504.17830",),
        ("arxiv:2504.17830",),
        ("arxiv:hep-th/9901001",),
    ]
    assert ids(["https://arxiv.org/pdf/2504.17830v3", "https://doi.org/10.1000/ABC"]) == [
        ("arxiv:2504.17830",),
        ("doi:10.1000/abc",),
    ]
    reading = read_seed_entries(["doi:10.1101/2023.12.16.571984", "not-a-paper"])
    assert [c.doi for c in reading.candidates] == ["10.1101/2023.12.16.571984"]
    assert reading.problems == ["'not-a-paper' is no paper id, arXiv id, DOI or link to one"]


def test_a_bibtex_export() -> None:
    text = """
@article{cats, title = {Bosonic {cat} codes},
  doi = {10.1103/PhysRevX.9.041053}, eprint = {1904.09474}, archivePrefix = {arXiv}}
@misc{link, title = {Only a link}, url = {https://arxiv.org/abs/2504.17830v2}}
@book{none, title = {No identifier}}
@article{broken, title = {unterminated
"""
    assert looks_like_references(text)
    reading = read_references(text)
    assert [c.paper_ids for c in reading.candidates] == [
        ("arxiv:1904.09474", "doi:10.1103/physrevx.9.041053"),
        ("arxiv:2504.17830",),
    ]
    assert reading.candidates[0].given == "@article{cats} (Bosonic {cat} codes)"
    assert "@book{none} (No identifier) has no DOI or arXiv id" in reading.problems
    assert any("could not be read" in p for p in reading.problems)


def test_a_ris_export() -> None:
    text = (
        "TY  - JOUR\nTI  - Bosonic cat codes\nDO  - 10.1103/PhysRevX.9.041053\n"
        "UR  - https://arxiv.org/abs/1904.09474\nER  - \n"
        "TY  - BOOK\nTI  - Nothing to find\nER  - \n"
    )
    assert looks_like_references(text)
    reading = read_references(text)
    assert [c.paper_ids for c in reading.candidates] == [
        ("arxiv:1904.09474", "doi:10.1103/physrevx.9.041053")
    ]
    assert reading.problems == ["RIS record 2 (Nothing to find) has no DOI or arXiv id"]
    assert not looks_like_references("2504.17830 10.1000/abc")
    assert read_references("just words").problems


def test_the_newest_verdict_of_each_paper_counts() -> None:
    at = dt.datetime(2026, 6, 12, tzinfo=dt.UTC)
    given = [
        Feedback("r", "arxiv:2606.00001", "u1", "up", at),
        Feedback("r", "arxiv:2606.00001", "u2", "down", at + dt.timedelta(minutes=1)),
        Feedback("r", "arxiv:2606.00002", "u1", "up", at),
    ]
    assert ratings_of(given) == (("arxiv:2606.00002",), ("arxiv:2606.00001",))
    assert ratings_of([]) == ((), ())


def test_meaning_is_read_out_of_a_search() -> None:
    split = split_meaning('~"bosonic codes" cat:quant-ph -survey')
    assert (split.meaning, split.rest) == ("bosonic codes", "cat:quant-ph -survey")
    assert split_meaning("plain words").meaning is None
    assert split_meaning('a ~"x" b ~"y"').meaning == "x y"
