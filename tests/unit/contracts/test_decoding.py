"""The shared decoder turns every kind of bad value on every consumed topic into poison
that names the problem, and never lets anything else escape (a RecursionError above all)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from academichub.contracts import TOPICS, TopicName, decode_event, encode_event
from academichub.contracts.decoding import MAX_EVENT_BYTES, MAX_JSON_DEPTH, json_depth_exceeds
from academichub.contracts.examples import BRIEFING, EXAMPLES, MATCH, PAPER, RADAR_CHANGE_UPSERT
from academichub.platform.errors import PoisonEvent

CONSUMED = [t for t, spec in TOPICS.items() if spec.dlq is not None]
EXAMPLE: dict[TopicName, dict[str, Any]] = {t: EXAMPLES[t][0] for t in CONSUMED}
# A field of each consumed topic's event, given a value of the wrong type.
WRONG_TYPE: dict[TopicName, tuple[str, object]] = {
    TopicName.PAPERS: ("authors", 5),
    TopicName.RADARS: ("revision", "the latest"),
    TopicName.MATCHES: ("score", {"value": 1}),
}


def _oversize(topic: TopicName) -> bytes:
    padded = {**EXAMPLE[topic], "padding": "x" * MAX_EVENT_BYTES}
    return json.dumps(padded).encode()


POISON: dict[str, tuple[Callable[[TopicName], bytes | None], str]] = {
    "null value": (lambda topic: None, "no value"),
    "deep nesting": (lambda topic: b"[" * 100_000, f"deeper than {MAX_JSON_DEPTH} levels"),
    "deep nesting in an object": (
        lambda topic: b'{"a": ' * 50 + b"1" + b"}" * 50,
        f"deeper than {MAX_JSON_DEPTH} levels",
    ),
    "oversize": (_oversize, f"over the {MAX_EVENT_BYTES} an event may have"),
    "bad UTF-8": (
        lambda topic: json.dumps(EXAMPLE[topic]).encode().replace(b'"', b'"\xff', 1),
        "not UTF-8",
    ),
    "bad JSON": (lambda topic: b'{"schema_version": 1,', "not JSON"),
    "empty bytes": (lambda topic: b"", "not JSON"),
    "an integer too long to convert": (
        lambda topic: b'{"schema_version": ' + b"9" * 5000 + b"}",
        "not JSON",
    ),
    "not an object": (lambda topic: b"[1, 2]", "JSON list, expected an object"),
    "schema error": (
        lambda topic: json.dumps({**EXAMPLE[topic], "schema_version": 99}).encode(),
        "schema_version 99 is not supported",
    ),
    "wrong type": (
        lambda topic: json.dumps(
            {**EXAMPLE[topic], WRONG_TYPE[topic][0]: WRONG_TYPE[topic][1]}
        ).encode(),
        "(?s)invalid {event}: .*{field}",
    ),
    "missing field": (
        lambda topic: json.dumps({"schema_version": 1}).encode(),
        "(?s)invalid {event}: .*Field required",
    ),
}


@pytest.mark.parametrize("kind", list(POISON))
@pytest.mark.parametrize("topic", CONSUMED)
def test_every_kind_of_poison_on_every_consumed_topic_names_its_problem(
    topic: TopicName, kind: str
) -> None:
    make, reason = POISON[kind]
    pattern = reason.format(event=TOPICS[topic].event.__name__, field=WRONG_TYPE[topic][0])
    with pytest.raises(PoisonEvent, match=pattern) as caught:
        decode_event(topic, make(topic))
    assert str(caught.value).startswith(f"{topic}: ")


def test_the_consumed_topics_are_the_ones_tested() -> None:
    assert set(CONSUMED) == {TopicName.PAPERS, TopicName.RADARS, TopicName.MATCHES}


@pytest.mark.parametrize("topic", CONSUMED)
def test_a_good_event_decodes_to_the_topics_type(topic: TopicName) -> None:
    event = decode_event(topic, json.dumps(EXAMPLE[topic]).encode())
    assert isinstance(event, TOPICS[topic].event)
    assert decode_event(topic, encode_event(event)) == event


def test_brackets_inside_text_do_not_count_as_nesting() -> None:
    title = "[" * 500 + "{" * 500 + ' \\" quoted ' + "]" * 3
    event = decode_event(TopicName.PAPERS, json.dumps({**PAPER, "title": title}).encode())
    assert getattr(event, "title", None) == title


def test_the_deepest_real_event_is_well_inside_the_bound() -> None:
    for payload in (PAPER, RADAR_CHANGE_UPSERT, MATCH, BRIEFING):
        text = json.dumps(payload)
        assert not json_depth_exceeds(text, 6)


def test_the_depth_bound_is_exact() -> None:
    at_bound = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert not json_depth_exceeds(at_bound, MAX_JSON_DEPTH)
    assert json_depth_exceeds("[" + at_bound + "]", MAX_JSON_DEPTH)
    # Many brackets side by side are not nesting.
    assert not json_depth_exceeds("[" + "[]," * 1000 + "[]]", MAX_JSON_DEPTH)
