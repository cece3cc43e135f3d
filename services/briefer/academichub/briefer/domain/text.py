"""Plain-text shaping for briefings: sentence splitting, clipping, whitespace.

Abstracts are plain text with TeX kept (``$\\theta$``), so a "." is not always the end
of a sentence: abbreviations, initials and decimals are not boundaries.
"""

from __future__ import annotations

import re
import unicodedata

# Lower-cased words after which "." does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "etc",
        "et",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "ref",
        "refs",
        "sec",
        "secs",
        "no",
        "vs",
        "resp",
        "approx",
        "cf",
        "ca",
        "dr",
        "prof",
        "mr",
        "ms",
        "st",
        "vol",
        "pp",
        "ch",
        "i.i.d",
    }
)
_BOUNDARY_RE = re.compile(r"([.!?]+)([\"'”’)\]]*)(\s+)|([。！？]+)")
_SPACE_RE = re.compile(r"\s+")
# Zero-width and bidirectional-control characters: invisible in a rendered title, they
# can hide text from a reader while a model still reads it.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """NFC, no control or invisible characters, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    text = "".join(c if c.isprintable() else " " for c in text)
    return _SPACE_RE.sub(" ", text).strip()


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order, stripped; an empty text has none."""
    text = clean_text(text)
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        if m.group(4) is None:
            before = text[start : m.start()].rsplit(" ", 1)[-1].lower()
            following = text[m.end() : m.end() + 1]
            # Not a boundary: "e.g. the", "et al. (2020)", "J. Smith", or a lower-case
            # continuation such as "approx. two".
            if (
                before.rstrip(".") in _ABBREVIATIONS
                or (len(before) == 1 and before.isalpha())
                or (following and following.islower())
            ):
                continue
        end = m.end() if m.group(4) is not None else m.start(3)
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
