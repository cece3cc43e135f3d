"""The analysis every reading shares: accents and case folded, possessives dropped, and a
light stemmer that folds plurals and keeps technical words apart (the table of issue 16,
also in docs/query-language.md)."""

from __future__ import annotations

import pytest

from academichub.radar.analysis import IRREGULAR_PLURALS, analyze, normalise, stem, tokenize

MUST_MEET = [
    ("qubits", "qubit"),
    ("rotations", "rotation"),
    ("galaxies", "galaxy"),
    ("processes", "process"),
    ("classes", "class"),
    ("boxes", "box"),
    ("transformers", "transformer"),
    ("Hamiltonian's", "Hamiltonian"),
]
MUST_STAY_APART = [
    ("transformer", "transformation"),
    ("transformer", "transform"),
    ("transformation", "transform"),
    ("computer", "computation"),
    ("organism", "organization"),
    ("general", "generalization"),
    ("focus", "focu"),
    ("class", "clas"),
]


def analysed(word: str) -> list[str]:
    return analyze(word)


@pytest.mark.parametrize(("plural", "singular"), MUST_MEET)
def test_plurals_and_possessives_meet_their_singular(plural: str, singular: str) -> None:
    assert analysed(plural) == analysed(singular)


@pytest.mark.parametrize(("one", "other"), MUST_STAY_APART)
def test_technical_words_stay_apart(one: str, other: str) -> None:
    assert analysed(one) != analysed(other)


@pytest.mark.parametrize("word", ["gas", "its", "bus", "has", "was", "yes", "3ds"])
def test_words_of_three_letters_or_fewer_are_left_alone(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("approaches", "approach"),
        ("meshes", "mesh"),
        ("viruses", "virus"),
        ("echoes", "echo"),
        ("volcanoes", "volcano"),
        ("canoes", "canoe"),  # an -oe noun only loses its s
        ("caches", "cache"),  # a -che noun only loses its s
        ("studies", "study"),
        ("ties", "tie"),  # four letters: only the s
        ("cookies", "cookie"),  # an -ie noun only loses its s
        ("phases", "phase"),
        ("analysis", "analysis"),
        ("status", "status"),
        ("matrices", "matrix"),
        ("spectra", "spectrum"),
        ("nuclei", "nucleus"),
        ("1990s", "1990"),
        ("learning", "learning"),  # no derivation is folded: -ing, -ed, -tion stay
        ("rotated", "rotated"),
    ],
)
def test_the_rules_in_order(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_irregular_plurals_map_to_words_the_rules_leave_alone() -> None:
    # A singular the rules would change again would meet other words than its plural.
    assert all(stem(singular) == singular for singular in IRREGULAR_PLURALS.values())


def test_accents_and_case_fold_on_both_sides() -> None:
    assert tokenize("Schrödinger") == tokenize("SCHRODINGER") == ["schrodinger"]
    # Decomposed (o + combining diaeresis) and precomposed ö are one word.
    assert tokenize("Schro\u0308dinger") == ["schrodinger"]
    assert tokenize("Józsa Erdős Čech") == ["jozsa", "erdos", "cech"]
    assert tokenize("ﬁeld Straße") == ["field", "strasse"]
    assert normalise("Ǆ ΟΔΟΣ") == "dz οδοσ"


def test_a_possessive_is_dropped_with_its_apostrophe() -> None:
    assert tokenize("the Hamiltonian's spectrum") == ["the", "hamiltonian", "spectrum"]
    assert tokenize("Bell’s inequality") == ["bell", "inequality"]
    assert tokenize("O'Shea's don't") == ["o", "shea", "don", "t"]
