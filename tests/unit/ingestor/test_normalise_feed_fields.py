"""The normalisation rules the non-RSS formats added: names, DOIs, sources, dates, references."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.ingestor.domain.normalise import (
    date_from_parts,
    doi_from_identifier,
    forenames_first,
    journal_reference,
    journal_slug,
    journal_source,
    parse_partial_date,
    preprint_server,
    split_semicolon_authors,
    split_surname_initials,
)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "LAPALU, N., SIMON, A., Lu, A., Plaumann, P.-L., O'Connell, R. J.",
            ("LAPALU, N.", "SIMON, A.", "Lu, A.", "Plaumann, P.-L.", "O'Connell, R. J."),
        ),
        # A capitalised surname is no initial; neither is a two-letter surname without a dot.
        ("LI, X., Wu, Y.", ("LI, X.", "Wu, Y.")),
        ("Smith, Th., Öztürk, Ö.", ("Smith, Th.", "Öztürk, Ö.")),
        # A name with no initials after it (a consortium) stands alone.
        ("Doe, J., The COVID Consortium, Roe, R.", ("Doe, J.", "The COVID Consortium", "Roe, R.")),
        ("  Martinez-Ortiz, C.  ", ("Martinez-Ortiz, C.",)),
        ("", ()),
    ],
)
def test_split_surname_initials(text: str, names: tuple[str, ...]) -> None:
    assert split_surname_initials(text) == names


def test_split_semicolon_authors() -> None:
    assert split_semicolon_authors("Ghafari, T.; Quinn, A. J.;  ;Jensen, O.") == (
        "Ghafari, T.",
        "Quinn, A. J.",
        "Jensen, O.",
    )


def test_forenames_first() -> None:
    assert forenames_first("Hoehn", "Philipp A") == "Philipp A Hoehn"
    assert forenames_first(r"G\"unther", "Jakob", "Jr") == "Jakob Günther Jr"
    assert forenames_first("Collaboration") == "Collaboration"


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("10.1101/287102", "10.1101/287102"),
        ("doi:10.1101/287102", "10.1101/287102"),
        ("DOI: 10.3390/IJMS25010001", "10.3390/ijms25010001"),
        ("info:doi/10.1126/science.abj4606", "10.1126/science.abj4606"),
        ("urn:doi:10.1000/X", "10.1000/x"),
        ("https://doi.org/10.1000/X.", "10.1000/x"),
        ("http://dx.doi.org/10.1000/x", "10.1000/x"),
        ("https://doi.org/10.1000%2Fx", "10.1000/x"),
        ("  doi:10.1000/x \n", "10.1000/x"),
        ("hwp:resource-id:sci;372/6544/769", None),
        ("https://www.example.org/10.1000/x", None),
        ("see doi:10.1000/x", None),
        ("10.12/too-short-prefix", None),
    ],
)
def test_doi_from_identifier(value: str, doi: str | None) -> None:
    assert doi_from_identifier(value) == doi


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Science", "science"),
        ("PLoS ONE", "plos-one"),
        ("Nature Reviews: Drug Discovery", "nature-reviews-drug-discovery"),
        ("Revista Española de Cardiología", "revista-espanola-de-cardiologia"),
        ("Science & Society", "science-and-society"),
        ("  --  ", ""),
        (
            "Proceedings of the 2022 IEEE International Conference on Software Testing, "
            "Verification and Validation Workshops",
            "proceedings-of-the-2022-ieee-international-conference-on",
        ),
    ],
)
def test_journal_slug(name: str, slug: str) -> None:
    assert journal_slug(name) == slug
    assert len(slug) <= 60


def test_journal_source() -> None:
    assert journal_source("Physical Review Letters") == "journal:physical-review-letters"
    assert journal_source("???") is None


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("bioRxiv", "biorxiv"),
        ("medrxiv", "medrxiv"),
        ("http://connect.medrxiv.org/cgi/x", "medrxiv"),
        ("https://www.biorxiv.org/content/10.1101/1v1", "biorxiv"),
        ("arxiv", None),
        ("notbiorxivreally", None),
    ],
)
def test_preprint_server(text: str, server: str | None) -> None:
    assert preprint_server(text) == server


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2021-05-20T10:40:55-07:00", dt.date(2021, 5, 20)),
        ("Wed, 20 May 2026 00:00:00 GMT", dt.date(2026, 5, 20)),
        ("2021-05", dt.date(2021, 5, 1)),
        ("2021", dt.date(2021, 1, 1)),
        ("2021-13", None),
        ("May 21 2021 12:00:00:000AM", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_partial_date(raw: str | None, date: dt.date | None) -> None:
    assert parse_partial_date(raw) == date


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([2012, 3, 21], (dt.date(2012, 3, 21), 3)),
        ([2012, 3], (dt.date(2012, 3, 1), 2)),
        (["2012"], (dt.date(2012, 1, 1), 1)),
        ([2012, 2, 30], None),
        ([None], None),
        ([True], None),
        ([], None),
    ],
)
def test_date_from_parts(parts: list[object], expected: tuple[dt.date, int] | None) -> None:
    assert date_from_parts(parts) == expected


def test_journal_reference() -> None:
    assert (
        journal_reference("PLoS ONE", volume="7", issue="3", pages="e33693", year=2012)
        == "PLoS ONE 7(3), e33693 (2012)"
    )
    assert journal_reference("Nature", pages="100-110") == "Nature 100-110"
    # Online first: no volume, no pages, no reference.
    assert journal_reference("Nature", year=2026) is None
    assert journal_reference(None, volume="1") is None
