"""Why a search found nothing (when that can be told) and what to try next. Pure.

The papers are English (titles and abstracts as the sources publish them), so a query in
Chinese finds nothing however apt it is; a query of only function words ("the", "of")
matches nearly everything and helps nobody; a date range can hold no papers at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from academichub.radar.ast import And, Node, Not, Or, Phrase, Word

# Ideographs, kana and hangul: text the English corpus cannot match.
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# The commonest English function words: a query made of nothing else says nothing.
STOP_WORDS: Final = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    )
)


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _words(node: Node) -> list[str] | None:
    """The text words of a query made only of words and phrases (None otherwise)."""
    if isinstance(node, Word):
        return [node.raw.lower()]
    if isinstance(node, Phrase):
        return node.raw.lower().split()
    if isinstance(node, And | Or):
        found: list[str] = []
        for child in node.children:
            words = _words(child)
            if words is None:
                return None
            found.extend(words)
        return found
    if isinstance(node, Not):
        return _words(node.child)
    return None


def only_stop_words(node: Node) -> bool:
    words = _words(node)
    return bool(words) and all(w in STOP_WORDS for w in words or ())


@dataclass(frozen=True)
class Hint:
    key: str  # the i18n catalogue entry
    values: dict[str, str]
    link: str | None = None  # the next step, when it is a page
    link_key: str | None = None
