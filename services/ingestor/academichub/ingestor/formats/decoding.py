"""Document bytes to text, once, before any parser or check reads them.

The codec is found as the format defines it, never guessed from what decodes:

* **XML** (XML 1.0, appendix F): a byte-order mark; else the first four bytes, which tell
  UTF-32 and UTF-16 (either byte order) and EBCDIC from ASCII-compatible encodings; then
  the ``encoding`` of the XML declaration, read in that family; else UTF-8. A declared
  encoding Python has no codec for refuses the document, naming it.
* **JSON** (RFC 8259): UTF-8, or UTF-16/UTF-32 when the bytes say so (``json.detect_encoding``).

Bytes the codec cannot decode are replaced by U+FFFD and counted -- one per invalid
sequence -- and the rest of the document is read as it is: one bad byte never makes the
whole document decode with another codec, nor refuses it. The U+FFFD then sit in the field
they fell in, where the paper gate (``normalise.canonical``) counts them per field.

An XML document's text also loses the characters XML 1.0 forbids -- C0 controls other than
TAB, LF and CR, U+FFFE and U+FFFF -- raw or as character references (``&#0;``), and the
control characters it discourages (section 2.2: DEL and the C1 controls; NEL becomes a
space), counted: a strict parser refuses the whole document for a forbidden one, feedparser
silently turns C1 controls into the Windows-1252 characters they would be (U+0085 into
"…"), and no paper field may hold one (``normalise.characters`` removes them from JSON's
fields).

Every check of the text -- the DOCTYPE refusal above all -- runs on the decoded text, so it
holds whatever the encoding: a DTD in UTF-32 or EBCDIC is refused like one in UTF-8.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Final

from academichub.ingestor.formats import FeedError

__all__ = ["DocumentText", "decode_json", "decode_xml"]

_BOMS: Final = (
    # UTF-32 first: the UTF-32-LE mark starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# "<?" (or "<" and the first letter) in the encodings appendix F tells apart by four bytes.
_FAMILIES: Final = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # "<?xm" in EBCDIC; the declaration names the code page
)
_WIDE: Final = frozenset({"utf-16", "utf-32"})
_DECLARATION_RE: Final = re.compile(
    r"""\A<\?xml\s[^>]*?\bencoding\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')"""
)
_ENCODING_ATTRIBUTE_RE: Final = re.compile(r"""(\bencoding\s*=\s*)(?:"[^"]*"|'[^']*')""")
# Characters XML 1.0 does not allow or discourages (section 2.2), raw and as references.
_FORBIDDEN_RE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_REFERENCE_RE: Final = re.compile(r"&#(?:[xX]0*(?P<hex>[0-9a-fA-F]{1,8})|0*(?P<dec>[0-9]{1,10}));")
_ALLOWED_CONTROLS: Final = frozenset({0x9, 0xA, 0xD})


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document as text, and what decoding it changed."""

    text: str
    encoding: str  # the codec it was decoded with
    undecodable: int = 0  # invalid byte sequences, each replaced by U+FFFD
    removed: int = 0  # characters XML forbids, raw or as references, removed

    def utf8(self) -> bytes:
        """The text as UTF-8 bytes, its XML declaration (if any) saying so: for parsers that
        read bytes and honour the declaration (feedparser)."""
        declaration = self.text[: self.text.find("?>") + 2] if self.text.startswith("<?xml") else ""
        if declaration:
            fixed = _ENCODING_ATTRIBUTE_RE.sub(r'\1"utf-8"', declaration, count=1)
            return (fixed + self.text[len(declaration) :]).encode("utf-8")
        return self.text.encode("utf-8")


def decode_xml(data: bytes, *, expected: str) -> DocumentText:
    """The text of an XML document (see the module docstring for how the codec is found).

    Raises :class:`FeedError` for a declared encoding Python has no codec for.
    """
    encoding, body = _xml_encoding(data, expected)
    text, undecodable = _decode(body, encoding)
    text, removed = _FORBIDDEN_RE.subn("", text)
    text = text.replace("\x85", " ")  # NEL: a line break to XML 1.1, whitespace here
    if "&#" in text:
        references = 0

        def drop(match: re.Match[str]) -> str:
            nonlocal references
            if _allowed_reference(match):
                return match.group(0)
            references += 1
            return ""

        text = _REFERENCE_RE.sub(drop, text)
        removed += references
    return DocumentText(text, encoding, undecodable, removed)


def decode_json(data: bytes) -> DocumentText:
    """The text of a JSON document: UTF-8, UTF-16 or UTF-32 as RFC 8259 has them."""
    encoding = json.detect_encoding(data)
    if encoding == "utf-8-sig":
        data, encoding = data.removeprefix(codecs.BOM_UTF8), "utf-8"
    text, undecodable = _decode(data, encoding)
    return DocumentText(text, encoding, undecodable)


def _xml_encoding(data: bytes, expected: str) -> tuple[str, bytes]:
    """The codec of an XML document and its bytes without the byte-order mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    family = next((enc for start, enc in _FAMILIES if data.startswith(start)), None)
    head = data[:1024].decode(family or "latin-1", errors="replace")
    declared = _declared(head)
    if family is not None and family != "cp037":
        return family, data  # the byte pattern decides between UTF-16 and UTF-32 orders
    if declared is None:
        return family or "utf-8", data
    try:
        info = codecs.lookup(declared)
    except LookupError:
        raise FeedError(
            f"not {expected}: the XML declaration names the encoding {declared!r}, which "
            "Python has no codec for"
        ) from None
    if info.name.startswith(tuple(_WIDE)):
        # UTF-16/32 declared over bytes that are neither: the bytes win (appendix F).
        return family or "utf-8", data
    return info.name, data


def _declared(head: str) -> str | None:
    match = _DECLARATION_RE.match(head)
    if match is None:
        return None
    return (match.group("dq") or match.group("sq") or "").strip() or None


def _decode(data: bytes, encoding: str) -> tuple[str, int]:
    """The text, and how many invalid sequences were replaced by U+FFFD."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    # Both handlers resume after the same invalid sequence; only what they put in its place
    # differs, one U+FFFD or nothing. So the lengths differ by the number of sequences.
    replaced = data.decode(encoding, errors="replace")
    return replaced, len(replaced) - len(data.decode(encoding, errors="ignore"))


def _allowed_reference(match: re.Match[str]) -> bool:
    """Whether a character reference names a character XML 1.0 allows and does not
    discourage (section 2.2); NEL is refused too, unlike the raw character (a space)."""
    digits = match.group("hex")
    number = int(digits, 16) if digits is not None else int(match.group("dec"))
    return (
        number in _ALLOWED_CONTROLS
        or 0x20 <= number < 0x7F
        or 0xA0 <= number <= 0xD7FF
        or 0xE000 <= number <= 0xFFFD
        or 0x10000 <= number <= 0x10FFFF
    )
