"""Which radars the matcher holds, at which revision: the rules that make the
``radars`` topic safe to replay from the start any number of times.

Each role of the matcher holds the radars it matches (``wants``): the keyword role the
radars whose query alone decides (:func:`keyword_radar`), the embedding role the others
(:func:`~academichub.semantic.radars.decided_by_meaning`). A radar that changes sides (a
keyword radar given seeds, or learning from its second rating) leaves one registry as it
enters the other, on the same change. The index holds the queries of the radars held
that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from academichub.contracts import Radar, RadarChange
from academichub.matcher.domain.held_radars import HeldRadars
from academichub.radar.ast import And, AnnounceType, Node, Or
from academichub.radar.index import RadarIndex
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.semantic.radars import decided_by_meaning


def keyword_radar(radar: Radar) -> bool:
    """Whether the radar's query alone decides and orders its matches."""
    return not decided_by_meaning(radar)


@dataclass
class RadarRegistry:
    index: RadarIndex = field(default_factory=RadarIndex)
    # The keyword role's radars are read only when they change: held compactly.
    radars: MutableMapping[str, Radar] = field(default_factory=HeldRadars)
    # Highest revision seen per radar id, deleted ones included, so an old upsert
    # replayed after a delete does not bring the radar back.
    revisions: dict[str, int] = field(default_factory=dict)
    # Radars that asked for new versions of papers they already matched (type:replace).
    follows_updates: set[str] = field(default_factory=set)
    # Which radars this registry holds (the others are only tracked by revision).
    wants: Callable[[Radar], bool] = keyword_radar

    def load(self, radars: Iterable[Radar]) -> list[tuple[str, str]]:
        """Install radars read from the store; return (radar id, error) for unusable ones."""
        problems = []
        for radar in radars:
            try:
                self._install(radar)
            except QuerySyntaxError as exc:
                problems.append((radar.id, str(exc)))
        return problems

    def sync(self, stored: Mapping[str, int], read: Callable[[str], Radar | None]) -> SyncReport:
        """Make the registry hold exactly the store's radars -- ``stored``, every radar's
        revision, the source of truth -- after changes may not have reached it (a broker
        that lost the ``radars`` topic, or a snapshot of the index older than the store):
        radars stored at a newer revision than seen are read with ``read`` and installed,
        radars held that the store no longer has are removed (their revision is kept, so
        an old upsert replayed later does not bring them back). A radar the store read
        again at an older revision than the topic brought (a delete) stays as it is."""
        report = SyncReport()
        for radar_id in [r for r in self.radars if r not in stored]:
            self._forget(radar_id)
            report.removed.append(radar_id)
        for radar_id, revision in stored.items():
            if self.revisions.get(radar_id, 0) >= revision:
                continue
            radar = read(radar_id)
            if radar is None:
                continue  # deleted since the revisions were read
            try:
                self._install(radar)
            except QuerySyntaxError as exc:
                report.problems.append((radar_id, str(exc)))
                continue
            if radar_id in self.radars:
                report.installed.append(radar_id)
        return report

    def take(self, other: RadarRegistry) -> None:
        """Hold what ``other`` holds (a registry loaded elsewhere, into this one that the
        pipeline and the handlers already share)."""
        self.index = other.index
        self.radars = other.radars
        self.revisions = other.revisions
        self.follows_updates = other.follows_updates

    def apply(self, change: RadarChange) -> bool:
        """Apply a change if it is newer than what is held; True if anything changed.

        Raises QuerySyntaxError for an upsert whose query does not parse (a poison event:
        the gateway validates queries, so this is a producer bug or a forged event).
        """
        if change.revision <= self.revisions.get(change.radar_id, 0):
            return False
        if change.kind == "delete":
            self.revisions[change.radar_id] = change.revision
            self._forget(change.radar_id)
            return True
        assert change.radar is not None  # guaranteed by RadarChange's validator
        self._install(change.radar)
        return True

    def _install(self, radar: Radar) -> None:
        if not self.wants(radar):
            self._forget(radar.id)
        elif radar.has_query:
            node = parse_query(radar.query)
            self.index.add(radar.id, node)
            if asks_for_updates(node):
                self.follows_updates.add(radar.id)
            else:
                self.follows_updates.discard(radar.id)
            self.radars[radar.id] = radar
        else:
            self.index.remove(radar.id)
            self.follows_updates.discard(radar.id)
            self.radars[radar.id] = radar
        self.revisions[radar.id] = max(radar.revision, self.revisions.get(radar.id, 0))

    def _forget(self, radar_id: str) -> None:
        self.radars.pop(radar_id, None)
        self.follows_updates.discard(radar_id)
        self.index.remove(radar_id)

    def __len__(self) -> int:
        return len(self.radars)


@dataclass
class SyncReport:
    """What :meth:`RadarRegistry.sync` changed: radar ids installed (new or newer) and
    removed, and the radars it could not install (id, error)."""

    installed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


UPDATE_TYPES = frozenset({"replace", "replace-cross"})


def asks_for_updates(node: Node) -> bool:
    """Whether the query positively mentions a replacement announce type."""
    if isinstance(node, AnnounceType):
        return node.value in UPDATE_TYPES
    if isinstance(node, And | Or):
        return any(asks_for_updates(child) for child in node.children)
    # Under a NOT a replacement type is excluded, not asked for.
    return False
