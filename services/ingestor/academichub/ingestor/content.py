"""Is this the kind of document the feed's format reads? Checked before a parser sees it.

arXiv and publishers answer some failures with an HTML page and status 200 -- an error page, a
captcha, a login wall. Parsing it would report "not a feed"; this says what happened::

    PoisonEvent
    ├── WrongContentType   the Content-Type (or, without a useful one, the body) is not the
    │                      kind of document expected: HTML for a feed, not JSON for an API
    └── UnknownCharset     the declared charset is one Python has no codec for, or (JSON) it
                           cannot decode the body

The declared media type decides, by kind:

==========================================  ================================================
declared                                    verdict
==========================================  ================================================
``application/xml``, ``text/xml``,          XML. Accepted for an XML feed unless the body is
any ``+xml`` (rss, atom, rdf) but xhtml     an HTML page (an HTML doctype or ``<html>``
                                            after the XML prolog)
``application/json``, any ``+json``         JSON (Crossref: ``vnd.crossref-api-message+json``)
(none), ``text/plain``,                     the body decides: ``<`` is XML (HTML is HTML),
``application/octet-stream``                ``{``/``[`` is JSON. OAI servers send text/plain
``text/html``, ``application/xhtml+xml``,   wrong
anything else
==========================================  ================================================

Parameters other than ``charset`` are ignored, malformed ones included: bioRxiv's RSS comes
as ``application/xml;")``. An XML body's charset is not decoded here: the XML declaration
inside it is what its parser reads. Only successful (2xx) responses are judged -- an error
status already says what went wrong, and arXiv's error feed (HTTP 400) is XML the poller reads
for its message. An empty body passes: the parsers refuse it and say so.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Final, Literal

from academichub.platform.errors import PoisonEvent

if TYPE_CHECKING:  # at run time the checks need no HTTP library, only the result's fields
    from academichub.ingestor.fetch import FetchResult

__all__ = ["EXPECTED_MEDIA", "UnknownCharset", "WrongContentType", "check_document"]

Kind = Literal["xml", "json", "html", "neutral", "other"]

# What each feed format (the names in formats.FORMATS) reads.
EXPECTED_MEDIA: Final[dict[str, str]] = {
    "arxiv-rss": "xml",
    "arxiv-atom": "xml",
    "arxiv-oai": "xml",
    "biorxiv-rss": "xml",
    "rss": "xml",
    "biorxiv-json": "json",
    "crossref-json": "json",
}

_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
_JSON_TYPES: Final = frozenset({"application/json", "text/json"})
_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_NEUTRAL_TYPES: Final = frozenset(
    {"", "text/plain", "application/octet-stream", "binary/octet-stream"}
)
_HTML_STARTS: Final = ("<!doctype html", "<html", "<head", "<body")
_SNIFF_CHARS: Final = 2048
_HTML_HINT: Final = " (an error page, a captcha or a login wall?)"
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class WrongContentType(PoisonEvent):
    """The response is not the kind of document the feed's format reads."""


class UnknownCharset(PoisonEvent):
    """The declared charset is unknown, or cannot decode the (JSON) body."""


def check_document(url: str, result: FetchResult, expect: str) -> None:
    """Raise if ``result`` is clearly not an ``expect`` ("xml" or "json") document.

    ``expect`` is usually ``EXPECTED_MEDIA[feed.format]``. Returns None when the document may
    go to its parser; see the module docstring for the rules.
    """
    if expect not in ("xml", "json"):
        raise ValueError(f"expect must be 'xml' or 'json', not {expect!r}")
    if not 200 <= result.status < 300:
        return
    media, charset = _parse_content_type(result.content_type)
    if charset is not None:
        _check_charset_known(url, charset)
    if not result.body.strip():
        return
    declared = _kind(media)
    sniffed = _sniff(result.body)
    shown = result.content_type or "no Content-Type"
    if declared == "neutral":
        if sniffed != expect:
            body = {"html": "an HTML page", "xml": "XML", "json": "JSON"}.get(
                sniffed or "", "neither XML nor JSON"
            )
            hint = _HTML_HINT if sniffed == "html" else ""
            raise WrongContentType(
                f"{url}: expected {expect.upper()}, got {shown} and the body is {body}{hint}"
            )
    elif declared != expect:
        hint = _HTML_HINT if declared == "html" else ""
        raise WrongContentType(f"{url}: expected {expect.upper()}, got {shown}{hint}")
    elif sniffed == "html":
        raise WrongContentType(
            f"{url}: expected {expect.upper()}, got {shown} but the body is an HTML page"
            f"{_HTML_HINT}"
        )
    if expect == "json" and charset is not None:
        try:
            result.body.decode(charset)
        except UnicodeDecodeError as exc:
            raise UnknownCharset(
                f"{url}: the declared charset {charset!r} cannot decode the body: {exc}"
            ) from None


def _parse_content_type(header: str | None) -> tuple[str, str | None]:
    """``'application/xml; charset="UTF-8"'`` -> ``('application/xml', 'UTF-8')``."""
    if not header:
        return "", None
    media, *parameters = header.split(";")
    charset = None
    for parameter in parameters:
        name, equals, value = parameter.partition("=")
        if equals and name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip() or None
    return media.strip().lower(), charset


def _check_charset_known(url: str, charset: str) -> None:
    try:
        codecs.lookup(charset)
    except LookupError:
        raise UnknownCharset(
            f"{url}: the Content-Type declares charset {charset!r}, which Python has no codec for"
        ) from None


def _kind(media: str) -> Kind:
    if media in _HTML_TYPES:
        return "html"
    if media in _NEUTRAL_TYPES:
        return "neutral"
    _, _, subtype = media.partition("/")
    if media in _XML_TYPES or subtype.endswith("+xml"):
        return "xml"
    if media in _JSON_TYPES or subtype.endswith("+json"):
        return "json"
    return "other"


def _sniff(body: bytes) -> Literal["xml", "json", "html"] | None:
    """What the first thing in the body is: the XML prolog (declaration, comments, processing
    instructions) is skipped, so an XHTML page is HTML and an RSS feed is XML."""
    text = _text_head(body).lstrip()
    if text.startswith(("{", "[")):
        return "json"
    if not text.startswith("<"):
        return None
    while True:
        if text.startswith("<?"):
            end, skip = text.find("?>"), 2
        elif text.startswith("<!--"):
            end, skip = text.find("-->"), 3
        else:
            break
        if end < 0:
            return "xml"  # a prolog longer than the sniffed head: no page starts like that
        text = text[end + skip :].lstrip()
    return "html" if text.lower().startswith(_HTML_STARTS) else "xml"


def _text_head(body: bytes) -> str:
    """The start of the body as text, enough to sniff: UTF-16/32 (by BOM or by the NUL bytes
    of ``<`` or ``{``) are decoded, anything else is read byte for byte."""
    head = body[: _SNIFF_CHARS * 4]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head.decode(encoding, errors="replace")[:_SNIFF_CHARS]
    if head[:1] == b"\x00" or head[1:2] == b"\x00":
        encoding = "utf-16-be" if head[:1] == b"\x00" else "utf-16-le"
        return head.decode(encoding, errors="replace")[:_SNIFF_CHARS]
    return head[:_SNIFF_CHARS].decode("latin-1")
