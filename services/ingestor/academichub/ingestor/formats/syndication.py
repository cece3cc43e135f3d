"""RSS 1.0 (RDF), RSS 2.0 and Atom documents read into one shape: a channel and its items.

feedparser would read all three, but it keeps only the **last** of a repeated element
(``dc:identifier``: Science's DOI is followed by a HighWire id that wins) and the last
``dc:creator`` as ``author``. Here every element keeps every value, in document order, under a
key made of a namespace *family* and the local name:

====================  ========================================================================
key prefix            namespaces
====================  ========================================================================
(none)                RSS 2.0 (no namespace), RSS 1.0, RSS 0.90, Atom 1.0
``dc:``               Dublin Core elements and terms
``prism:``            every PRISM version (``purl.org/rss/1.0/modules/prism/``,
                      ``prismstandard.org/namespaces/basic/2.0/``, ...): matched on "prism"
``content:``          ``purl.org/rss/1.0/modules/content/``
``cc:``               Creative Commons (``web.resource.org/cc/``, ``creativecommons.org/ns#``)
``{uri}``             anything else, under its full namespace
====================  ========================================================================

Values are the element's text, except: an Atom ``link`` is its ``href`` (under ``link`` for
``rel="alternate"`` or no rel, else ``link:<rel>``), an Atom ``author``/``contributor`` its
``name``, an Atom ``category`` its ``term``, and an empty element with ``rdf:resource`` that
attribute (``<cc:license rdf:resource="..."/>``). ``rdf:about`` of an RSS 1.0 item is kept too.
Text is raw: callers clean it (whitespace-padded CDATA included).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from academichub.ingestor.formats import FeedError, Repair
from academichub.ingestor.formats.documents import element_text, load_xml, local_name, namespace

_RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ATOM: Final = "http://www.w3.org/2005/Atom"
_PLAIN_NAMESPACES: Final = frozenset(
    {"", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/", _ATOM}
)
_FAMILIES: Final = {
    "http://purl.org/dc/elements/1.1/": "dc:",
    "http://purl.org/dc/terms/": "dc:",
    "http://purl.org/rss/1.0/modules/content/": "content:",
    "http://web.resource.org/cc/": "cc:",
    "http://creativecommons.org/ns#": "cc:",
    _RDF: "rdf:",
}
# Children of the channel that are structure, not channel fields.
_STRUCTURE: Final = frozenset({"item", "entry", "items", "image", "textinput", "textInput"})

Kind = Literal["rss1", "rss2", "atom"]


@dataclass(frozen=True, slots=True)
class Fields:
    """Every value of every child element, by key (see the module docstring), in order."""

    values: Mapping[str, tuple[str, ...]]

    def all(self, *keys: str) -> tuple[str, ...]:
        """The values of ``keys``, the first key's values first."""
        return tuple(value for key in keys for value in self.values.get(key, ()))

    def first(self, *keys: str) -> str | None:
        """The first value of the first key that has a non-blank one, stripped."""
        for value in self.all(*keys):
            if value.strip():
                return value.strip()
        return None


@dataclass(frozen=True, slots=True)
class Channel:
    kind: Kind
    fields: Fields
    items: tuple[Fields, ...]
    skip_days: tuple[str, ...]
    repairs: tuple[Repair, ...] = ()  # what decoding the document changed


def read_syndication(data: bytes, *, expected: str) -> Channel:
    """The channel and items of an RSS 1.0, RSS 2.0 or Atom document.

    Raises :class:`~academichub.ingestor.formats.FeedError` if the bytes are refused by
    :func:`.documents.load_xml` or the root is none of ``rdf:RDF``, ``rss``, Atom ``feed``.
    """
    root, repaired = load_xml(data, expected=expected)
    name, uri = local_name(root.tag), namespace(root.tag)
    if name == "RDF" and uri == _RDF:
        channel = _child(root, "channel")
        items = [child for child in root if local_name(child.tag) == "item"]
        if channel is not None and not items:
            # Some RSS 1.0 writers nest the items in the channel, as RSS 2.0 does.
            items = [child for child in channel if local_name(child.tag) == "item"]
        return Channel("rss1", _fields(channel), tuple(map(_fields, items)), (), repaired)
    if name == "rss":
        channel = _child(root, "channel")
        if channel is None:
            raise FeedError(f"not {expected}: <rss> has no <channel>")
        items = [child for child in channel if local_name(child.tag) == "item"]
        return Channel(
            "rss2", _fields(channel), tuple(map(_fields, items)), _skip_days(channel), repaired
        )
    if name == "feed" and uri == _ATOM:
        entries = [child for child in root if child.tag == f"{{{_ATOM}}}entry"]
        return Channel("atom", _fields(root), tuple(map(_fields, entries)), (), repaired)
    raise FeedError(
        f"not {expected}: the root element is <{name}>, not rdf:RDF, rss or an Atom feed"
    )


def _child(parent: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in parent if local_name(child.tag) == name), None)


def _fields(element: ET.Element | None) -> Fields:
    values: dict[str, list[str]] = {}
    if element is None:
        return Fields({})
    about = element.get(f"{{{_RDF}}}about")
    if about is not None:
        values["rdf:about"] = [about]
    # ElementTree's default parser drops comments and processing instructions, so every
    # child is an element.
    for child in element:
        name, uri = local_name(child.tag), namespace(child.tag)
        if name in _STRUCTURE and uri in _PLAIN_NAMESPACES:
            continue
        key, value = _key_and_value(child, name, uri)
        if value is not None:
            values.setdefault(key, []).append(value)
    return Fields({key: tuple(found) for key, found in values.items()})


def _key_and_value(child: ET.Element, name: str, uri: str) -> tuple[str, str | None]:
    if uri == _ATOM:
        if name == "link":
            rel = child.get("rel") or "alternate"
            return ("link" if rel == "alternate" else f"link:{rel}"), child.get("href")
        if name in {"author", "contributor"}:
            return name, element_text(child.find(f"{{{_ATOM}}}name"))
        if name == "category":
            return name, child.get("term") or element_text(child)
    key = f"{_family(uri)}{name}"
    text = element_text(child)
    if not (text or "").strip():
        resource = child.get(f"{{{_RDF}}}resource")
        if resource is not None:
            return key, resource
    return key, text


def _family(uri: str) -> str:
    if uri in _PLAIN_NAMESPACES:
        return ""
    family = _FAMILIES.get(uri)
    if family is not None:
        return family
    if "prism" in uri.lower():
        return "prism:"
    return f"{{{uri}}}"


def _skip_days(channel: ET.Element) -> tuple[str, ...]:
    block = _child(channel, "skipDays")
    days: Iterable[ET.Element] = () if block is None else block
    names = ((element_text(day) or "").strip().capitalize() for day in days)
    return tuple(name for name in names if name)
