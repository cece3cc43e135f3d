"""The one decoder of every consumer: bytes off a topic into the topic's event, or poison.

Every way an event can fail to be its topic's event raises :class:`PoisonEvent` with a
reason naming the problem, so that no consumer ever meets anything else:

==================  ================================================================
no value            a null record (a tombstone, or a producer that sent none)
too large           over :data:`MAX_EVENT_BYTES`, checked before anything is decoded
not UTF-8           the bytes do not decode
too deeply nested   over :data:`MAX_JSON_DEPTH` levels of arrays and objects, counted
                    before parsing (a parser's recursion limit is no bound: ``[`` ×
                    100,000 raises ``RecursionError``, which nothing classifies)
not JSON            any parse error, a number too long to convert included
not an object       JSON of another kind than an object
wrong schema        a ``schema_version`` this build does not read (each event type
                    reads its versions: :func:`~.events.schema_versions`)
invalid event       the event model refuses it (missing fields, wrong types, rules)
==================  ================================================================

The bounds are stated here once. No producer of ours can exceed them: the Kafka producer
refuses a message over 1 MiB, and the deepest event (a briefing) nests six levels.
"""

from __future__ import annotations

import json
import re
from typing import Final

from pydantic import BaseModel, ValidationError

from academichub.contracts.events import schema_versions
from academichub.contracts.topics import TOPICS, TopicName
from academichub.platform.errors import PoisonEvent

MAX_EVENT_BYTES: Final = 1024 * 1024  # the Kafka producer's default max_request_size
MAX_JSON_DEPTH: Final = 32

# A JSON string (skipped whole: brackets inside text do not nest) or one bracket.
_STRING_OR_BRACKET: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENING: Final = frozenset("[{")


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``limit``, without parsing
    it (stops at the first bracket past the limit)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # not even that many brackets: the common case, counted in C
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        mark = token.group()
        if mark in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif len(mark) == 1:
            depth -= 1
    return False


def decode_event(topic: TopicName, raw: bytes | None) -> BaseModel:
    """Decode one event of ``topic`` (an instance of its registry event type); anything
    else raises :class:`PoisonEvent` naming the problem (see the module docstring)."""
    spec = TOPICS[topic]
    if raw is None:
        raise PoisonEvent(f"{topic}: no value (a null record)")
    if len(raw) > MAX_EVENT_BYTES:
        raise PoisonEvent(
            f"{topic}: value is {len(raw)} bytes, over the {MAX_EVENT_BYTES} an event may have"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoisonEvent(f"{topic}: value is not UTF-8: {exc}") from exc
    if json_depth_exceeds(text, MAX_JSON_DEPTH):
        raise PoisonEvent(
            f"{topic}: value nests arrays and objects deeper than {MAX_JSON_DEPTH} levels"
        )
    try:
        data = json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise PoisonEvent(f"{topic}: value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PoisonEvent(f"{topic}: value is JSON {type(data).__name__}, expected an object")
    version = data.get("schema_version")
    readable = schema_versions(spec.event)
    if type(version) is not int or version not in readable:
        raise PoisonEvent(
            f"{topic}: schema_version {version!r} is not supported "
            f"(this build reads {' and '.join(map(str, readable))})"
        )
    try:
        return spec.event.model_validate(data)
    except ValidationError as exc:
        raise PoisonEvent(f"{topic}: invalid {spec.event.__name__}: {exc}") from exc
