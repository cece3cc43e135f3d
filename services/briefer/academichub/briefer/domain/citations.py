"""Hold a model's draft to the rule "cite only the window's papers".

A model may invent paper ids, mangle real ones (``arXiv:2605.31544v2``), cite papers it
remembers from training, or mention ids in prose. :func:`clean_draft` turns an untrusted
:class:`~academichub.briefer.domain.draft.BriefingDraft` into
:class:`~academichub.briefer.domain.draft.BriefingParts` that cite window papers only:

- a cited id that names a window paper in another spelling is resolved to it;
- any other cited id is removed and counted, by reason:
  ``outside_window`` (a well-formed paper id not in the window) or ``not_a_paper_id``;
- an id mentioned in prose that is not a window paper is cut out of the text and counted
  as ``in_text_outside_window`` -- in every text the model writes: overviews, titles,
  syntheses, findings, a connection's fields, reasons and TL;DRs;
- a claim left without citations is dropped and counted by kind (``theme``,
  ``connection``, ``notable``, ``tldr``); a connection needs two papers to connect;
- texts and lists are capped, so a runaway answer cannot bloat the briefing.

The same rules hold a staged theme to its group (:func:`clean_theme`) and per-paper
TL;DRs to their own paper (:func:`clean_summaries`: a TL;DR cites nothing).
:func:`hold_to_window` applies the prose rule once more to every text field of a finished
briefing, whoever wrote it (the model, the extractive summariser quoting an abstract that
mentions another paper, an endpoint's error message in ``degraded_reason``), so that no field
of a published briefing names a paper outside its window.

Pure: no I/O; the caller turns the counts into metrics.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from academichub.briefer.domain.draft import (
    BriefingDraft,
    BriefingParts,
    DraftTheme,
    SummariesDraft,
)
from academichub.briefer.domain.text import clean_text, clip
from academichub.contracts import Connection, NotablePaper, PaperTldr, Theme
from academichub.contracts.events import PAPER_ID_RE

OVERVIEW_CHARS = 2000
TITLE_CHARS = 200
SYNTHESIS_CHARS = 1500
FINDING_CHARS = 800
REASON_CHARS = 400
TLDR_CHARS = 500
FIELD_CHARS = 60
MAX_THEMES = 12
MAX_CONNECTIONS = 8
MAX_NOTABLE = 10
MAX_FIELDS = 6

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z.-]*/\d{7}"
# An id as models write it: optional prefix or URL, optional version suffix.
_CITED_RE = re.compile(
    rf"^(?:(?:https?://)?(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?"
    rf"(?P<arxiv>{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?$"
    r"|^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?(?P<doi>10\.\d{4,9}/\S+)$",
    re.IGNORECASE,
)
# An id mentioned in prose: explicit "arxiv:"/"doi:" forms and bare new-style arXiv ids.
_IN_TEXT_RE = re.compile(
    rf"(?:arxiv:\s*(?:{_ARXIV_NEW}|{_ARXIV_OLD})|(?<![\w.]){_ARXIV_NEW})(?:v\d+)?"
    r"|doi:\s*10\.\d{4,9}/[^\s,;)\]）】]+",
    re.IGNORECASE,
)
_EMPTY_BRACKETS_RE = re.compile(r"\s*[(\[（【]\s*[,;，、\s]*\s*[)\]）】]")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([,.;:!?，。；：！？])")


def canonical_citation(raw: str) -> str | None:
    """The canonical paper id a citation spells, or None if it spells none."""
    text = raw.strip().strip("[]()<>{}'\"").strip().rstrip(".,;")
    m = _CITED_RE.match(text)
    if m is None:
        return None
    if m.group("arxiv"):
        return f"arxiv:{m.group('arxiv').lower()}"
    return f"doi:{m.group('doi').lower()}"


def ids_in_text(text: str) -> list[str]:
    """The paper ids ``text`` mentions in prose, canonical, in order (what the prose rule
    inspects; the quality report counts those outside a window)."""
    found = (canonical_citation(m.group(0).replace(" ", "")) for m in _IN_TEXT_RE.finditer(text))
    return [i for i in found if i is not None]


@dataclass
class CleanedDraft:
    parts: BriefingParts
    rejected: Counter[str] = field(default_factory=Counter)  # reason -> citations removed
    dropped: Counter[str] = field(default_factory=Counter)  # claim kind -> claims dropped


class _Cleaner:
    def __init__(self, window_ids: Sequence[str]) -> None:
        self.window = set(window_ids)
        self.rejected: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()

    def resolve(self, raw: str) -> str | None:
        canonical = canonical_citation(raw)
        if canonical is not None and canonical in self.window:
            return canonical
        if raw.strip() in self.window:
            return raw.strip()
        if canonical is not None or PAPER_ID_RE.match(raw.strip()):
            self.rejected["outside_window"] += 1
        else:
            self.rejected["not_a_paper_id"] += 1
        return None

    def theme(self, theme: DraftTheme) -> Theme | None:
        # Citations first: the prose of a claim that is dropped anyway is not inspected.
        ids = self.ids(theme.paper_ids)
        title = self.prose(theme.title, TITLE_CHARS) if ids else ""
        if not title:
            self.dropped["theme"] += 1
            return None
        return Theme(
            title=title, synthesis=self.prose(theme.synthesis, SYNTHESIS_CHARS), paper_ids=ids
        )

    def ids(self, raws: Sequence[str]) -> tuple[str, ...]:
        kept: list[str] = []
        for raw in raws:
            resolved = self.resolve(raw)
            if resolved is not None and resolved not in kept:
                kept.append(resolved)
        return tuple(kept)

    def prose(self, text: str, limit: int) -> str:
        return clip(clean_text(self.scrub(clean_text(text))), limit)

    def scrub(self, text: str) -> str:
        """``text`` with every paper id outside the window cut out (and counted); the same
        text, untouched, when it names none."""
        removed = 0

        def outside(m: re.Match[str]) -> str:
            nonlocal removed
            canonical = canonical_citation(m.group(0).replace(" ", ""))
            if canonical is not None and canonical in self.window:
                return m.group(0)
            removed += 1
            return ""

        scrubbed = _IN_TEXT_RE.sub(outside, text)
        if not removed:
            return text
        self.rejected["in_text_outside_window"] += removed
        scrubbed = _EMPTY_BRACKETS_RE.sub("", scrubbed)
        return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", scrubbed).strip()


def clean_draft(
    draft: BriefingDraft,
    window_ids: Sequence[str],
    *,
    fields_by_paper: Mapping[str, str] | None = None,
) -> CleanedDraft:
    """Briefing parts from ``draft`` that cite only ``window_ids``.

    ``fields_by_paper`` (paper id -> field) names a connection's fields when the model
    gave none.
    """
    c = _Cleaner(window_ids)

    themes = [t for t in (c.theme(theme) for theme in draft.themes) if t is not None]

    connections: list[Connection] = []
    for conn in draft.connections:
        ids = c.ids(conn.paper_ids)
        finding = c.prose(conn.finding, FINDING_CHARS) if len(ids) >= 2 else ""
        if not finding:
            c.dropped["connection"] += 1
            continue
        # A field's name is model text like any other: "see arxiv:9999.99999" is no field.
        fields = [field for field in (c.prose(f, FIELD_CHARS) for f in conn.fields) if field]
        if not fields and fields_by_paper:
            fields = sorted({fields_by_paper[i] for i in ids if i in fields_by_paper})
        connections.append(
            Connection(
                finding=finding,
                fields=tuple(dict.fromkeys(fields))[:MAX_FIELDS],
                paper_ids=ids,
            )
        )

    notable: list[NotablePaper] = []
    for item in draft.notable:
        resolved = c.resolve(item.paper_id)
        repeated = any(n.paper_id == resolved for n in notable)
        reason = c.prose(item.reason, REASON_CHARS) if resolved and not repeated else ""
        if resolved is None or not reason:
            c.dropped["notable"] += 1
            continue
        notable.append(NotablePaper(paper_id=resolved, reason=reason))

    tldrs: list[PaperTldr] = []
    for entry in draft.tldrs:
        resolved = c.resolve(entry.paper_id)
        repeated = any(t.paper_id == resolved for t in tldrs)
        text = c.prose(entry.tldr, TLDR_CHARS) if resolved and not repeated else ""
        if resolved is None or not text:
            c.dropped["tldr"] += 1
            continue
        tldrs.append(PaperTldr(paper_id=resolved, tldr=text))

    parts = BriefingParts(
        overview=c.prose(draft.overview, OVERVIEW_CHARS),
        themes=tuple(themes[:MAX_THEMES]),
        connections=tuple(connections[:MAX_CONNECTIONS]),
        notable=tuple(notable[:MAX_NOTABLE]),
        tldrs=tuple(tldrs),
    )
    return CleanedDraft(parts=parts, rejected=c.rejected, dropped=c.dropped)


@dataclass
class CleanedTheme:
    theme: Theme | None  # None when nothing it cited is in its group
    rejected: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


def clean_theme(theme: DraftTheme, group_ids: Sequence[str]) -> CleanedTheme:
    """A staged theme held to the papers of its group."""
    c = _Cleaner(group_ids)
    return CleanedTheme(theme=c.theme(theme), rejected=c.rejected, dropped=c.dropped)


@dataclass
class CleanedSummaries:
    tldrs: dict[str, tuple[str, str]]  # paper id -> (English, Chinese)
    rejected: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


def clean_summaries(draft: SummariesDraft, batch_ids: Sequence[str]) -> CleanedSummaries:
    """Per-paper TL;DRs for papers of the batch, each mentioning no paper but its own.

    A TL;DR is stored once and shown in every radar's briefing, so it may not cite
    anything: an id in its text that is not its own paper's is cut out and counted.
    """
    ids = _Cleaner(batch_ids)
    rejected: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    tldrs: dict[str, tuple[str, str]] = {}
    for entry in draft.summaries:
        paper_id = ids.resolve(entry.paper_id)
        if paper_id is None or paper_id in tldrs:
            dropped["tldr"] += 1
            continue
        own = _Cleaner([paper_id])
        en, zh = own.prose(entry.tldr_en, TLDR_CHARS), own.prose(entry.tldr_zh, TLDR_CHARS)
        rejected.update(own.rejected)
        if not en or not zh:
            dropped["tldr"] += 1
            continue
        tldrs[paper_id] = (en, zh)
    rejected.update(ids.rejected)
    return CleanedSummaries(tldrs=tldrs, rejected=rejected, dropped=dropped)


@dataclass
class HeldParts:
    parts: BriefingParts
    degraded_reason: str | None
    model: str | None
    rejected: Counter[str] = field(default_factory=Counter)


def hold_to_window(
    parts: BriefingParts,
    window_ids: Sequence[str],
    *,
    degraded_reason: str | None = None,
    model: str | None = None,
) -> HeldParts:
    """Every text field of a finished briefing with the paper ids outside ``window_ids``
    cut out and counted (``in_text_outside_window``); a text that names none is kept as it
    is, so an extractive briefing is changed only where it quotes another paper's id."""
    c = _Cleaner(window_ids)
    held = BriefingParts(
        overview=c.scrub(parts.overview),
        themes=tuple(
            Theme(title=c.scrub(t.title), synthesis=c.scrub(t.synthesis), paper_ids=t.paper_ids)
            for t in parts.themes
        ),
        connections=tuple(
            Connection(
                finding=c.scrub(conn.finding),
                fields=tuple(kept for kept in map(c.scrub, conn.fields) if kept),
                paper_ids=conn.paper_ids,
            )
            for conn in parts.connections
        ),
        notable=tuple(
            NotablePaper(paper_id=n.paper_id, reason=c.scrub(n.reason)) for n in parts.notable
        ),
        tldrs=tuple(PaperTldr(paper_id=t.paper_id, tldr=c.scrub(t.tldr)) for t in parts.tldrs),
    )
    return HeldParts(
        held,
        c.scrub(degraded_reason) if degraded_reason is not None else None,
        (c.scrub(model) or None) if model is not None else None,
        c.rejected,
    )
