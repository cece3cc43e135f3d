"""Loading untrusted bytes: the DTD refusal, HTML pages, truncation, HTML entities, JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from academichub.ingestor.formats import FeedError, Repair
from academichub.ingestor.formats.documents import load_json_object, load_xml, local_name

FEED = b"<feed><title>t</title></feed>"
DTD = '<!DOCTYPE feed [<!ENTITY a "b">]>'


def root(data: bytes) -> ET.Element:
    return load_xml(data, expected="a feed")[0]


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


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("UTF-32", "utf-32"),  # with a byte-order mark
        ("UTF-32", "utf-32-be"),  # without one: the first four bytes tell
        ("UTF-32", "utf-32-le"),
        ("IBM037", "cp037"),  # EBCDIC: "<?xm" is 4C 6F A7 94
        ("cp500", "cp500"),
        ("UTF-7", "utf-7"),  # "+ADw-" is "<": the DOCTYPE is only visible once decoded
    ],
)
def test_dtd_is_refused_in_any_encoding_once_decoded(declared: str, codec: str) -> None:
    document = f'<?xml version="1.0" encoding="{declared}"?>{DTD}<feed/>'
    data = document.encode(codec)
    if codec == "utf-7":
        data = data.replace(b"<!DOCTYPE", b"+ADw-!DOCTYPE")
    with pytest.raises(FeedError, match="refused: the document has a DOCTYPE"):
        load_xml(data, expected="a feed")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32", "utf-32-be", "cp037"])
def test_documents_in_other_encodings_parse(codec: str) -> None:
    declared = "IBM037" if codec == "cp037" else codec.upper()
    document = f'<?xml version="1.0" encoding="{declared}"?><feed><title>é</title></feed>'
    assert root(document.encode(codec)).findtext("title") == "é"


def test_an_encoding_python_has_no_codec_for_is_refused_naming_it() -> None:
    data = b'<?xml version="1.0" encoding="x-klingon"?><feed/>'
    with pytest.raises(FeedError, match="encoding 'x-klingon', which Python has no codec for"):
        load_xml(data, expected="a feed")


def test_undecodable_bytes_are_replaced_and_counted_not_the_document_refused() -> None:
    data = b"<feed><title>caf\xe9 \xff\xfe ok</title><x>\xc3\xa9</x></feed>"
    element, repairs = load_xml(data, expected="a feed")
    assert element.findtext("title") == "caf\ufffd \ufffd\ufffd ok"
    assert element.findtext("x") == "é"  # the rest is UTF-8 as declared, not re-decoded
    assert repairs == (Repair("document", "undecodable", 3),)


def test_a_declared_latin1_document_is_read_as_latin1() -> None:
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?><feed><title>caf\xe9</title></feed>'
    element, repairs = load_xml(data, expected="a feed")
    assert (element.findtext("title"), repairs) == ("café", ())


def test_characters_xml_forbids_are_removed_raw_or_referenced_and_counted() -> None:
    data = b"<feed><title>a\x00b\x01c&#0;d&#x1F;e&#9;f&#xE9;</title></feed>"
    element, repairs = load_xml(data, expected="a feed")
    assert element.findtext("title") == "abcde\tf\xe9"
    assert repairs == (Repair("document", "control", 4),)


def test_doctype_text_after_the_root_starts_is_content_not_a_dtd() -> None:
    data = b"<feed><title><![CDATA[<!DOCTYPE x>]]></title></feed>"
    assert root(data).findtext("title") == "<!DOCTYPE x>"


def test_html_entities_undefined_in_xml_are_repaired() -> None:
    data = b"<feed><title>Caf&eacute; &amp; Cr&egrave;me &lt;3&nbsp;</title></feed>"
    assert root(data).findtext("title") == "Café & Crème <3\xa0"


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
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_is_not_an_object_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        load_json_object(data, expected="an API response")


def test_json_object_loads() -> None:
    assert load_json_object(b' {"status": "ok"} ', expected="x") == ({"status": "ok"}, ())


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-32-be"])
def test_json_in_any_unicode_encoding_loads(codec: str) -> None:
    assert load_json_object('{"t": "é"}'.encode(codec), expected="x") == ({"t": "é"}, ())


def test_undecodable_json_bytes_are_replaced_and_counted() -> None:
    value, repairs = load_json_object(b'{"t": "caf\xe9"}', expected="x")
    assert value == {"t": "caf\ufffd"}
    assert repairs == (Repair("document", "undecodable", 1),)
