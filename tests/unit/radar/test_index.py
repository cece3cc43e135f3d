"""The compiled radar index: looks up only radars a paper can satisfy, never drops one."""

from __future__ import annotations

import pytest

from academichub.contracts import MatchedTerm
from academichub.radar.anchors import anchors
from academichub.radar.index import RadarHit, RadarIndex, match_naive
from academichub.radar.keys import pair_key, tagged_key
from academichub.radar.parser import parse_query
from tests.unit.radar.factories import doc

PAPER = doc(
    "Quantization of spin chains",
    "Machine learning of rotations in hep models.",
    authors=["Rémy Dupont"],
    categories=["quant-ph", "cs.LG"],
    announce_type="replace",
)


def index_of(**queries: str) -> RadarIndex:
    index = RadarIndex()
    for radar_id, query in queries.items():
        index.add(radar_id, parse_query(query))
    return index


def ids(hits: list[RadarHit]) -> list[str]:
    return sorted(hit.radar_id for hit in hits)  # the index returns hits in no order


def test_match_returns_each_matching_radar_with_its_terms() -> None:
    index = index_of(b="spin", a='"machine learning" cat:quant-ph', c="harvesting")
    assert sorted(index.match(PAPER)) == [
        RadarHit(
            "a",
            (
                MatchedTerm(field="abstract", term="machine learning"),
                MatchedTerm(field="cat", term="quant-ph"),
            ),
        ),
        RadarHit("b", (MatchedTerm(field="title", term="spin"),)),
    ]


def test_radars_whose_anchor_or_guard_the_paper_lacks_do_not_match() -> None:
    queries = {
        "spin": "spin -rotations",  # anchored on a word the paper has: answered, fails
        "guarded": "spin cat:math.CO",  # anchored on a word the paper has, guard fails
        "pair": '"spin rotations"',  # both words are in the paper, but not side by side
        "energy": '"energy harvesting"',  # anchored on a word the paper lacks
        "author": "author:lecun",
        "group": "cat:math.*",
        "prefix": "photo*",
        "journal": "source:journal:*",
    }
    index = index_of(**queries)
    radars = {radar_id: parse_query(query) for radar_id, query in queries.items()}
    assert index.match(PAPER) == match_naive(radars, PAPER) == []


@pytest.mark.parametrize(
    "query", ["-harvesting", "NOT type:new", "spin OR -harvesting", "-(a b)", "NOT NOT spin"]
)
def test_radars_without_a_positive_anchor_are_answered_for_every_paper(query: str) -> None:
    node = parse_query(query)
    assert anchors(node) is None
    index = RadarIndex()
    index.add("r", node)
    unrelated = doc("Graphs", "Nothing in common.", categories=["math.CO"], announce_type="new")
    for paper in (PAPER, unrelated):
        assert ids(index.match(paper)) == ids(match_naive({"r": node}, paper))
    assert ids(index.match(PAPER)) == ["r"]


def test_an_and_is_anchored_on_its_most_selective_positive_child_and_guarded_by_the_next() -> None:
    found = anchors(parse_query("cat:quant-ph model entanglement -review"))
    assert found is not None
    assert found.keys == {"entanglement"}
    assert found.guard == {tagged_key("cat", "quant-ph")}
    # A phrase anchors on its rarest-looking pair of stems, an Or on all its children.
    found = anchors(parse_query('"the quantum entanglement" OR author:"Yann LeCun" OR qubit*'))
    assert found is not None
    assert found.keys == {
        pair_key("quantum", "entanglement"),
        tagged_key("author", "yann"),  # guessed alike: the first word
        tagged_key("prefix", "qubit"),
    }
    assert found.guard == set()
    # An Or can guard too: every match holds one of its words.
    found = anchors(parse_query('"spin chain" (ion OR atom)'))
    assert found is not None
    assert found.keys == {pair_key("spin", "chain")}
    assert found.guard == {"ion", "atom"}


def test_a_radar_matches_only_when_the_paper_passes_its_guard() -> None:
    index = index_of(r='"spin chains" cat:quant-ph', s="chains (rotations OR quantization)")
    other = doc("Spin chains", "Nothing else.", categories=["math.CO"])
    assert index.match(other) == []
    assert ids(index.match(PAPER)) == ["r", "s"]


def test_every_kind_of_leaf_is_found_through_its_anchor() -> None:
    queries = {
        "word": "rotation",
        "phrase": '"spin chains"',
        "prefix": "quantiz*",
        "author": 'author:"remy dupont"',
        "surname": "author:DUPONT",
        "cat": "cat:cs.lg",
        "cat_group": "cat:cs.*",
        "source": "source:arxiv",
        "type": "type:replace",
        "title": "title:quantization",
        "abstract": "abstract:hep",
    }
    index = index_of(**queries)
    assert ids(index.match(PAPER)) == sorted(queries)


def test_add_replaces_and_remove_forgets() -> None:
    index = index_of(r="spin")
    assert ids(index.match(PAPER)) == ["r"]
    index.add("r", parse_query("harvesting"))
    assert len(index) == 1
    assert index.match(PAPER) == []
    index.add("r", parse_query("quantiz*"))
    assert ids(index.match(PAPER)) == ["r"]
    assert index.remove("r") is True
    assert index.remove("r") is False
    assert len(index) == 0
    assert index.match(PAPER) == []


def test_radars_sharing_a_query_all_match_and_leave_independently() -> None:
    index = index_of(a="spin -harvesting", b="spin -harvesting", c="spin  -harvesting")
    assert sorted(index.match(PAPER)) == [
        RadarHit(radar_id, (MatchedTerm(field="title", term="spin"),)) for radar_id in "abc"
    ]
    index.remove("b")
    index.add("a", parse_query("harvesting"))
    assert ids(index.match(PAPER)) == ["c"]
    index.add("a", parse_query("spin -harvesting"))
    assert ids(index.match(PAPER)) == ["a", "c"]
    assert len(index) == 2


def test_a_prefix_shared_by_two_radars_survives_removing_one() -> None:
    index = index_of(a="quant*", b="quant* spin")
    index.remove("a")
    assert ids(index.match(PAPER)) == ["b"]


def test_radars_leave_an_anchor_that_proves_common() -> None:
    # The guess: a category is rarer than any of five short words together.
    node = parse_query("cat:quant-ph (ion OR atom OR spin OR bit OR gate)")
    guessed = anchors(node)
    assert guessed is not None
    assert guessed.keys == {tagged_key("cat", "quant-ph")}
    # Measured on a stream where every paper has cat:quant-ph: the radar now waits for
    # one of its words (what the index re-anchors with after a measuring window).
    measured = anchors(node, observed={tagged_key("cat", "quant-ph"): 1.0})
    assert measured is not None
    assert measured.keys == {"ion", "atom", "spin", "bit", "gate"}
    # Re-anchored in the middle of a stream, the radar keeps matching what it matched.
    index = RadarIndex(measure_after=4)
    index.add("r", node)
    for i in range(4):
        assert index.match(doc(f"Paper {i}", "Graph theory.", categories=["quant-ph"])) == []
    assert ids(index.match(doc("Spin", categories=["quant-ph"]))) == ["r"]
    assert index.match(doc("Spin", categories=["math.CO"])) == []


def test_naive_matching_is_the_reference() -> None:
    radars = {"x": parse_query("spin -harvesting"), "y": parse_query("harvesting")}
    assert match_naive(radars, PAPER) == [RadarHit("x", (MatchedTerm(field="title", term="spin"),))]


def test_a_lone_word_pair_or_prefix_is_read_off_where_the_paper_holds_its_key() -> None:
    # Not verified one by one: their hits are kept per field the key is found in.
    queries = {
        "any": "spin",
        "title": "title:spin",
        "abstract": "abstract:spin",  # "spin" is only in the title
        "phrase": '"machine learning"',
        "title_phrase": 'title:"machine learning"',
        "prefix": "quantiz*",
        "abstract_prefix": "abstract:rotat*",
        "elsewhere": "title:rotations",
    }
    index = index_of(**queries)
    radars = {radar_id: parse_query(query) for radar_id, query in queries.items()}
    assert sorted(index.match(PAPER)) == match_naive(radars, PAPER)
    assert ids(index.match(PAPER)) == ["abstract_prefix", "any", "phrase", "prefix", "title"]

    # Radars joining and leaving a shared query change what is read off the key.
    index.add("also_any", parse_query("spin"))
    index.remove("any")
    index.add("title", parse_query("abstract:machine"))
    assert ids(index.match(PAPER)) == ["abstract_prefix", "also_any", "phrase", "prefix", "title"]
    assert [h.terms for h in index.match(PAPER) if h.radar_id == "title"] == [
        (MatchedTerm(field="abstract", term="machine"),)
    ]
    index.remove("also_any")
    assert "also_any" not in ids(index.match(PAPER))


def test_queries_decided_by_a_few_keys_are_answered_once_from_their_states() -> None:
    queries = {
        "both": "spin OR rotations",  # reached through both keys: one hit
        "first": "spin OR harvesting",
        "second": "harvesting OR rotations",
        "excluded": "spin -rotations",
        "kept": "spin -harvesting",
        "fields": "title:rotations OR abstract:spin",  # neither key in that field
        "type": "spin NOT type:replace",
        "three": "(spin OR chains) -harvesting -magnon",
    }
    index = index_of(**queries)
    radars = {radar_id: parse_query(query) for radar_id, query in queries.items()}
    assert sorted(index.match(PAPER)) == match_naive(radars, PAPER)
    assert ids(index.match(PAPER)) == ["both", "first", "kept", "second", "three"]
    both = [h.terms for h in index.match(PAPER) if h.radar_id == "both"]
    assert both == [
        (MatchedTerm(field="title", term="spin"), MatchedTerm(field="abstract", term="rotation"))
    ]

    index.add("also_both", parse_query("spin OR rotations"))
    index.remove("both")
    index.add("kept", parse_query("spin -chains"))  # now excluded
    assert ids(index.match(PAPER)) == ["also_both", "first", "second", "three"]
