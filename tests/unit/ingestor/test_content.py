"""Content checks: every recorded real response passes as its provider serves it; HTML error
pages, captchas and wrong or unknown charsets are refused with a message naming what came."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from academichub.ingestor.content import (
    EXPECTED_MEDIA,
    UnknownCharset,
    WrongContentType,
    check_document,
)
from academichub.ingestor.fetch import FetchResult, read_file_url
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.replay import replay_feeds
from academichub.platform.errors import PoisonEvent
from tests.conftest import FIXTURES

URL = "https://rss.arxiv.org/rss/cs.AI"
FEEDS = FIXTURES / "feeds"

# Fixture folder -> (format, Content-Types the provider sends). None is "no header".
# Recorded: bioRxiv RSS's malformed header and Crossref's (PROVENANCE.md response headers).
# arXiv RSS/Atom: what arxiv-feed's serializer sets. The others are what those servers are
# known to send, not recorded with these samples; each is also checked without any header.
PROVIDERS: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "arxiv_rss": ("arxiv-rss", ("application/rss+xml", "application/rss+xml; charset=utf-8")),
    "arxiv_api": ("arxiv-atom", ("application/atom+xml; charset=UTF-8",)),
    "arxiv_oai": (
        "arxiv-oai",
        ("text/xml;charset=UTF-8", "text/xml", "application/xml", "text/plain; charset=utf-8"),
    ),
    "biorxiv_rss": ("biorxiv-rss", ('application/xml;")', "application/rss+xml")),
    "biorxiv_api": ("biorxiv-json", ("application/json", "application/json; charset=UTF-8")),
    "crossref": (
        "crossref-json",
        ("application/json", "application/json;charset=utf-8"),
    ),
    "journal_feeds": (
        "rss",
        ("application/rss+xml; charset=UTF-8", "application/rdf+xml", "text/xml; charset=utf-8"),
    ),
}


def recorded() -> list[tuple[Path, str, str | None]]:
    cases = []
    for folder, (fmt, content_types) in PROVIDERS.items():
        for path in sorted((FEEDS / folder).iterdir()):
            for content_type in (*content_types, None):
                cases.append((path, fmt, content_type))
    return cases


def result(body: bytes, content_type: str | None, status: int = 200) -> FetchResult:
    return FetchResult(status, body, content_type=content_type)


HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>arXiv: Too Many Requests</title></head>
<body><h1>Too many requests</h1><p>Please slow down.</p></body></html>
"""
CAPTCHA = b"\n\n  <html><head><script src='/captcha.js'></script></head><body></body></html>"
XHTML_PAGE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- error -->\n'
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body>Service unavailable</body></html>'
)


def test_every_feed_format_says_what_it_reads() -> None:
    assert set(EXPECTED_MEDIA) == set(FORMATS)
    assert set(EXPECTED_MEDIA.values()) == {"xml", "json"}


def test_every_fixture_folder_is_covered() -> None:
    folders = {path.name for path in FEEDS.iterdir() if path.is_dir()}
    assert folders == set(PROVIDERS)


@pytest.mark.parametrize(
    ("path", "fmt", "content_type"),
    recorded(),
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_every_recorded_response_passes_as_its_provider_serves_it(
    path: Path, fmt: str, content_type: str | None
) -> None:
    check_document(URL, result(path.read_bytes(), content_type), EXPECTED_MEDIA[fmt])


def test_arxivs_error_feed_passes_with_its_http_400() -> None:
    body = (FEEDS / "arxiv_rss/rss_2024-11-28_error_bad_archive_astroph.xml").read_bytes()
    check_document(URL, result(body, "application/rss+xml", 400), "xml")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (HTML_ERROR_PAGE, "text/html; charset=utf-8"),
        (HTML_ERROR_PAGE, "text/html"),
        (HTML_ERROR_PAGE, None),  # no header: the body is sniffed
        (CAPTCHA, "text/plain"),
        (CAPTCHA, "application/rss+xml"),  # says XML, is a page
        (XHTML_PAGE, "application/xhtml+xml"),
        (XHTML_PAGE, "application/xml"),  # an XML prolog, then an HTML doctype
        (codecs.BOM_UTF8 + HTML_ERROR_PAGE, None),
        ((FEEDS / "arxiv_rss/rss_2025-04-28_quant-ph_81items.xml").read_bytes(), "text/html"),
    ],
)
def test_an_html_page_with_status_200_is_not_a_feed(body: bytes, content_type: str | None) -> None:
    with pytest.raises(WrongContentType) as raised:
        check_document(URL, result(body, content_type), "xml")

    message = str(raised.value)
    assert message.startswith(f"{URL}: expected XML, got {content_type or 'no Content-Type'}")
    assert isinstance(raised.value, PoisonEvent)


def test_the_message_suggests_what_an_html_page_usually_is() -> None:
    with pytest.raises(WrongContentType, match="an error page, a captcha or a login wall"):
        check_document(URL, result(HTML_ERROR_PAGE, "text/html"), "xml")


@pytest.mark.parametrize(
    ("body", "content_type", "expect"),
    [
        (b'{"status": "ok"}', "application/xml", "json"),
        (b'{"status": "ok"}', "text/html; charset=UTF-8", "json"),
        (HTML_ERROR_PAGE, None, "json"),
        (b"<rss/>", "text/plain", "json"),
        (b"Service Unavailable", None, "json"),
        (b"%PDF-1.7 ...", "application/pdf", "xml"),
        (b'{"status": "ok"}', "application/json", "xml"),
        (b'{"status": "ok"}', None, "xml"),
        (b"<rss/>", "image/png", "xml"),
    ],
)
def test_a_document_of_the_wrong_kind_is_refused(
    body: bytes, content_type: str | None, expect: str
) -> None:
    with pytest.raises(WrongContentType, match=f"expected {expect.upper()}"):
        check_document(URL, result(body, content_type), expect)


@pytest.mark.parametrize(
    ("body", "content_type", "expect"),
    [
        (b'{"status": "ok"}', "application/vnd.crossref-api-message+json", "json"),
        (b'  [{"doi": "10.1101/1"}]', "text/plain; charset=utf-8", "json"),
        (b'{"status": "ok"}', "application/octet-stream", "json"),
        (b"<feed/>", "application/atom+xml", "xml"),
        (b"<rdf:RDF/>", "application/rdf+xml", "xml"),
        (b"<rss/>", "application/x-rss+xml", "xml"),
        (b"<rss/>", "Application/RSS+XML; Charset=UTF-8", "xml"),
        (b"<rss/>", 'application/rss+xml; charset="utf-8"', "xml"),
        (b"<?xml version='1.0'?>\n<!-- a comment --><OAI-PMH/>", "text/plain", "xml"),
        ("<?xml version='1.0' encoding='UTF-16'?><rss/>".encode("utf-16"), None, "xml"),
        ('{"title": "Café"}'.encode("utf-16"), "application/json; charset=utf-16", "json"),
        ('{"title": "Café"}'.encode("utf-16-le"), None, "json"),
        (b"<rss><description>&lt;html&gt; <html></description></rss>", None, "xml"),
    ],
)
def test_real_world_variations_pass(body: bytes, content_type: str | None, expect: str) -> None:
    check_document(URL, result(body, content_type), expect)


@pytest.mark.parametrize("status", [304, 400, 404, 429, 500, 503])
def test_only_successful_responses_are_judged(status: int) -> None:
    check_document(URL, result(HTML_ERROR_PAGE, "text/html", status), "xml")


def test_an_empty_body_is_left_to_the_parser_to_refuse() -> None:
    # The parsers say "the document is empty" (bioRxiv's API has answered 200 with nothing).
    check_document(URL, result(b"", "application/json"), "json")
    check_document(URL, result(b"  \n", None), "xml")


@pytest.mark.parametrize("expect", ["xml", "json"])
def test_a_charset_python_does_not_know_is_refused(expect: str) -> None:
    body = b"<rss/>" if expect == "xml" else b"{}"
    media = "application/rss+xml" if expect == "xml" else "application/json"

    with pytest.raises(UnknownCharset) as raised:
        check_document(URL, result(body, f"{media}; charset=x-klingon"), expect)

    assert URL in str(raised.value)
    assert "'x-klingon'" in str(raised.value)
    assert isinstance(raised.value, PoisonEvent)


def test_a_json_body_its_declared_charset_cannot_decode_is_refused() -> None:
    body = '{"title": "Café"}'.encode("latin-1")

    with pytest.raises(UnknownCharset, match="'utf-8' cannot decode the body"):
        check_document(URL, result(body, "application/json; charset=utf-8"), "json")


def test_an_xml_body_is_not_decoded_with_the_header_charset() -> None:
    # The XML declaration inside the document is what its parser reads.
    body = "<?xml version='1.0' encoding='ISO-8859-1'?><rss>Café</rss>".encode("latin-1")
    check_document(URL, result(body, "application/rss+xml; charset=utf-8"), "xml")


def test_expect_must_be_xml_or_json() -> None:
    with pytest.raises(ValueError, match="expect"):
        check_document(URL, result(b"<rss/>", None), "arxiv-rss")


async def test_the_recorded_replay_feeds_pass_as_read_from_disk() -> None:
    feeds = replay_feeds()
    assert feeds
    for feed in feeds:
        fetched = await read_file_url(feed.url)
        check_document(feed.url, fetched, EXPECTED_MEDIA[feed.format])


async def test_a_recorded_json_feed_is_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "biorxiv-json_week.json"
    path.write_text(json.dumps({"messages": [{"status": "ok"}], "collection": []}))

    fetched = await read_file_url(path.as_uri())

    assert fetched.content_type == "application/json"
    check_document(path.as_uri(), fetched, "json")
