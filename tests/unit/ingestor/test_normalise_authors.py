"""Splitting arXiv's one comma-joined creator string into names."""

from __future__ import annotations

import pytest

from academichub.ingestor.domain.normalise import decode_tex_name, split_authors


@pytest.mark.parametrize(
    ("creator", "names"),
    [
        ("Fumika Suzuki, Wojciech H. Zurek", ("Fumika Suzuki", "Wojciech H. Zurek")),
        ("Radmir Kokoulin", ("Radmir Kokoulin",)),
        (
            "Name1, Name2 (Affil A, Affil B), Name3",
            ("Name1", "Name2", "Name3"),
        ),
        # Nested parentheses inside an affiliation do not end it early.
        (
            "A. One (Dept. of Physics (Theory Group), Univ. X, Country), B. Two, C. Three (Lab)",
            ("A. One", "B. Two", "C. Three"),
        ),
        # TeX accents: the apostrophe of R\'emy is not a separator, and the name is decoded.
        (r"Benjamin R\'emy (LEMTA), Jakob G\"unther", ("Benjamin Rémy", "Jakob Günther")),
        (r"Michal Hajdu\v{s}ek, S{\o}ren Stobbe", ("Michal Hajdušek", "Søren Stobbe")),
        (r"Stanis{\l}aw \'Swierczewski", ("Stanisław Świerczewski",)),
        # A trailing "and" joiner, with or without the Oxford comma.
        ("Alice A, Bob B and Carol C", ("Alice A", "Bob B", "Carol C")),
        ("Alice A, Bob B, and Carol C", ("Alice A", "Bob B", "Carol C")),
        ("Alice A and Bob B", ("Alice A", "Bob B")),
        # "and" inside a name or an affiliation is not a joiner.
        ("Anderson Sandoval (Physics and Astronomy, UCL)", ("Anderson Sandoval",)),
        # A generational suffix stays with its name.
        ("John Smith, Jr., Jane Doe", ("John Smith Jr.", "Jane Doe")),
        # Whitespace, empty segments and stray commas do not make names.
        ("  Ada   Lovelace ,\n Alan Turing, ,", ("Ada Lovelace", "Alan Turing")),
        ("", ()),
        ("   ", ()),
        # Entities and markup (the pre-2024 arXiv RSS linked every name).
        (
            '<a href="https://arxiv.org/a/x">Ada Lovelace</a>, <a href="y">Alan Turing</a>',
            ("Ada Lovelace", "Alan Turing"),
        ),
        ("Marie Curie (Physique &amp; Chimie)", ("Marie Curie",)),
        # E-mail addresses are not names.
        ("A. One <a.one@x.org>, B. Two b.two@x.org", ("A. One", "B. Two")),
        ("A. One (a.one@x.org), B. Two", ("A. One", "B. Two")),
    ],
)
def test_split_authors(creator: str, names: tuple[str, ...]) -> None:
    assert split_authors(creator) == names


def test_unbalanced_parenthesis_does_not_swallow_later_authors() -> None:
    names = split_authors("A. One (Univ X, B. Two, C. Three")
    assert names[0] == "A. One"
    assert names[-1] == "C. Three"
    assert all("(" not in name and ")" not in name for name in names)


def test_stray_closing_parenthesis() -> None:
    assert split_authors("A. One), B. Two") == ("A. One", "B. Two")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"R\'emy", "Rémy"),
        (r"R\'{e}my", "Rémy"),
        (r"{\'E}mile", "Émile"),
        (r"G\"{o}del", "Gödel"),
        (r"Fran\c{c}ois", "François"),
        (r"Fran\c cois", "François"),
        (r"Erd\H{o}s", "Erdős"),
        (r"\AA{}ngstr\"om", "Ångström"),
        (r"Stra\ss e", "Straße"),
        (r"Mart\'{\i}nez", "Martínez"),
        (r"Mart\'\i nez", "Martínez"),
        (r"Nu\~nez", "Nuñez"),
        (r"Bj\o rn", "Bjørn"),  # a control word swallows the space after it, as in TeX
        (r"{van der} Waals", "van der Waals"),
        ("O'Brien", "O'Brien"),  # a plain apostrophe is not an accent
        ("Zoë Ødegård", "Zoë Ødegård"),  # already Unicode: unchanged
        (r"\unknown{x}", r"\unknownx"),  # unknown macros are left (minus grouping braces)
    ],
)
def test_decode_tex_name(tex: str, text: str) -> None:
    assert decode_tex_name(tex) == text
