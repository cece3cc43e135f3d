"""The contracts round-trip their examples and refuse what they must refuse."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from academichub.contracts import (
    TOPICS,
    Briefing,
    BriefingSchedule,
    Match,
    Paper,
    PaperMatches,
    Radar,
    TopicName,
    decode_event,
    encode_event,
    schema_versions,
)
from academichub.contracts.examples import (
    BRIEFING,
    EXAMPLES,
    LEGACY_EXAMPLES,
    MATCH,
    MATCH_V1,
    PAPER,
    RADAR,
    RADAR_CHANGE_UPSERT,
    RADAR_V1,
)
from academichub.platform.errors import PoisonEvent


@pytest.mark.parametrize(
    ("topic", "payload"),
    [(topic, p) for topic, payloads in EXAMPLES.items() for p in payloads],
)
def test_examples_round_trip(topic: TopicName, payload: dict[str, Any]) -> None:
    event = decode_event(topic, json.dumps(payload).encode())
    assert isinstance(event, TOPICS[topic].event)
    again = json.loads(encode_event(event))
    assert decode_event(topic, encode_event(event)) == event
    # Nothing lost or invented on the way: the wire form equals the example.
    assert again == payload


def test_every_topic_has_examples_and_consumed_topics_have_a_dlq() -> None:
    assert set(EXAMPLES) == set(TOPICS)
    for topic in TOPICS.values():
        if topic.consumers not in ((), ("operator",)):
            assert topic.dlq is not None, topic.name
            assert topic.dlq in TOPICS


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (None, "no value"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "expected an object"),
        (json.dumps({**PAPER, "schema_version": 99}).encode(), "schema_version 99"),
        (json.dumps({**PAPER, "id": "arxiv:2504.17830v2"}).encode(), "not canonical"),
        (json.dumps({**PAPER, "source": "twitter"}).encode(), "source"),
    ],
)
def test_poison_papers_name_the_problem(raw: bytes | None, complaint: str) -> None:
    with pytest.raises(PoisonEvent, match=complaint):
        decode_event(TopicName.PAPERS, raw)


def test_paper_ids_are_canonical() -> None:
    for good in ("arxiv:2504.17830", "arxiv:hep-th/9901001", "doi:10.1101/2023.12.16.571984"):
        assert Paper.model_validate({**PAPER, "id": good}).id == good
    for bad in ("2504.17830", "arxiv:2504.17830v1", "doi:10.1101/ABC", "doi:abc"):
        with pytest.raises(ValidationError):
            Paper.model_validate({**PAPER, "id": bad})


def test_radar_change_must_agree_with_its_radar() -> None:
    wrong = copy.deepcopy(RADAR_CHANGE_UPSERT)
    wrong["revision"] = 4
    with pytest.raises(PoisonEvent, match="disagree"):
        decode_event(TopicName.RADARS, json.dumps(wrong).encode())


def test_briefing_cannot_cite_outside_its_window() -> None:
    invented = copy.deepcopy(BRIEFING)
    invented["themes"][0]["paper_ids"] = ["arxiv:2504.17830", "arxiv:9999.99999"]
    with pytest.raises(ValidationError, match=r"outside its window.*9999\.99999"):
        Briefing.model_validate(invented)


# --- a schedule's next close: one rule for the briefer and the gateway ------------------

SHANGHAI = "Asia/Shanghai"  # UTC+8, no daylight saving
NEW_YORK = "America/New_York"


@pytest.mark.parametrize(
    ("schedule", "opened", "closes"),
    [
        # 07:00 in Shanghai is 23:00 UTC the day before.
        (
            BriefingSchedule(hour=7, timezone=SHANGHAI),
            dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 12, 23, 0, tzinfo=dt.UTC),
        ),
        (
            BriefingSchedule(hour=7, timezone=SHANGHAI),
            dt.datetime(2026, 6, 12, 22, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 12, 23, 0, tzinfo=dt.UTC),
        ),
        # Weekly on Wednesday (2) at 09:00 UTC, opened Friday 2026-06-12: the next Wednesday.
        (
            BriefingSchedule(kind="weekly", weekday=2, hour=9),
            dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 17, 9, 0, tzinfo=dt.UTC),
        ),
        # Weekly on Friday at 09:00, opened that Friday at 08:00: the same day.
        (
            BriefingSchedule(kind="weekly", weekday=4, hour=9),
            dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC),
        ),
        # New York leaves daylight saving on 2026-11-01: 07:00 local is 11:00 UTC before
        # and 12:00 UTC after.
        (
            BriefingSchedule(hour=7, timezone=NEW_YORK),
            dt.datetime(2026, 10, 31, 12, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC),
        ),
        (
            BriefingSchedule(hour=7, timezone=NEW_YORK),
            dt.datetime(2026, 10, 30, 10, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 30, 11, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_a_schedule_closes_at_its_hour_on_the_wall_clock_of_its_zone(
    schedule: BriefingSchedule, opened: dt.datetime, closes: dt.datetime
) -> None:
    assert schedule.next_close(opened) == closes


def test_an_every_n_schedule_has_no_clock_time_and_a_zone_must_exist() -> None:
    assert BriefingSchedule(kind="every_n", n=3).next_close(dt.datetime.now(dt.UTC)) is None
    with pytest.raises(ValueError, match="not an IANA name"):
        BriefingSchedule(timezone="Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("topic", "payload"),
    [(topic, p) for topic, payloads in LEGACY_EXAMPLES.items() for p in payloads],
)
def test_older_versions_still_decode_with_the_new_fields_defaulted(
    topic: TopicName, payload: dict[str, Any]
) -> None:
    event = decode_event(topic, json.dumps(payload).encode())
    assert isinstance(event, TOPICS[topic].event)
    wire = json.loads(encode_event(event))
    if isinstance(event, PaperMatches):
        # One match an event before version 3: read as a group of one, which gives it back.
        (match,) = event.each()
        wire = {**match.model_dump(mode="json"), "schema_version": payload["schema_version"]}
    # What the old version said is kept; the fields added since take their defaults.
    assert _kept(wire, payload) == payload


def _kept(wire: Any, old: Any) -> Any:
    """``wire`` cut down to the keys of ``old``, at every level."""
    if isinstance(old, dict):
        return {k: _kept(wire[k], v) for k, v in old.items()}
    return wire


def test_an_old_radar_is_a_keyword_radar_and_an_old_match_a_keyword_match() -> None:
    radar = Radar.model_validate(RADAR_V1)
    assert (radar.semantic, radar.seeds, radar.interest, radar.ratings) == (False, (), None, 0)
    match = Match.model_validate(MATCH_V1)
    assert (match.score_kind, match.nearest) == ("keyword", ())


def test_each_event_reads_its_own_versions() -> None:
    assert schema_versions(Radar) == (1, 2)
    assert schema_versions(Match) == (1, 2)
    assert schema_versions(Paper) == (1,)
    # The topic's event since version 3 is the group; it reads the single matches too.
    assert schema_versions(PaperMatches) == (1, 2, 3)
    future = {**MATCH, "schema_version": 4}
    with pytest.raises(
        PoisonEvent, match=r"schema_version 4 is not supported .*reads 1 and 2 and 3"
    ):
        decode_event(TopicName.MATCHES, json.dumps(future).encode())
    with pytest.raises(PoisonEvent, match="schema_version True"):
        decode_event(TopicName.MATCHES, json.dumps({**MATCH, "schema_version": True}).encode())


def _radar(**changes: Any) -> dict[str, Any]:
    return {**RADAR, **changes}


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"per_day": None}, "about how many papers a day"),
        ({"per_day": 0}, "greater than 0"),
        ({"seeds": ["2504.17830"]}, "not canonical"),
        ({"seeds": ["arxiv:2504.17830", "arxiv:2504.17830"]}, "listed twice"),
        ({"liked": ["arxiv:2504.18555"]}, "both liked and disliked"),
        ({"interest": ""}, "at least 1 character"),
        ({"threshold": float("nan")}, "finite"),
    ],
)
def test_semantic_radars_refuse_what_cannot_work(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Radar.model_validate(_radar(**changes))


def test_a_radar_may_be_semantic_without_a_query() -> None:
    radar = Radar.model_validate(_radar(query="", interest=None))
    assert radar.semantic
    assert not radar.has_query
    assert radar.ratings == 2
    keyword = Radar.model_validate(_radar(seeds=[], interest=None, per_day=None))
    assert not keyword.semantic
    assert keyword.has_query
