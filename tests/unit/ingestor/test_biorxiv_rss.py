"""parse_biorxiv_rss on both recorded connect.biorxiv.org variants and on hand-written feeds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from academichub.ingestor.domain.normalise import clean_text
from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.biorxiv_rss import parse_biorxiv_rss

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "biorxiv_rss"
FEED_2018 = FIXTURES / "biorxiv_rss_2018_subject_biochemistry.xml"
FEED_2023 = FIXTURES / "biorxiv_rss_2023-12_subject_genomics_trimmed.xml"


def _cdata(text: str) -> str:
    return text.removeprefix("<![CDATA[").removesuffix("]]>")


def test_2018_variant_matches_the_raw_items() -> None:
    data = FEED_2018.read_bytes()
    result = parse_biorxiv_rss(data)
    items = data.decode().split("<item ")[1:]
    assert len(result.papers) == len(items) == 30
    assert result.errors == ()
    for paper, item in zip(result.papers, items, strict=True):
        # Independent oracle: each item's fields read with regexes.
        doi = re.findall(r"<dc:identifier>doi:(\S+)</dc:identifier>", item)
        version = re.findall(r"short/[\d.]+v(\d+)\?rss=1", item)
        creators = re.findall(r"<dc:creator>(.*?)</dc:creator>", item, re.DOTALL)
        date = re.findall(r"<dc:date>(.*?)</dc:date>", item)
        dc_title = re.findall(r"<dc:title>(.*?)</dc:title>", item, re.DOTALL)
        assert (paper.id, paper.doi) == (f"doi:{doi[0]}", doi[0])
        assert paper.version == int(version[0])
        assert paper.authors == tuple(clean_text(_cdata(c)) for c in creators)
        assert paper.published == dt.date.fromisoformat(date[0])
        # The padded CDATA title is the dc:title once the padding is gone.
        assert paper.title == clean_text(_cdata(dc_title[0].strip()))
        assert paper.source == "biorxiv"
        assert paper.categories == ("Biochemistry",)
        assert paper.url == f"https://www.biorxiv.org/content/{doi[0]}v{version[0]}"


def test_repeated_creators_keep_their_feed_order() -> None:
    papers = {p.id: p for p in parse_biorxiv_rss(FEED_2018.read_bytes()).papers}
    # The feed lists Szostak (the last author of the paper) first; its order is kept.
    paper = papers["doi:10.1101/287102"]
    assert paper.authors == ("Szostak, J. W.", "Zhang, W.", "Walton, T.", "Li, L.")
    assert paper.title == "Crystallographic observation of nonenzymatic RNA primer extension"
    assert paper.published == dt.date(2018, 3, 22)
    assert paper.abstract.startswith("The importance of genome replication has inspired")


def test_2023_variant_with_one_comma_joined_creator() -> None:
    result = parse_biorxiv_rss(FEED_2023.read_bytes())
    (paper,) = result.papers
    assert (paper.id, paper.version) == ("doi:10.1101/2023.12.16.571984", 1)
    assert paper.title == (
        "Complete genome of the Medicago anthracnose fungus, Colletotrichum destructivum, "
        "reveals a mini-chromosome-like region within a core chromosome."
    )
    assert paper.authors == (
        "LAPALU, N.",
        "SIMON, A.",
        "Lu, A.",
        "Plaumann, P.-L.",
        "Amselem, J.",
        "Pigne, S.",
        "Auger, A.",
        "Koch, C.",
        "Dallery, J.-F.",
        "O'Connell, R. J.",
    )
    assert paper.categories == ("Genomics",)
    assert paper.published == dt.date(2023, 12, 16)
    assert paper.abstract.startswith("Colletotrichum destructivum (Cd) is a phytopathogenic")
    assert paper.pdf_url == ("https://www.biorxiv.org/content/10.1101/2023.12.16.571984v1.full.pdf")
    assert result.feed.title == "bioRxiv Subject Collection: Genomics"


# --- hand-written feeds --------------------------------------------------------------------------

_FEED = """<?xml version="1.0" encoding="UTF-8" ?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://purl.org/rss/1.0/modules/prism/">
<channel rdf:about="http://medrxiv.org"><title>medRxiv Subject Collection: Epidemiology</title>
</channel>
{items}
</rdf:RDF>"""


def _item(link: str, identifier: str | None = "doi:10.1101/2026.09.13.26362948") -> str:
    identifier_element = f"<dc:identifier>{identifier}</dc:identifier>" if identifier else ""
    return (
        f'<item rdf:about="{link.strip()}"><title><![CDATA[ A preprint ]]></title>'
        f"<link>\n{link}\n</link><description><![CDATA[\n Text. \n]]></description>"
        f"<dc:creator><![CDATA[ Doe, J. ]]></dc:creator><dc:date>2026-09-15</dc:date>"
        f"{identifier_element}</item>"
    )


def test_medrxiv_items_and_bad_ones() -> None:
    data = _FEED.format(
        items="\n".join(
            [
                _item("http://medrxiv.org/cgi/content/short/2026.09.13.26362948v2?rss=1"),
                _item("http://medrxiv.org/cgi/content/short/2026.09.13.1v1?rss=1", None),
                _item("http://medrxiv.org/cgi/content/short/2026.09.13.2?rss=1"),
                _item(
                    "http://example.org/content/short/2026.09.13.3v1?rss=1",
                    "doi:10.1101/2026.09.13.3",
                ),
            ]
        )
    ).encode()
    result = parse_biorxiv_rss(data)
    assert [(p.id, p.version, p.source) for p in result.papers] == [
        ("doi:10.1101/2026.09.13.26362948", 2, "medrxiv"),
        # The host names neither server: the channel title ("medRxiv Subject ...") decides.
        ("doi:10.1101/2026.09.13.3", 1, "medrxiv"),
    ]
    first = result.papers[0]
    assert (first.title, first.abstract, first.authors) == ("A preprint", "Text.", ("Doe, J.",))
    assert first.categories == ("Epidemiology",)
    assert first.url == "https://www.medrxiv.org/content/10.1101/2026.09.13.26362948v2"
    assert [(e.index, e.reason.split(":")[0]) for e in result.errors] == [
        (1, "no DOI in dc"),
        (2, "no version"),
    ]
    assert result.errors[0].entry_id == "http://medrxiv.org/cgi/content/short/2026.09.13.1v1?rss=1"


def test_atom_feed_of_another_site_is_refused_per_item() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Other</title><entry>'
        b'<title>x</title><link href="https://example.org/a1v1"/>'
        b"<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
    )
    result = parse_biorxiv_rss(data)
    assert result.papers == ()
    (error,) = result.errors
    assert "no DOI" in error.reason


def test_oai_page_is_not_an_rss_feed() -> None:
    data = b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>'
    with pytest.raises(FeedError, match="root element is <OAI-PMH>"):
        parse_biorxiv_rss(data)
