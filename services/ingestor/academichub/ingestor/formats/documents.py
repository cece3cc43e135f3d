"""Untrusted document bytes to a parsed tree: XML with no DTD, or a JSON object.

Every parser except arxiv-rss (which goes through feedparser, after :func:`xml_text`) loads
its bytes here, so the refusals are the same everywhere and each says what was wrong. The
bytes are decoded first (:mod:`.decoding`: the codec the format defines, undecodable bytes
replaced and counted, characters XML forbids removed), and every check reads the text:

* empty bytes, an HTML page (an error page, a login wall), text that is not XML/JSON;
* **any** ``<!DOCTYPE``/``<!ENTITY`` before the root element. A DTD's entities can expand
  without bound ("billion laughs") or name files and URLs ("XXE"). expat 2.4+ stops the first
  and ElementTree never fetches the second, but neither should be left to a library version: no
  format read here needs a DTD, so the document is refused before any parser sees it;
* XML that is not well-formed, including a document cut short in transit -- a partial page
  would lose its resumption token or paging position, and the fetch should be repeated;
* a JSON body that is not an object, or nested deeper than Python's parser recurses.

The stdlib ElementTree is used (lxml is not a dependency); its C parser reads the 1.8 MB arXiv
OAI page in a few tens of milliseconds.
"""

from __future__ import annotations

import html.entities
import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Final

from academichub.ingestor.formats import FeedError, Repair
from academichub.ingestor.formats.decoding import DocumentText, decode_json, decode_xml

# HTML entities are undefined in XML. A feed that uses them (`&eacute;`) is refused by a strict
# parser though every other byte is fine; they are turned into character references and the
# parse is tried once more. Only names html5 knows are touched; the five XML ones never are.
_NAMED_ENTITY_RE: Final = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES: Final = frozenset({"amp", "lt", "gt", "quot", "apos"})
_UNDEFINED_ENTITY: Final = 11  # expat's XML_ERROR_UNDEFINED_ENTITY
# expat's codes for input that stops inside something: no root end, a tag, a multi-byte
# character or a CDATA section cut in two. All four are what a dropped connection leaves.
_ENDED_EARLY: Final = frozenset({3, 5, 6, 20})
_HTML_DOCTYPE_RE: Final = re.compile(r"DOCTYPE\s+html\b", re.IGNORECASE)


def load_xml(data: bytes, *, expected: str) -> tuple[ET.Element, tuple[Repair, ...]]:
    """The root element of an XML document, after the checks in the module docstring, and
    what decoding repaired in it.

    ``expected`` names the format in error messages ("an Atom feed", "an OAI-PMH response").
    """
    document = xml_text(data, expected=expected)
    try:
        # Text, not bytes: the parser reads it as decoded, whatever the declaration says.
        root = ET.fromstring(document.text)
    except ET.ParseError as exc:
        root = _parse_with_html_entities(document.text, exc, expected)
    if local_name(root.tag).lower() == "html":
        raise FeedError(f"not {expected}: got an HTML page")
    return root, document_repairs(document)


def xml_text(data: bytes, *, expected: str) -> DocumentText:
    """An XML document decoded (:mod:`.decoding`), refused if empty or if it declares a DTD."""
    document = decode_xml(data, expected=expected)
    _refuse_empty(document.text, expected)
    refuse_dtd(document.text, expected)
    return document


def load_json_object(data: bytes, *, expected: str) -> tuple[dict[str, Any], tuple[Repair, ...]]:
    """The top-level object of a JSON document, after the checks in the module docstring, and
    what decoding repaired in it."""
    document = decode_json(data)
    _refuse_empty(document.text, expected)
    try:
        value = json.loads(document.text)
    except json.JSONDecodeError as exc:
        if _looks_like_html(document.text):
            raise FeedError(f"not {expected}: got an HTML page") from None
        raise FeedError(
            f"not {expected}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise FeedError(f"not {expected}: the JSON is nested too deeply to read") from None
    if not isinstance(value, dict):
        raise FeedError(f"not {expected}: the JSON is a {type(value).__name__}, not an object")
    return value, document_repairs(document)


def document_repairs(document: DocumentText) -> tuple[Repair, ...]:
    """What decoding changed in a whole document, as FeedParse repairs."""
    found = (("undecodable", document.undecodable), ("control", document.removed))
    return tuple(Repair("document", kind, count) for kind, count in found if count)


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


def _refuse_empty(text: str, expected: str) -> None:
    if not text.lstrip("\ufeff \t\r\n"):
        raise FeedError(f"not {expected}: the document is empty")


def _looks_like_html(text: str) -> bool:
    # Only asked once the text failed to parse: an RSS description may well quote "<html".
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html")) or "<html" in head


def _parse_with_html_entities(data: str, exc: ET.ParseError, expected: str) -> ET.Element:
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


def refuse_dtd(text: str, expected: str) -> None:
    """Refuse a DOCTYPE or ENTITY declaration in the prolog (everything before the root tag).

    ``text`` is the decoded document (:mod:`.decoding`), so this holds in any encoding. The
    prolog is walked as XML defines it -- declaration, processing instructions, comments,
    whitespace -- so a comment cannot hide a DOCTYPE behind something that looks like a tag.
    """
    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position] in "\ufeff \t\r\n":
            position += 1
        if text.startswith("<?", position):
            end = text.find("?>", position + 2)
            position = length if end < 0 else end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            position = length if end < 0 else end + 3
        elif text.startswith("<!", position):
            declaration = text[position + 2 : position + 32]
            if _HTML_DOCTYPE_RE.match(declaration):
                raise FeedError(f"not {expected}: got an HTML page")
            kind = "an ENTITY" if declaration.upper().startswith("ENTITY") else "a DOCTYPE"
            raise FeedError(
                f"refused: the document has {kind} declaration; entity declarations can expand "
                "without bound or read local files, and no feed format needs one"
            )
        else:
            return  # the root element (or garbage, which the XML parser will name)


def _character_reference(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    character = html.entities.html5.get(name + ";")
    if character is None:
        return match.group(0)
    return "".join(f"&#{ord(char)};" for char in character)


def _xml_error(exc: ET.ParseError, expected: str) -> str:
    line, column = exc.position
    message = str(exc).split(":", 1)[0]
    if exc.code in _ENDED_EARLY:
        return (
            f"not {expected}: the XML ends early at line {line}, column {column} "
            "(the document was cut short; fetch it again)"
        )
    return f"not {expected}: not well-formed XML ({message} at line {line}, column {column})"
