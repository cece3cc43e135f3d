"""Canonical paper lines: the JSON-lines files that ``academichub parse`` prints and the
file commands (``match``, ``embed``, ``rank``, ``brief``) and benchmarks read.

A line that is not JSON or not a valid paper is reported as ``file:line: problem`` and
skipped; every other line is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from academichub.contracts.events import Paper


def json_lines(path: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's number and JSON value, or the decoding error in its place."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, exc


def load_papers(path: str) -> tuple[list[Paper], list[str]]:
    """The file's papers in file order, and a problem line for each line that is none."""
    papers, problems = [], []
    for number, item in json_lines(path):
        if isinstance(item, json.JSONDecodeError):
            problems.append(f"{path}:{number}: not JSON: {item.msg}")
            continue
        try:
            papers.append(Paper.model_validate(item))
        except ValidationError as exc:
            problems.append(f"{path}:{number}: invalid paper: {exc.errors()[0]['msg']}")
    return papers, problems
