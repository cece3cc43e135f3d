"""Loading untrusted bytes: the DTD refusal, HTML pages, truncation, HTML entities, JSON."""

from __future__ import annotations

import pytest

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.documents import load_json_object, load_xml, local_name

FEED = b"<feed><title>t</title></feed>"


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE feed [<!ENTITY a "aaaa">]>',
        # External entities (XXE): a DOCTYPE without an internal subset is refused too.
        b'<!DOCTYPE feed SYSTEM "file:///etc/passwd">',
        b'<?xml version="1.0"?>\n<!-- a comment -->\n<?pi data?>\n<!doctype feed [ ]>',
        # A comment that looks like it closes the prolog does not hide the DOCTYPE behind it.
        b"<!-- <feed> -->\n<!DOCTYPE feed []>",
        b'<!ENTITY a "x">',
    ],
)
def test_any_dtd_in_the_prolog_is_refused(prolog: bytes) -> None:
    with pytest.raises(FeedError, match=r"refused: the document has an? (DOCTYPE|ENTITY)"):
        load_xml(prolog + FEED, expected="a feed")


def test_dtd_is_refused_in_utf16_documents_too() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE feed [<!ENTITY a "b">]><feed/>'
    for data in (document.encode("utf-16"), document.encode("utf-16-le")):
        with pytest.raises(FeedError, match="DOCTYPE"):
            load_xml(data, expected="a feed")


def test_utf16_document_without_dtd_parses() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><feed><title>é</title></feed>'.encode("utf-16")
    assert load_xml(data, expected="a feed").findtext("title") == "é"


def test_doctype_text_after_the_root_starts_is_content_not_a_dtd() -> None:
    data = b"<feed><title><![CDATA[<!DOCTYPE x>]]></title></feed>"
    assert load_xml(data, expected="a feed").findtext("title") == "<!DOCTYPE x>"


def test_html_entities_undefined_in_xml_are_repaired() -> None:
    data = b"<feed><title>Caf&eacute; &amp; Cr&egrave;me &lt;3&nbsp;</title></feed>"
    assert load_xml(data, expected="a feed").findtext("title") == "Café & Crème <3\xa0"


def test_unknown_entity_stays_an_error() -> None:
    with pytest.raises(FeedError, match="undefined entity"):
        load_xml(b"<feed><title>&nosuchthing;</title></feed>", expected="a feed")


@pytest.mark.parametrize(
    "data",
    [
        b"<feed><title>cut",
        b"<feed><title>t</title><ent",
        b"<feed><![CDATA[abc",
        "<feed>é".encode()[:-1],
    ],
)
def test_truncated_xml_says_it_was_cut_short(data: bytes) -> None:
    with pytest.raises(FeedError, match="cut short; fetch it again"):
        load_xml(data, expected="a feed")


def test_malformed_xml_names_the_problem_and_position() -> None:
    with pytest.raises(FeedError, match=r"mismatched tag at line 1, column \d+"):
        load_xml(b"<feed><title>t</feed>", expected="a feed")


def test_local_name_drops_the_namespace() -> None:
    assert local_name("{http://www.w3.org/2005/Atom}entry") == "entry"
    assert local_name("item") == "item"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2]", "the JSON is a list, not an object"),
        (b'"text"', "the JSON is a str"),
        (b'{"a": ', "not JSON"),
        (b"\xff\xfe{}", "not UTF-8|not JSON"),
        (b"<html><body>Bad gateway</body></html>", "HTML page"),
    ],
)
def test_json_that_is_not_an_object_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        load_json_object(data, expected="an API response")


def test_json_object_loads() -> None:
    assert load_json_object(b' {"status": "ok"} ', expected="x") == {"status": "ok"}
