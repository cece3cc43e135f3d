"""A radar's matches and briefings as an Atom 1.0 feed (RFC 4287). Pure: no framework, no
I/O. A briefing is an entry beside the matches (``urn:academichub:briefing:<id>``, updated
when a model rewrites it), whose summary is its overview and themes and whose link is its
page.

ElementTree escapes every text and attribute, so feed-supplied titles and abstracts can
never become markup; characters XML 1.0 forbids (control characters a feed may carry)
are dropped first, because no escaping can represent them.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from academichub.contracts import Briefing, Paper, Radar

ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedItem:
    paper: Paper
    matched_at: dt.datetime
    terms: tuple[str, ...]  # why it matched, as the paper writes it


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = _text(text)
    return element


def radar_feed(
    radar: Radar,
    items: Sequence[FeedItem],
    *,
    base_url: str,
    briefings: Sequence[Briefing] = (),
) -> bytes:
    """The feed document. ``base_url`` (scheme and host) makes the links absolute, as
    feed readers need."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "id", f"urn:academichub:radar:{radar.id}")
    _add(feed, "title", f"AcademicHub · {radar.name}")
    _add(feed, "subtitle", radar.query)
    moments = [i.matched_at for i in items] + [b.created_at for b in briefings]
    newest = max(moments, default=radar.updated_at)
    _add(feed, "updated", _iso(newest))
    _add(feed, "link", rel="alternate", href=f"{base_url}/radars/{radar.id}")
    _add(_add(feed, "author"), "name", "AcademicHub")
    _add(feed, "generator", "AcademicHub")
    for briefing in briefings:
        _briefing_entry(feed, briefing, base_url)
    for item in items:
        paper = item.paper
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:academichub:radar:{radar.id}:{paper.id}")
        _add(entry, "title", paper.title)
        _add(entry, "updated", _iso(item.matched_at))
        _add(entry, "published", f"{paper.published.isoformat()}T00:00:00Z")
        link = paper.url if paper.url and paper.url.startswith(("https://", "http://")) else None
        _add(entry, "link", rel="alternate", href=link or f"{base_url}/papers/{paper.id}")
        for name in paper.authors:
            _add(_add(entry, "author"), "name", name)
        for category in paper.categories:
            _add(entry, "category", term=_text(category))
        why = f"[{', '.join(item.terms)}] " if item.terms else ""
        _add(entry, "summary", why + paper.abstract, type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _briefing_entry(feed: ET.Element, briefing: Briefing, base_url: str) -> None:
    zh = briefing.language == "zh"
    entry = _add(feed, "entry")
    _add(entry, "id", f"urn:academichub:briefing:{briefing.id}")
    label = f"简报 第 {briefing.window} 期" if zh else f"Briefing, window {briefing.window}"
    papers = f"{len(briefing.paper_ids)} 篇论文" if zh else f"{len(briefing.paper_ids)} papers"
    _add(entry, "title", f"{label} · {papers}")
    _add(entry, "updated", _iso(briefing.created_at))
    _add(entry, "published", _iso(briefing.window_closed_at))
    _add(entry, "link", rel="alternate", href=f"{base_url}/briefings/{briefing.id}")
    _add(entry, "category", term="briefing")
    lines = [briefing.overview]
    lines += [f"• {t.title}: {t.synthesis}" for t in briefing.themes]
    lines += [f"↔ {c.finding}" for c in briefing.connections]
    _add(entry, "summary", "\n".join(lines), type="text")
