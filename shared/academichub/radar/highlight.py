"""Query-aware snippets: a window of a title or abstract around the query's hits.

The web layer gets segments ``(text, is_hit)`` and does the escaping and marking itself,
so no markup is ever built from untrusted feed text here. Hits are found with the same
analysis and the same probes as matching (each leaf's title and abstract readings, see
:mod:`academichub.radar.leaves`), while the segments are slices of the original text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, NamedTuple

from academichub.contracts import MatchedTerm, Paper
from academichub.radar.analysis import TOKEN_RE, normalise, stem
from academichub.radar.ast import And, Leaf, Node, Not, Or
from academichub.radar.document import PaperDocument
from academichub.radar.leaves import Op, Probe, leaf_of, spans

__all__ = [
    "ELLIPSIS",
    "PositiveTerms",
    "fired_words",
    "positive_terms",
    "snippet",
    "token_spans",
]

ELLIPSIS: Final = "…"

Segment = tuple[str, bool]


@dataclass(frozen=True, slots=True)
class PositiveTerms:
    """The title and abstract probes of a query's leaves (those under a NOT are not
    highlighted), each once; ``stemmed``: read against stems, else against the words as
    written (a prefix)."""

    probes: tuple[tuple[Probe, bool], ...]

    def __bool__(self) -> bool:
        return bool(self.probes)


def positive_terms(node: Node | None) -> PositiveTerms:
    found: dict[tuple[Op, tuple[str, ...], bool], tuple[Probe, bool]] = {}

    def visit(n: Node) -> None:
        if isinstance(n, And | Or):
            for child in n.children:
                visit(child)
        elif not isinstance(n, Not):
            # Not: what it excludes is absent from a match.
            for reading in n.readings():
                if reading.field in _TEXT_FIELDS:
                    for probe in reading.probes:
                        stemmed = probe.stream in _TEXT_FIELDS
                        found.setdefault((probe.op, probe.values, stemmed), (probe, stemmed))

    if node is not None:
        visit(node)
    return PositiveTerms(tuple(found.values()))


_TEXT_FIELDS: Final = ("title", "abstract")


class TokenSpan(NamedTuple):
    start: int  # character offsets in the original text
    end: int
    token: str  # normalised token, unstemmed


_NON_ASCII_RE: Final = re.compile(r"[^\x00-\x7f]")


def token_spans(text: str) -> list[TokenSpan]:
    """The tokens of :func:`academichub.radar.analysis.tokenize`, with their offsets in
    ``text``.

    Normalising changes lengths (the ligature 'ﬁ' becomes 'fi', 'ß' 'ss', an accent
    goes), so the text is normalised one character cluster (a base and its combining
    marks) at a time, remembering which original characters each normalised character came
    from: a hit marks the original characters, accents and all.
    """
    tokens = _Tokens.of(text)
    return [TokenSpan(*tokens.span(k, k), token) for k, token in enumerate(tokens.tokens)]


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The tokens of a text and where they are, without an object per token (snippets are
    made for every search hit, and only a few tokens of each are hits)."""

    tokens: list[str]
    # In the normalised text, token k runs from bounds[2k] to bounds[2k + 1].
    bounds: list[int]
    # Original start and end of each analysed character; None where they are the same.
    origin: tuple[list[int], list[int]] | None

    @classmethod
    def of(cls, text: str) -> _Tokens:
        if text.isascii():
            # Normalising maps ASCII one to one (lower case): offsets in the normalised
            # text are offsets in the original.
            return cls._split(text.lower(), None)
        normalised, starts, ends = _normalised_with_origins(text)
        return cls._split(normalised, (starts, ends))

    @classmethod
    def _split(cls, analysed: str, origin: tuple[list[int], list[int]] | None) -> _Tokens:
        tokens: list[str] = []
        bounds: list[int] = []
        for found in TOKEN_RE.finditer(analysed):
            tokens.append(found.group(1))
            bounds.extend(found.span(1))
        return cls(tokens, bounds, origin)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Where tokens ``first`` to ``last`` (inclusive) are in the original text."""
        start, end = self.bounds[2 * first], self.bounds[2 * last + 1]
        if self.origin is None:
            return start, end
        return self.origin[0][start], self.origin[1][end - 1]


def _normalised_with_origins(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` normalised cluster by cluster, and for each normalised character the start
    and end of the cluster it came from. ASCII stretches (no combining mark follows) are
    lower-cased in one go: there every character is its own cluster and maps to one."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        found = _NON_ASCII_RE.search(text, i)
        stop = n if found is None else found.start()
        if stop < n and stop > i and unicodedata.combining(text[stop]):
            stop -= 1  # the last ASCII character is the base of a mark: a cluster
        if stop > i:
            pieces.append(text[i:stop].lower())
            starts.extend(range(i, stop))
            ends.extend(range(i + 1, stop + 1))
            i = stop
        if i < n:
            j = i + 1
            while j < n and unicodedata.combining(text[j]):
                j += 1
            piece = _normalise_cluster(text[i:j])
            pieces.append(piece)
            starts.extend([i] * len(piece))
            ends.extend([j] * len(piece))
            i = j
    return "".join(pieces), starts, ends


@functools.lru_cache(maxsize=4096)
def _normalise_cluster(cluster: str) -> str:
    return normalise(cluster)


def _hits(text: str, terms: PositiveTerms) -> list[tuple[int, int]]:
    """Character ranges of hits, in order, overlapping ones merged."""
    found = _Tokens.of(text)
    tokens = found.tokens
    stems = list(map(stem, tokens))
    # (first token, last token) of each hit, read as matching reads the paper.
    hit_tokens = [
        span
        for probe, stemmed in terms.probes
        for span in spans(probe, stems if stemmed else tokens)
    ]
    ranges = sorted(found.span(first, last) for first, last in hit_tokens)
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def fired_words(paper: Paper, terms: Iterable[MatchedTerm]) -> tuple[str, ...]:
    """The "why" of a match as the paper writes it: each fired term once, as the first
    text its leaf holds in the paper (a term fired in the title and the abstract is shown
    from the title: ``Surface codes``, never the stems ``surface code``), an author term
    as the author's name as listed, a category, source or announce type as stored. Words
    that read alike (case, accents) are listed once. A term the paper no longer holds
    (recorded under an older analysis, or the paper changed since) is left out: a stem is
    never shown."""
    doc: PaperDocument | None = None  # analysed only if a term is not title or abstract
    found: dict[str, str] = {}
    shown: set[tuple[str, str]] = set()
    for term in terms:
        key = ("text" if term.field in _TEXT_FIELDS else term.field, term.term)
        if key in shown:
            continue
        shown.add(key)
        leaf = leaf_of(term)
        if term.field in _TEXT_FIELDS:
            surface = _written_text(leaf, paper.title if term.field == "title" else paper.abstract)
        else:
            doc = doc or PaperDocument.from_paper(paper)
            surface = _written_value(leaf, term.field, doc)
        if surface is not None:
            found.setdefault(normalise(surface), surface)
    return tuple(found.values())


def _written_text(leaf: Leaf, text: str) -> str | None:
    """The first stretch of ``text`` (a title or abstract, the one field of ``leaf``'s
    readings) that ``leaf`` holds, as written."""
    tokens = _Tokens.of(text)
    stems = list(map(stem, tokens.tokens))
    for reading in leaf.readings():
        for probe in reading.probes:
            stemmed = probe.stream in _TEXT_FIELDS
            first = next(spans(probe, stems if stemmed else tokens.tokens), None)
            if first is not None:
                start, end = tokens.span(*first)
                return text[start:end]
    return None


def _written_value(leaf: Leaf, field: str, doc: PaperDocument) -> str | None:
    """The first value of ``field`` (author, cat, source, type) that ``leaf`` holds, as
    the paper writes it."""
    probes = [p for r in leaf.readings() for p in r.probes]
    for written, values in doc.written(field):
        if any(next(spans(p, value), None) for p in probes for value in values):
            return written
    return None


def snippet(text: str, node: Node | None, max_chars: int = 300) -> list[Segment]:
    """At most ``max_chars`` characters of ``text`` (ellipses included) around the densest
    hits of ``node``'s positive text terms; without hits, the start of the text."""
    if max_chars < 2:
        raise ValueError("max_chars must leave room for at least one character and '…'")
    terms = positive_terms(node)
    hits = _hits(text, terms) if terms else []
    if len(text) <= max_chars:
        return _segments(text, 0, len(text), hits)
    if not hits:
        end = _cut_back(text, 0, max_chars - 1)
        return [(text[:end].rstrip() + ELLIPSIS, False)]
    start, end = _window(text, hits, max_chars - 2)  # room for an ellipsis on each side
    segments = _segments(text, start, end, [h for h in hits if start <= h[0] and h[1] <= end])
    if start > 0:
        segments.insert(0, (ELLIPSIS, False))
    if end < len(text):
        segments.append((ELLIPSIS, False))
    return _join_plain(segments)


def _window(text: str, hits: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width``-character window holding the most hits, hits centred in it and its
    edges moved onto word boundaries."""
    best_first, best_last = 0, 0
    last = 0
    for first in range(len(hits)):
        last = max(last, first)
        while last + 1 < len(hits) and hits[last + 1][1] - hits[first][0] <= width:
            last += 1
        if last - first > best_last - best_first:
            best_first, best_last = first, last
    hit_start, hit_end = hits[best_first][0], hits[best_last][1]
    if hit_end - hit_start > width:  # a single hit longer than the window: show its start
        hit_end = hit_start + width
    slack = width - (hit_end - hit_start)
    start = max(0, hit_start - slack // 2)
    end = min(len(text), start + width)
    start = max(0, end - width)
    if start > 0:
        start = _cut_forward(text, start, hit_start)
    if end < len(text):
        end = _cut_back(text, max(start, hit_end), end)
    return start, end


def _cut_forward(text: str, start: int, limit: int) -> int:
    """Move ``start`` past a partial word, not beyond ``limit``."""
    if text[start - 1].isspace():
        return start
    space = next((i for i in range(start, limit) if text[i].isspace()), None)
    if space is None:
        return start
    while space < limit and text[space].isspace():
        space += 1
    return space


def _cut_back(text: str, floor: int, end: int) -> int:
    """Move ``end`` back to the end of the last whole word, not below ``floor``."""
    if end >= len(text) or text[end].isspace():
        return end
    space = next((i for i in range(end - 1, floor - 1, -1) if text[i].isspace()), None)
    if space is None or space == 0:
        return end
    while space > floor and text[space - 1].isspace():
        space -= 1
    return space


def _segments(text: str, start: int, end: int, hits: list[tuple[int, int]]) -> list[Segment]:
    segments: list[Segment] = []
    cursor = start
    for hit_start, hit_end in hits:
        if hit_start > cursor:
            segments.append((text[cursor:hit_start], False))
        segments.append((text[hit_start:hit_end], True))
        cursor = hit_end
    if cursor < end:
        segments.append((text[cursor:end], False))
    return segments


def _join_plain(segments: list[Segment]) -> list[Segment]:
    joined: list[Segment] = []
    for text, is_hit in segments:
        if joined and not is_hit and not joined[-1][1]:
            joined[-1] = (joined[-1][0] + text, False)
        elif text:
            joined.append((text, is_hit))
    return joined
