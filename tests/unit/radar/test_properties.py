"""Properties over random queries and papers: the compiled index is the reference
evaluator, and rendering is the parser's inverse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from academichub.contracts import Paper
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.index import RadarIndex, match_naive
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.radar.render import render_query
from tests.unit.radar.strategies import papers, queries, query_text

RADAR_IDS = st.sampled_from([f"r{i}" for i in range(8)])

# Queries that several radars share (the index verifies a shared query once).
SHARED = [parse_query(q) for q in ("spin", '"machine learning" OR quant*', "-spin cat:cs.*")]

# An operation on the radar set: (id, query) installs or replaces, (id, None) removes.
operations = st.lists(
    st.tuples(RADAR_IDS, st.one_of(st.none(), queries, queries, st.sampled_from(SHARED))),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(operations, st.lists(papers, min_size=1, max_size=4))
def test_index_matches_exactly_what_the_naive_loop_matches(
    ops: list[tuple[str, Node | None]], paper_list: list[Paper]
) -> None:
    # Re-anchoring on measured frequencies after every paper: anchors move all the time.
    index = RadarIndex(measure_after=1)
    radars: dict[str, Node] = {}
    docs = [PaperDocument.from_paper(p) for p in paper_list]
    for step, (radar_id, node) in enumerate(ops):
        if node is None:
            assert index.remove(radar_id) is (radar_id in radars)
            radars.pop(radar_id, None)
        else:
            # Radars are installed from text, as the matcher does.
            parsed = parse_query(render_query(node))
            index.add(radar_id, parsed)
            radars[radar_id] = parsed
        assert len(index) == len(radars)
        if step % 5 == 4:  # also compare midway: stale anchors would show here
            for doc in docs:
                assert sorted(index.match(doc)) == match_naive(radars, doc)
    for doc in docs:
        assert sorted(index.match(doc)) == match_naive(radars, doc)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_rendering_a_query_parses_back_to_the_same_ast(node: Node) -> None:
    assert parse_query(render_query(node)) == node


@settings(max_examples=500, deadline=None)
@given(query_text)
def test_any_text_parses_and_round_trips_or_fails_with_a_position(text: str) -> None:
    # Arbitrary text either parses (and then round-trips) or fails with a usable position.
    failure: QuerySyntaxError | None = None
    try:
        node = parse_query(text)
    except QuerySyntaxError as error:
        failure = error
    if failure is not None:
        assert 0 <= failure.position <= len(text)
        assert str(failure).startswith(f"position {failure.position}: ")
        assert failure.expected
        return
    assert parse_query(render_query(node)) == node
