"""Held radars: a mapping of radar models kept as their JSON, read back equal."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from academichub.contracts import Radar
from academichub.contracts.events import BriefingSchedule
from academichub.matcher.domain.held_radars import HeldRadars
from academichub.matcher.domain.registry import RadarRegistry

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)


def radar(rid: str, query: str, revision: int = 1) -> Radar:
    return Radar(
        id=rid,
        owner="u1",
        name=f"名字 {rid}",
        query=query,
        revision=revision,
        language="en",
        schedule=BriefingSchedule(kind="weekly", weekday=3, hour=9),
        created_at=NOW,
        updated_at=NOW + dt.timedelta(minutes=revision),
    )


def test_a_held_radar_reads_back_equal_and_the_mapping_behaves_as_a_dict() -> None:
    held = HeldRadars()
    first, second = radar("r1", '"cold atoms" OR qubit*'), radar("r2", "cat:hep-th", 3)
    held["r1"], held["r2"] = first, second
    assert held["r1"] == first
    assert held["r2"] == second
    assert held.get("r3") is None
    assert "r2" in held
    assert "r3" not in held
    assert list(held) == ["r1", "r2"]
    assert len(held) == 2
    held["r1"] = radar("r1", "quantum", 2)
    assert held["r1"].query == "quantum"
    assert held["r1"].revision == 2
    assert held.pop("r2") == second
    assert list(held) == ["r1"]
    with pytest.raises(KeyError):
        held["r2"]


def test_held_radars_survive_a_pickle_as_in_the_index_snapshot() -> None:
    registry = RadarRegistry()
    registry.load([radar("r1", "quantum"), radar("r2", "entanglement", 4)])
    again = pickle.loads(pickle.dumps(registry, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(again.radars, HeldRadars)
    assert dict(again.radars) == dict(registry.radars)
    assert again.radars["r2"].revision == 4
