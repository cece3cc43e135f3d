"""The radar index snapshot: a restarted matcher holds exactly the store's radars, whether
it read them from its snapshot (brought up to date by revision) or built them again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from academichub.contracts import Paper, Radar
from academichub.matcher import snapshot
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.store.memory import InMemoryStore

NOW = dt.datetime(2026, 6, 12, 4, 0, tzinfo=dt.UTC)


def radar(rid: str, query: str, revision: int = 1) -> Radar:
    return Radar(
        id=rid,
        owner="u1",
        name=rid,
        query=query,
        revision=revision,
        created_at=NOW,
        updated_at=NOW,
    )


def matched(registry: RadarRegistry, title: str) -> list[str]:
    paper = Paper(
        id="arxiv:2506.00001",
        version=1,
        source="arxiv",
        title=title,
        abstract="",
        published=dt.date(2026, 6, 12),
    )
    return sorted(hit.radar_id for hit in registry.index.match(PaperDocument.from_paper(paper)))


def test_a_snapshot_is_brought_up_to_date_with_the_store(tmp_path: Path) -> None:
    path = tmp_path / snapshot.FILE_NAME
    store = InMemoryStore()
    for r in (radar("qc", "quantum"), radar("gone", "quantum"), radar("spin", "spin")):
        store.radars.put_radar(r)
    first = snapshot.load(store.radars, path)
    assert not first.from_snapshot
    # Saved before any paper was matched: the index's caches are still to be built.
    snapshot.save(first.registry, path)
    assert matched(snapshot.load(store.radars, path).registry, "Quantum spin") == [
        "gone",
        "qc",
        "spin",
    ]

    # While the matcher was down: one radar deleted, one changed, one added.
    store.radars.delete_radar("gone")
    store.radars.put_radar(radar("spin", "phonon", revision=2))
    store.radars.put_radar(radar("new", "spin"))
    again = snapshot.load(store.radars, path)
    assert again.from_snapshot
    assert matched(again.registry, "Quantum spin") == ["new", "qc"]
    assert matched(again.registry, "Phonon") == ["spin"]
    assert set(again.registry.radars) == {"qc", "spin", "new"}
    # The same as a registry built from the store.
    rebuilt = snapshot.load(store.radars, None)
    assert not rebuilt.from_snapshot
    assert matched(rebuilt.registry, "Quantum spin phonon") == matched(
        again.registry, "Quantum spin phonon"
    )


def test_a_snapshot_of_other_code_or_unreadable_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / snapshot.FILE_NAME
    store = InMemoryStore()
    store.radars.put_radar(radar("qc", "quantum"))
    snapshot.save(snapshot.load(store.radars, path).registry, path)
    assert snapshot.load(store.radars, path).from_snapshot
    with monkeypatch.context() as other_build:
        other_build.setattr(snapshot, "code_key", lambda: "another build")
        assert not snapshot.load(store.radars, path).from_snapshot
    path.write_bytes(b"not a pickle")
    loaded = snapshot.load(store.radars, path)
    assert not loaded.from_snapshot
    assert matched(loaded.registry, "Quantum") == ["qc"]
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind
