"""Keyphrases: noun phrases, and the tested list of words that never name a topic."""

import pytest

from academichub.briefer.domain.keyphrases import (
    GENERIC_WORDS,
    REPORTING_VERBS,
    STOP_WORDS,
    filler_words,
    is_filler,
    phrase_key,
    phrases_in,
)


def surfaces(text: str, *, title: bool = False) -> set[str]:
    return {surface for _, surface in phrases_in(text, title=title)}


@pytest.mark.parametrize(
    "word",
    # The issue's own examples, then common reporting verbs, generic nouns, adverbs.
    [
        "expected",
        "explain",
        "factor",
        "results",
        "paper",
        "naturally",
        "the",
        "show",
        "propose",
        "demonstrates",
        "we",
        "novel",
        "approach",
        "method",
        "findings",
        "significantly",
        "respectively",
        "using",
        "based",
        "study",
        "Results",
        "Paper",
    ],
)
def test_filler_words_are_filler(word: str) -> None:
    assert is_filler(word)


@pytest.mark.parametrize(
    "word",
    [
        *("surface", "codes", "qubit", "graphene", "anomaly", "learning", "Hubbard", "decoder"),
        # Half of a concept's name: "general relativity", "chemical potential", "critical point".
        *("general", "effective", "potential", "critical", "point", "strong", "number", "problem"),
    ],
)
def test_topic_words_are_not(word: str) -> None:
    assert not is_filler(word)


def test_the_lists_are_disjoint_where_it_matters() -> None:
    # A reporting verb or generic word that is also a stop word is harmless, but the
    # lists must not swallow topic words by accident.
    for topical in ("model", "field", "state", "energy", "network", "measurement"):
        assert topical not in STOP_WORDS | REPORTING_VERBS | GENERIC_WORDS


def test_filler_words_of_a_phrase() -> None:
    assert filler_words("explain naturally") == ["explain", "naturally"]
    assert filler_words("surface codes") == []


def test_candidates_are_noun_phrases_without_filler() -> None:
    text = (
        "We show that lattice surgery on surface codes lowers the logical error rate. "
        "The expected factor naturally explains the results."
    )
    found = surfaces(text)
    assert {"lattice surgery", "surface codes", "logical error rate", "error rate"} <= found
    for surface in found:
        assert not filler_words(surface), surface
    assert not any(w in s for s in found for w in ("expected", "factor", "results"))


def test_punctuation_brackets_and_math_break_phrases() -> None:
    found = surfaces("Quantum dots, graphene ribbons (bilayer) and $\\alpha$ spin chains.")
    assert "quantum dots" in found
    assert "graphene ribbons" in found
    assert not any("dots graphene" in s or "ribbons bilayer" in s for s in found)
    assert not any("alpha" in s for s in found)


def test_participles_do_not_end_a_phrase_but_ing_nouns_may() -> None:
    found = surfaces("Machine learning decoders and boson sampling outperform codes proposed.")
    assert {"machine learning", "machine learning decoders", "boson sampling"} <= found
    assert not any(s.endswith("proposed") for s in found)


def test_tex_accents_become_letters_not_broken_words() -> None:
    found = surfaces('We drive Schr\\"odinger cat states in M\\o ller scattering.')
    assert "Schrödinger cat states" in found
    assert "Møller scattering" in found
    assert not any("odinger" in s and "ö" not in s for s in found)


def test_acronyms_and_names_keep_their_capitals_title_words_do_not() -> None:
    assert "GHZ states" in surfaces("Preparing large GHZ states is hard.")
    assert "Ising model" in surfaces("Frustrated spins in the Ising model.")
    assert "lattice surgery" in surfaces("Lattice Surgery With Fewer Qubits", title=True)


def test_a_phrase_is_identified_by_its_stems() -> None:
    assert phrase_key("Surface codes") == phrase_key("surface code") == ("surface", "code")


def test_concepts_with_everyday_modifiers_survive() -> None:
    found = surfaces(
        "General relativity and effective field theory with a chemical potential "
        "at the critical point, in the strong coupling limit."
    )
    for concept in ("general relativity", "effective field theory", "chemical potential"):
        assert concept in found
    assert {"critical point", "strong coupling"} <= found


def test_compounds_name_something_when_their_head_does() -> None:
    found = surfaces("A first-order phase transition in long-range state-of-the-art models.")
    assert {"first-order phase transition", "long-range"} <= found
    assert not any("state-of-the-art" in s for s in found)
    assert not any("well-known" in s for s in surfaces("Well-known well-known effects."))
