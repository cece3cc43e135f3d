"""The compiled radar index kept across restarts, so a matcher with 100,000 radars is
ready in seconds.

Compiling 100,000 queries (reading them from the store, validating, parsing, indexing)
took 11 s and more; reading back the registry the last run held takes a fraction of it.
The snapshot is written when the matcher stops cleanly (its registry is complete then,
and writing does not hold up matching); at start it is read and brought up to date with
the store by revision: radars stored since (or at a newer revision) are read and
installed, radars gone from the store are removed. Changes that are still only on the
``radars`` topic arrive there as ever. Without a usable snapshot (none yet, another
build of the radar code, an unreadable file) the registry is built from the store.

The file is a pickle in the matcher's own data folder, written by the matcher only (a
temporary file renamed into place, so a crash never leaves half of one). It names the
radar code it was made by (a digest of ``academichub.radar``'s sources, the registry's
and the held radars' modules, and the Python version): a snapshot of another build is not used.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import academichub.matcher.domain.held_radars as held_radars_module
import academichub.matcher.domain.registry as registry_module
import academichub.radar
from academichub.matcher.domain.registry import RadarRegistry
from academichub.platform.heap import building_long_lived
from academichub.store.port import RadarStore

log = logging.getLogger(__name__)

FILE_NAME: Final = "matcher-radar-index.pickle"


@dataclass(frozen=True)
class Loaded:
    registry: RadarRegistry
    from_snapshot: bool
    problems: list[tuple[str, str]]  # (radar id, why it was not loaded)


def code_key() -> str:
    """What a snapshot must have been made by: the radar code's sources and Python."""
    digest = hashlib.sha256(sys.version.encode())
    roots = [Path(p) for p in academichub.radar.__path__]
    for root in roots:
        for source in sorted(root.rglob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    for module_file in (registry_module.__file__, held_radars_module.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()


def save(registry: RadarRegistry, path: Path) -> None:
    """Write the registry's snapshot (atomically: a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            pickle.dump((code_key(), registry), out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _read(path: Path) -> RadarRegistry | None:
    if not path.exists():
        return None
    try:
        with path.open("rb") as given, building_long_lived():
            key, registry = pickle.load(given)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        log.warning("radar index snapshot %s unreadable (%s): built from the store", path, exc)
        return None
    if key != code_key() or not isinstance(registry, RadarRegistry):
        log.info("radar index snapshot %s was made by other radar code: not used", path)
        return None
    return registry


def load(radars: RadarStore, path: Path | None) -> Loaded:
    """The registry of every stored radar: the snapshot at ``path`` brought up to date,
    or (without one) built from the store."""
    registry = _read(path) if path is not None else None
    if registry is None:
        registry = RadarRegistry()
        with building_long_lived():
            refused = registry.load(radars.list_radars())
        return Loaded(registry, from_snapshot=False, problems=refused)
    report = registry.sync(radars.radar_revisions(), radars.get_radar)
    return Loaded(registry, from_snapshot=True, problems=report.problems)
