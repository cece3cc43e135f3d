"""Untrusted document bytes to a parsed tree: XML with no DTD, or a JSON object.

Every parser except arxiv-rss (which goes through feedparser) loads its bytes here, so the
refusals are the same everywhere and each says what was wrong:

* empty bytes, an HTML page (an error page, a login wall), text that is not XML/JSON;
* **any** ``<!DOCTYPE``/``<!ENTITY`` before the root element. A DTD's entities can expand
  without bound ("billion laughs") or name files and URLs ("XXE"). expat 2.4+ stops the first
  and ElementTree never fetches the second, but neither should be left to a library version: no
  format read here needs a DTD, so the document is refused before any parser sees it;
* XML that is not well-formed, including a document cut short in transit -- a partial page
  would lose its resumption token or paging position, and the fetch should be repeated;
* a JSON body that is not an object.

The stdlib ElementTree is used (lxml is not a dependency); its C parser reads the 1.8 MB arXiv
OAI page in a few tens of milliseconds.
"""

from __future__ import annotations

import codecs
import html.entities
import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Final

from academichub.ingestor.formats import FeedError

# HTML entities are undefined in XML. A feed that uses them (`&eacute;`) is refused by a strict
# parser though every other byte is fine; they are turned into character references and the
# parse is tried once more. Only names html5 knows are touched; the five XML ones never are.
_NAMED_ENTITY_RE: Final = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES: Final = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_UNDEFINED_ENTITY: Final = 11  # expat's XML_ERROR_UNDEFINED_ENTITY
# expat's codes for input that stops inside something: no root end, a tag, a multi-byte
# character or a CDATA section cut in two. All four are what a dropped connection leaves.
_ENDED_EARLY: Final = frozenset({3, 5, 6, 20})
_HTML_DOCTYPE_RE: Final = re.compile(rb"DOCTYPE\s+html\b", re.IGNORECASE)


def load_xml(data: bytes, *, expected: str) -> ET.Element:
    """The root element of an XML document, after the checks in the module docstring.

    ``expected`` names the format in error messages ("an Atom feed", "an OAI-PMH response").
    """
    _refuse_empty(data, expected)
    refuse_dtd(data, expected)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        root = _parse_with_html_entities(data, exc, expected)
    if local_name(root.tag).lower() == "html":
        raise FeedError(f"not {expected}: got an HTML page")
    return root


def load_json_object(data: bytes, *, expected: str) -> dict[str, Any]:
    """The top-level object of a JSON document, after the checks in the module docstring."""
    _refuse_empty(data, expected)
    try:
        value = json.loads(data)
    except UnicodeDecodeError as exc:
        raise FeedError(f"not {expected}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        if _looks_like_html(data):
            raise FeedError(f"not {expected}: got an HTML page") from None
        raise FeedError(
            f"not {expected}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise FeedError(f"not {expected}: the JSON is a {type(value).__name__}, not an object")
    return value


def element_text(element: ET.Element | None) -> str | None:
    """All the text inside ``element`` (nested markup included); None if there is no element."""
    if element is None:
        return None
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())


def child_text(parent: ET.Element, tag: str) -> str | None:
    """:func:`element_text` of the first child ``tag`` (a Clark name, ``{ns}local``)."""
    return element_text(parent.find(tag))


def local_name(tag: str) -> str:
    """``{http://www.w3.org/2005/Atom}entry`` -> ``entry``."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    """``{http://www.w3.org/2005/Atom}entry`` -> ``http://www.w3.org/2005/Atom``; "" if none."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _refuse_empty(data: bytes, expected: str) -> None:
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise FeedError(f"not {expected}: the document is empty")


def _looks_like_html(data: bytes) -> bool:
    # Only asked once the bytes failed to parse: an RSS description may well quote "<html".
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _parse_with_html_entities(data: bytes, exc: ET.ParseError, expected: str) -> ET.Element:
    if exc.code == _UNDEFINED_ENTITY:
        repaired = _NAMED_ENTITY_RE.sub(_character_reference, data)
        if repaired != data:
            try:
                return ET.fromstring(repaired)
            except ET.ParseError as second:
                exc = second
    if _looks_like_html(data):
        raise FeedError(f"not {expected}: got an HTML page") from None
    raise FeedError(_xml_error(exc, expected)) from None


def refuse_dtd(data: bytes, expected: str) -> None:
    """Refuse a DOCTYPE or ENTITY declaration in the prolog (everything before the root tag).

    The prolog is walked as XML defines it -- declaration, processing instructions, comments,
    whitespace -- so a comment cannot hide a DOCTYPE behind something that looks like a tag.
    """
    text = _ascii_view(data)
    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position] in b" \t\r\n":
            position += 1
        if text.startswith(b"<?", position):
            end = text.find(b"?>", position + 2)
            position = length if end < 0 else end + 2
        elif text.startswith(b"<!--", position):
            end = text.find(b"-->", position + 4)
            position = length if end < 0 else end + 3
        elif text.startswith(b"<!", position):
            declaration = text[position + 2 : position + 32]
            if _HTML_DOCTYPE_RE.match(declaration):
                raise FeedError(f"not {expected}: got an HTML page")
            kind = "an ENTITY" if declaration.upper().startswith(b"ENTITY") else "a DOCTYPE"
            raise FeedError(
                f"refused: the document has {kind} declaration; entity declarations can expand "
                "without bound or read local files, and no feed format needs one"
            )
        else:
            return  # the root element (or garbage, which the XML parser will name)


def _ascii_view(data: bytes) -> bytes:
    """The bytes, as ASCII-compatible text for the prolog scan (UTF-16/32 are transcoded)."""
    data = data.removeprefix(codecs.BOM_UTF8)
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").encode("utf-8", errors="replace")
    if data[:1] == b"\x00" or data[1:2] == b"\x00":
        # UTF-16 without a BOM: `<\x00?\x00` or `\x00<\x00?`.
        encoding = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
        return data.decode(encoding, errors="replace").encode("utf-8", errors="replace")
    return data


def _character_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    character = html.entities.html5.get(name.decode("ascii") + ";")
    if character is None:
        return match.group(0)
    return "".join(f"&#{ord(char)};" for char in character).encode("ascii")


def _xml_error(exc: ET.ParseError, expected: str) -> str:
    line, column = exc.position
    message = str(exc).split(":", 1)[0]
    if exc.code in _ENDED_EARLY:
        return (
            f"not {expected}: the XML ends early at line {line}, column {column} "
            "(the document was cut short; fetch it again)"
        )
    return f"not {expected}: not well-formed XML ({message} at line {line}, column {column})"
