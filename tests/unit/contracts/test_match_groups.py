"""Matches written side by side (:mod:`academichub.contracts.match_groups`) are exactly the
events and rows the models define: what the hand-built encoders write decodes to them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from academichub.contracts import (
    Match,
    MatchedTerm,
    PaperMatches,
    TopicName,
    decode_event,
    encode_event,
)
from academichub.contracts.events import MAX_GROUP_MATCHES
from academichub.contracts.examples import LEGACY_EXAMPLES, MATCH, MATCH_V1, SEMANTIC_MATCH
from academichub.contracts.match_groups import FoundMatches, match_events, regroup

NOW = dt.datetime(2026, 6, 12, 4, 1, 2, 345678, tzinfo=dt.UTC)
TERMS = (MatchedTerm(field="title", term="quantum"), MatchedTerm(field="cat", term="quant-ph"))


def found(count: int, paper_id: str = "arxiv:2504.17830") -> FoundMatches:
    group = FoundMatches(paper_id, 2, NOW)
    for i in range(count):
        group.add(f"r{i}", i / 7, TERMS[: 1 + i % 2])
    return group


def test_a_stored_match_is_the_json_of_its_model() -> None:
    group = found(3)
    for i, model in enumerate(group.each()):
        assert Match.model_validate_json(group.match_json(i)) == model


def test_events_are_grouped_by_partition_and_decode_to_the_matches() -> None:
    group = found(50)
    events = match_events([group], lambda radar_id: int(radar_id[1:]) % 4)
    assert len(events) == 4
    seen: list[Match] = []
    for key, value in events:
        event = decode_event(TopicName.MATCHES, value)
        assert isinstance(event, PaperMatches)
        assert event.schema_version == 3
        # Keyed by one of its radars: every radar of a group is on that key's partition.
        assert {int(m.radar_id[1:]) % 4 for m in event.matches} == {int(key[1:]) % 4}
        assert json.loads(encode_event(event)) == json.loads(value)
        seen.extend(event.each())
    assert sorted(seen, key=lambda m: m.radar_id) == sorted(group.each(), key=lambda m: m.radar_id)


def test_a_group_is_cut_below_its_bound() -> None:
    events = match_events([found(MAX_GROUP_MATCHES + 5)], lambda radar_id: 0)
    sizes = [len(json.loads(value)["matches"]) for _, value in events]
    assert sizes == [MAX_GROUP_MATCHES, 5]


def test_regroup_gathers_per_paper_version_and_instant() -> None:
    a, b = found(2), found(1, paper_id="arxiv:2504.00001")
    matches = [*a.each(), *b.each()]
    again = regroup(matches)
    assert [list(g.each()) for g in again] == [list(a.each()), list(b.each())]
    assert [k for g in again for k in g.match_keys()] == [m.key for m in matches]


@pytest.mark.parametrize("single", [MATCH_V1, MATCH, SEMANTIC_MATCH])
def test_a_single_match_of_version_1_or_2_is_read_as_a_group_of_one(
    single: dict[str, Any],
) -> None:
    assert single in LEGACY_EXAMPLES[TopicName.MATCHES]
    event = decode_event(TopicName.MATCHES, json.dumps(single).encode())
    assert isinstance(event, PaperMatches)
    (match,) = event.each()  # as version 2 (what it said, newer fields defaulted)
    assert match.model_dump(exclude={"schema_version"}) == Match.model_validate(single).model_dump(
        exclude={"schema_version"}
    )
    # Written again it is a version-3 group, which reads back the same.
    assert decode_event(TopicName.MATCHES, encode_event(event)) == event


def test_kinds_and_nearest_papers_travel_with_their_match() -> None:
    semantic = Match.model_validate(SEMANTIC_MATCH)
    keyword = Match.model_validate(MATCH).model_copy(
        update={
            "paper_id": semantic.paper_id,
            "version": semantic.version,
            "matched_at": semantic.matched_at,
            "radar_id": "r2",
        }
    )
    (group,) = regroup([keyword, semantic])
    assert list(group.each()) == [keyword, semantic]
    assert Match.model_validate_json(group.match_json(1)) == semantic
    ((_, value),) = match_events([group], lambda radar_id: 0)
    event = decode_event(TopicName.MATCHES, value)
    assert isinstance(event, PaperMatches)
    assert list(event.each()) == [keyword, semantic]


def test_a_backfills_origin_travels_with_its_group() -> None:
    live = Match.model_validate(MATCH)
    backfilled = live.model_copy(update={"radar_id": "r2", "origin": "backfill"})
    # The same paper version at the same instant, found live and by a backfill: two groups.
    groups = regroup([live, backfilled])
    assert [(g.origin, g.radar_ids) for g in groups] == [
        ("live", [live.radar_id]),
        ("backfill", ["r2"]),
    ]
    assert Match.model_validate_json(groups[1].match_json(0)) == backfilled
    events = match_events(groups, lambda radar_id: 0)
    decoded = [decode_event(TopicName.MATCHES, value) for _, value in events]
    assert [m for event in decoded if isinstance(event, PaperMatches) for m in event.each()] == [
        live,
        backfilled,
    ]
    # A single backfilled match of version 2 keeps its origin when read as a group of one.
    single = decode_event(TopicName.MATCHES, encode_event(backfilled))
    assert isinstance(single, PaperMatches)
    assert single.origin == "backfill"
    assert list(single.each()) == [backfilled]
    # A group without the field (a matcher before origins) reads as live.
    ((_, value),) = match_events([groups[0]], lambda radar_id: 0)
    without = {k: v for k, v in json.loads(value).items() if k != "origin"}
    assert decode_event(TopicName.MATCHES, json.dumps(without).encode()) == decode_event(
        TopicName.MATCHES, value
    )
