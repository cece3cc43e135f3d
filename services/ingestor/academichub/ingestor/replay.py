"""Recorded feeds bundled with the project, replayed when there is no network.

Files in ``recorded/`` are named ``<format>_<label>.xml``; each becomes a ``file://`` feed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from academichub.ingestor.settings import FeedConfig


def replay_dir() -> Path:
    return Path(str(files("academichub.ingestor").joinpath("recorded")))


def replay_feeds(folder: Path | None = None) -> list[FeedConfig]:
    folder = folder or replay_dir()
    feeds = []
    for path in sorted(folder.glob("*_*.*")):
        fmt, _, label = path.stem.partition("_")
        feeds.append(FeedConfig(name=f"replay:{label}", format=fmt, url=path.resolve().as_uri()))
    return feeds
