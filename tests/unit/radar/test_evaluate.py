"""The reference semantics on hand-built papers: what matches, and why."""

from __future__ import annotations

import pytest

from academichub.contracts import MatchedTerm
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from tests.unit.radar.factories import doc


def terms(query: str, document: PaperDocument) -> list[tuple[str, str]] | None:
    fired = evaluate(parse_query(query), document)
    return None if fired is None else [(t.field, t.term) for t in fired]


SPIN = doc(
    "Rotations of spin chains",
    "We study the ﬁeld theory of spin chains with machine learning. State-of-the-art results.",
    authors=["Yann LeCun", "Rémy Dupont-Moreau", "Ng"],
    categories=["quant-ph", "cs.AI"],
    source="arxiv",
    announce_type="cross",
)


def test_plurals_fold_on_both_sides_and_nothing_else() -> None:
    assert terms("rotation", SPIN) == [("title", "rotation")]
    assert terms("ROTATIONS", SPIN) == [("title", "rotation")]
    assert terms("chain", SPIN) == [("title", "chain"), ("abstract", "chain")]
    assert terms("study", SPIN) == [("abstract", "study")]
    # A derivation is another word: "rotated" and "learn" are not in the paper.
    assert terms("rotated", SPIN) is None
    assert terms("learn", SPIN) is None


def test_nfkc_ligature_in_the_paper_and_in_the_query() -> None:
    assert terms("field", SPIN) == [("abstract", "field")]
    assert terms("ﬁeld", SPIN) == [("abstract", "field")]


def test_a_text_word_reports_each_field_it_fired_in() -> None:
    assert terms("spin", SPIN) == [("title", "spin"), ("abstract", "spin")]
    assert terms("title:spin", SPIN) == [("title", "spin")]
    assert terms("abstract:spin", SPIN) == [("abstract", "spin")]
    assert terms("title:field", SPIN) is None
    assert terms("abstract:rotations", SPIN) is None


def test_phrases_are_consecutive_tokens_within_one_field() -> None:
    assert terms('"machine learning"', SPIN) == [("abstract", "machine learning")]
    assert terms('"learning machine"', SPIN) is None
    assert terms('"spin chains"', SPIN) == [("title", "spin chain"), ("abstract", "spin chain")]
    assert terms("state-of-the-art", SPIN) == [("abstract", "state of the art")]
    # "chains" ends the title and "we" starts the abstract: no phrase across fields.
    assert terms('"chains we"', SPIN) is None


def test_prefixes_compare_unstemmed_tokens() -> None:
    assert terms("rotat*", SPIN) == [("title", "rotat*")]
    # "learning" is stemmed to "learn": the prefix still sees the word as written.
    assert terms("learni*", SPIN) == [("abstract", "learni*")]
    assert terms("title:stud*", SPIN) is None


def test_authors_by_any_name_word_ignoring_case_and_accents() -> None:
    assert terms("author:lecun", SPIN) == [("author", "lecun")]
    assert terms("author:yann", SPIN) == [("author", "yann")]  # any word of a name
    assert terms("author:moreau", SPIN) == [("author", "moreau")]
    assert terms("author:REMY", SPIN) == [("author", "remy")]
    assert terms("author:ng", SPIN) == [("author", "ng")]  # a one-word name
    assert terms("author:lecu", SPIN) is None  # a whole word, not a prefix


def test_full_names_in_either_order_and_with_initials() -> None:
    assert terms('author:"yann lecun"', SPIN) == [("author", "yann lecun")]
    assert terms('author:"LeCun Yann"', SPIN) == [("author", "lecun yann")]
    assert terms('author:"Remy Dupont"', SPIN) == [("author", "remy dupont")]
    assert terms('author:"Dupont-Moreau Rémy"', SPIN) == [("author", "dupont moreau remy")]
    # Initials stand for given names, family name last or first.
    assert terms('author:"Y LeCun"', SPIN) == [("author", "y lecun")]
    assert terms('author:"LeCun Y"', SPIN) == [("author", "lecun y")]
    assert terms('author:"R D Moreau"', SPIN) == [("author", "r d moreau")]
    # A full name stays inside one author, its words side by side.
    assert terms('author:"Yann Dupont"', SPIN) is None
    assert terms('author:"LeCun Rémy"', SPIN) is None
    assert terms('author:"Remy Moreau"', SPIN) is None
    assert terms('author:"Yan LeCun"', SPIN) is None


def test_names_written_family_name_first_and_with_initials() -> None:
    paper = doc(authors=["Zhang Cheng", "LeCun, Y.", "Wei-Jie Li"])
    for query in ("zhang", "cheng", '"Zhang Cheng"', '"Cheng Zhang"', '"C Zhang"', '"Zhang C"'):
        assert terms(f"author:{query}", paper) is not None, query
    assert terms('author:"Y LeCun"', paper) == [("author", "y lecun")]
    assert terms('author:"Yann LeCun"', paper) is None  # an initial does not spell a name
    assert terms('author:"Li Wei Jie"', paper) == [("author", "li wei jie")]
    assert terms("author:wei", paper) == [("author", "wei")]


def test_categories_exact_and_grouped() -> None:
    assert terms("cat:quant-ph", SPIN) == [("cat", "quant-ph")]
    assert terms("cat:CS.ai", SPIN) == [("cat", "cs.ai")]
    assert terms("cat:cs.*", SPIN) == [("cat", "cs.*")]
    assert terms("cat:cs", SPIN) is None
    assert terms("cat:math.*", SPIN) is None


def test_sources() -> None:
    nature = doc("x", source="journal:nature", announce_type=None)
    assert terms("source:arxiv", SPIN) == [("source", "arxiv")]
    assert terms("source:journal:*", SPIN) is None
    assert terms("source:journal:*", nature) == [("source", "journal:*")]
    assert terms("source:journal:nature", nature) == [("source", "journal:nature")]
    assert terms("source:journal:science", nature) is None


def test_announce_types() -> None:
    assert terms("type:cross", SPIN) == [("type", "cross")]
    assert terms("type:new", SPIN) is None
    assert terms("NOT type:replace", SPIN) == []
    assert terms("NOT type:cross", SPIN) is None
    # A journal paper has no announce type: it is not a replacement.
    assert terms("NOT type:replace", doc("x", source="journal:nature", announce_type=None)) == []


def test_negation() -> None:
    assert terms("-harvesting", SPIN) == []  # a purely negative match: no terms
    assert terms("-spin", SPIN) is None
    assert terms("spin -harvesting", SPIN) == [("title", "spin"), ("abstract", "spin")]
    assert terms("spin -(chains OR harvesting)", SPIN) is None
    assert terms("NOT NOT spin", SPIN) == []  # negations report nothing, even doubled


def test_or_reports_every_child_that_fired_and_and_needs_all() -> None:
    assert terms("rotation OR learning OR harvesting", SPIN) == [
        ("title", "rotation"),
        ("abstract", "learning"),
    ]
    assert terms("rotation learning harvesting", SPIN) is None
    assert terms("rotation AND learning", SPIN) == [
        ("title", "rotation"),
        ("abstract", "learning"),
    ]


def test_each_term_is_reported_once_in_query_order() -> None:
    assert terms("learning (rotation OR learning) cat:quant-ph learning", SPIN) == [
        ("abstract", "learning"),
        ("title", "rotation"),
        ("cat", "quant-ph"),
    ]


def test_result_is_matched_term_models() -> None:
    assert evaluate(parse_query("title:spin"), SPIN) == (MatchedTerm(field="title", term="spin"),)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("rock and roll", False),  # 'and' is a word here, and the paper lacks it
        ("spin and chains", False),
        ("spin OR and", True),
        ("with", True),  # stop words are ordinary words
    ],
)
def test_lower_case_operators_are_searched_as_words(query: str, matches: bool) -> None:
    assert (terms(query, SPIN) is not None) is matches
