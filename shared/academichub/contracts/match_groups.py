"""Matches as the matcher finds, records and publishes them: per paper version, side by side.

At 100,000 radars a paper matches ~150 of them. :class:`FoundMatches` holds one paper
version's matches as parallel lists (radar ids, scores, fired terms) instead of an object
per match, and :func:`match_events` turns them into ``matches`` events of version 3
(:class:`~academichub.contracts.events.PaperMatches`): one per paper version and
partition, encoded straight from the lists. Both are checked against the models
(a test decodes what they write), which remain the definition of the wire form; they are
written by hand only because building and validating a model per match was a measured
third of the matcher's time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

import pydantic_core

from academichub.contracts.events import (
    MAX_GROUP_MATCHES,
    Match,
    MatchedTerm,
    MatchOrigin,
    NearestPaper,
    PaperMatches,
    ScoreKind,
    schema_versions,
)

MATCH_VERSION: Final = Match.model_fields["schema_version"].default
GROUP_VERSION: Final = max(schema_versions(PaperMatches))


@dataclass(slots=True)
class FoundMatches:
    """The matches of one paper version found at ``matched_at``: radar ``radar_ids[i]``
    with ``scores[i]`` for ``terms[i]``; ``kinds[i]`` and ``nearest[i]`` as in
    :class:`Match` (``None``, as the keyword role has it: all ``keyword``, none near);
    ``origin`` as in :class:`Match`, one for the group. ``new_paper``: the paper was
    stored for the first time just before it was matched, so no match of it can be
    recorded yet (the store need not look; it refuses, loudly, a row that exists after
    all)."""

    paper_id: str
    version: int | None
    matched_at: dt.datetime
    radar_ids: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    terms: list[tuple[MatchedTerm, ...]] = field(default_factory=list)
    new_paper: bool = False
    kinds: list[ScoreKind] | None = None
    nearest: list[tuple[NearestPaper, ...]] | None = None
    origin: MatchOrigin = "live"

    def add(
        self,
        radar_id: str,
        score: float,
        terms: tuple[MatchedTerm, ...],
        kind: ScoreKind = "keyword",
        nearest: tuple[NearestPaper, ...] = (),
    ) -> None:
        held = len(self.radar_ids)
        if self.kinds is None and kind != "keyword":
            self.kinds = ["keyword"] * held
        if self.nearest is None and nearest:
            self.nearest = [()] * held
        self.radar_ids.append(radar_id)
        self.scores.append(score)
        self.terms.append(terms)
        if self.kinds is not None:
            self.kinds.append(kind)
        if self.nearest is not None:
            self.nearest.append(nearest)

    def kind(self, i: int) -> ScoreKind:
        return "keyword" if self.kinds is None else self.kinds[i]

    def nearest_of(self, i: int) -> tuple[NearestPaper, ...]:
        return () if self.nearest is None else self.nearest[i]

    def __len__(self) -> int:
        return len(self.radar_ids)

    def match_keys(self) -> Iterator[tuple[str, str, int | None]]:
        """Each match's key (radar, paper, version), as :attr:`Match.key`."""
        paper_id, version = self.paper_id, self.version
        return ((radar_id, paper_id, version) for radar_id in self.radar_ids)

    def each(self) -> Iterator[Match]:
        """The matches one by one, as models (for the few callers that want them)."""
        for i, radar_id in enumerate(self.radar_ids):
            yield Match(
                radar_id=radar_id,
                paper_id=self.paper_id,
                version=self.version,
                score=self.scores[i],
                score_kind=self.kind(i),
                terms=self.terms[i],
                nearest=self.nearest_of(i),
                matched_at=self.matched_at,
                origin=self.origin,
            )

    def match_json(self, i: int) -> str:
        """Match ``i`` as the JSON of its :class:`Match` event (what the store keeps)."""
        return pydantic_core.to_json(
            {
                "schema_version": MATCH_VERSION,
                "radar_id": self.radar_ids[i],
                "paper_id": self.paper_id,
                "version": self.version,
                "score": self.scores[i],
                "score_kind": self.kind(i),
                "terms": self.terms[i],
                "nearest": self.nearest_of(i),
                "matched_at": self.matched_at,
                "origin": self.origin,
            }
        ).decode("utf-8")


def regroup(matches: Iterable[Match]) -> list[FoundMatches]:
    """Matches gathered per (paper, version, matched_at, origin), in the order first met."""
    groups: dict[tuple[str, int | None, dt.datetime, MatchOrigin], FoundMatches] = {}
    for match in matches:
        key = (match.paper_id, match.version, match.matched_at, match.origin)
        group = groups.get(key)
        if group is None:
            group = groups[key] = FoundMatches(
                match.paper_id, match.version, match.matched_at, origin=match.origin
            )
        group.add(match.radar_id, match.score, match.terms, match.score_kind, match.nearest)
    return list(groups.values())


def match_events(
    found: Sequence[FoundMatches], partition_of: Callable[[str], int]
) -> list[tuple[str, bytes]]:
    """(key, value) of the ``matches`` events carrying ``found``: per paper version one
    event per partition its radars' keys fall on (``partition_of``, the producer's
    partitioner), at most :data:`MAX_GROUP_MATCHES` matches each, keyed by its first
    radar id (so the producer puts it on that partition)."""
    events: list[tuple[str, bytes]] = []
    for group in found:
        parts: dict[int, list[int]] = {}
        for i, radar_id in enumerate(group.radar_ids):
            parts.setdefault(partition_of(radar_id), []).append(i)
        for members in parts.values():
            for start in range(0, len(members), MAX_GROUP_MATCHES):
                chunk = members[start : start + MAX_GROUP_MATCHES]
                value = pydantic_core.to_json(
                    {
                        "schema_version": GROUP_VERSION,
                        "paper_id": group.paper_id,
                        "version": group.version,
                        "matched_at": group.matched_at,
                        "origin": group.origin,
                        "matches": [
                            {
                                "radar_id": group.radar_ids[i],
                                "score": group.scores[i],
                                "score_kind": group.kind(i),
                                "terms": group.terms[i],
                                "nearest": group.nearest_of(i),
                            }
                            for i in chunk
                        ],
                    }
                )
                events.append((group.radar_ids[chunk[0]], value))
    return events


def flatten(found: Iterable[FoundMatches]) -> list[Match]:
    return [match for group in found for match in group.each()]
