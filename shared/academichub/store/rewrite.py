"""Rewriting a stored paper in place: the one rule every store's ``rewrite_papers`` keeps."""

from __future__ import annotations

from collections.abc import Callable

from academichub.contracts import Paper

__all__ = ["rewritten"]


def rewritten(rewrite: Callable[[Paper], Paper], paper: Paper) -> Paper:
    """``rewrite(paper)``, refused if it changed the paper's identity: the stored (id,
    version) keys matches, briefings and history, so a rewrite may change text only."""
    new = rewrite(paper)
    if new.key != paper.key:
        raise ValueError(
            f"a rewrite must keep a paper's id and version: {paper.key} became {new.key}"
        )
    return new
