"""parse_rss on the recorded Science feed and on hand-written RSS 1.0, RSS 2.0 and Atom feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.rss import parse_rss

SCIENCE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "feeds"
    / "journal_feeds"
    / "science_aaas_rss1_2021-05_current_issue_trimmed.xml"
)


def test_science_feed() -> None:
    result = parse_rss(SCIENCE.read_bytes())
    assert result.errors == ()
    editorial, news = result.papers
    # The DOI is the first dc:identifier (`info:doi/...`); the HighWire id after it is not one.
    assert editorial.id == "doi:10.1126/science.abj4606"
    assert editorial.doi == "10.1126/science.abj4606"
    assert editorial.source == "journal:science"  # prism:publicationName, not "Science current…"
    assert editorial.title == '"The Descent of Man," 150 years on'
    assert editorial.abstract == ""  # <description><![CDATA[]]></description>
    assert editorial.authors == ("Fuentes, A.",)
    assert editorial.categories == ("Editorials",)
    # prism:publicationDate (the issue), not dc:date (2021-05-20T10:40:55-07:00).
    assert editorial.published == dt.date(2021, 5, 21)
    assert editorial.journal_ref == "Science 372(6544), 769 (2021)"
    assert editorial.url == "http://science.sciencemag.org/cgi/content/short/372/6544/769?rss=1"
    assert (editorial.version, editorial.announce_type) == (None, None)
    assert news.id == "doi:10.1126/science.372.6544.770"
    assert news.authors == ()  # <dc:creator><![CDATA[]]></dc:creator>
    assert news.journal_ref == "Science 372(6544), 770-772 (2021)"
    assert result.feed.title == "Science current issue"
    assert result.feed.is_error is False


@pytest.mark.parametrize(
    ("journal", "source"),
    [("Science Magazine", "journal:science-magazine"), ("journal:nature", "journal:nature")],
)
def test_journal_option_wins_over_the_feed(journal: str, source: str) -> None:
    result = parse_rss(SCIENCE.read_bytes(), journal=journal)
    assert {paper.source for paper in result.papers} == {source}


def test_journal_option_must_make_a_slug() -> None:
    with pytest.raises(ValueError, match="slug"):
        parse_rss(SCIENCE.read_bytes(), journal="!!!")


# --- hand-written feeds --------------------------------------------------------------------------

_RDF = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="{prism}"
  xmlns:cc="http://web.resource.org/cc/">
<channel rdf:about="https://www.example.org"><title>{title}</title>{channel}</channel>
{items}
</rdf:RDF>"""
PRISM_1 = "http://purl.org/rss/1.0/modules/prism/"
PRISM_2 = "http://prismstandard.org/namespaces/basic/2.0/"


def _rdf(
    *items: str, title: str = "Nature Physics", channel: str = "", prism: str = PRISM_1
) -> bytes:
    return _RDF.format(items="\n".join(items), title=title, channel=channel, prism=prism).encode()


def _item(identifiers: str, *, title: str = "A result", date: str = "2026-05-13") -> str:
    return (
        f'<item rdf:about="https://www.example.org/a"><title>{title}</title>'
        "<link>https://www.example.org/a</link><description>An &lt;b&gt;abstract&lt;/b&gt;."
        f"</description><dc:creator>Ng, A.</dc:creator><dc:creator>Li, B.</dc:creator>"
        f"<dc:date>{date}</dc:date>{identifiers}</item>"
    )


@pytest.mark.parametrize(
    "identifiers",
    [
        "<dc:identifier>doi:10.1038/S41567-026-0001-X</dc:identifier>",
        "<dc:identifier>doi: 10.1038/S41567-026-0001-X</dc:identifier>",  # MDPI's space
        "<dc:identifier>info:doi/10.1038/S41567-026-0001-X</dc:identifier>",
        "<dc:identifier>https://doi.org/10.1038/S41567-026-0001-X</dc:identifier>",
        "<dc:identifier>http://dx.doi.org/10.1038/S41567-026-0001-X</dc:identifier>",
        "<dc:identifier>https://doi.org/10.1038%2FS41567-026-0001-X</dc:identifier>",
        "<prism:doi>10.1038/S41567-026-0001-X</prism:doi>",
        # The DOI after another identifier, as in Science's feed: feedparser keeps only the last.
        "<dc:identifier>hwp:resource-id:x;1/2</dc:identifier>"
        "<dc:identifier>doi:10.1038/S41567-026-0001-X</dc:identifier>"
        "<dc:identifier>https://www.example.org/10.9999/not-a-doi</dc:identifier>",
    ],
)
def test_doi_spellings(identifiers: str) -> None:
    (paper,) = parse_rss(_rdf(_item(identifiers))).papers
    assert paper.id == "doi:10.1038/s41567-026-0001-x"
    assert paper.source == "journal:nature-physics"  # channel title: no publicationName
    assert paper.authors == ("Ng, A.", "Li, B.")
    assert paper.abstract == "An abstract."


def test_prism_2_namespace_and_mdpi_quirks() -> None:
    item = (
        '<item rdf:about="https://www.mdpi.com/1/2/3"><title>MDPI paper</title>'
        "<link>https://www.mdpi.com/1/2/3</link><description>Text</description>"
        "<pubDate>2024-05-22</pubDate><dc:creator>Kim, S.</dc:creator>"
        "<dc:identifier>doi: 10.3390/ijms25010001</dc:identifier>"
        "<prism:publicationName>IJMS</prism:publicationName><prism:volume>25</prism:volume>"
        '<prism:number>1</prism:number><cc:license rdf:resource="CC BY 4.0"/></item>'
    )
    (paper,) = parse_rss(_rdf(item, prism=PRISM_2)).papers
    assert paper.id == "doi:10.3390/ijms25010001"
    assert paper.source == "journal:ijms"  # the item's publicationName wins over the channel
    assert paper.published == dt.date(2024, 5, 22)
    assert paper.license == "CC BY 4.0"
    assert paper.journal_ref == "IJMS 25(1) (2024)"


def test_bad_items_are_reported_and_the_rest_still_parse() -> None:
    result = parse_rss(
        _rdf(
            _item("<dc:identifier>doi:10.1038/good.1</dc:identifier>"),
            _item("<dc:identifier>hwp:resource-id:x;1/2</dc:identifier>", title="No DOI"),
            _item("<dc:identifier>doi:10.1038/no.title</dc:identifier>", title=""),
            _item("<dc:identifier>doi:10.1038/no.date</dc:identifier>", date="sometime"),
            _item("<dc:identifier>doi:10.1038/year.month</dc:identifier>", date="2026-05"),
        )
    )
    assert [p.id for p in result.papers] == ["doi:10.1038/good.1", "doi:10.1038/year.month"]
    assert result.papers[1].published == dt.date(2026, 5, 1)
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (1, "https://www.example.org/a"),
        (2, "doi:10.1038/no.title"),
        (3, "doi:10.1038/no.date"),
    ]
    reasons = [e.reason for e in result.errors]
    assert reasons[0].startswith("no DOI")
    assert reasons[1] == "empty title"
    assert reasons[2].startswith("no date")


def test_rss2_feed_with_html_entities() -> None:
    data = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>ScienceDirect Publication: Cell</title>
<skipDays><day>saturday</day><day>Sunday</day></skipDays>
<item><title>Caf&eacute; cells</title><link>https://www.sciencedirect.com/x?dgcid=rss</link>
<guid>https://doi.org/10.1016/J.CELL.2026.05.001</guid>
<description>&lt;p&gt;Publication date: Available online 20 May 2026&lt;/p&gt;</description>
<pubDate>Wed, 20 May 2026 00:00:00 GMT</pubDate><dc:creator>A; B</dc:creator>
<category>Cell biology</category></item></channel></rss>"""
    result = parse_rss(data, journal="Cell")
    (paper,) = result.papers
    assert paper.id == "doi:10.1016/j.cell.2026.05.001"
    assert paper.title == "Café cells"
    assert paper.source == "journal:cell"
    assert paper.published == dt.date(2026, 5, 20)
    assert paper.authors == ("A", "B")
    assert paper.categories == ("Cell biology",)
    assert paper.abstract == "Publication date: Available online 20 May 2026"
    assert result.feed.skip_days == ("Saturday", "Sunday")


def test_atom_feed_like_plos() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>PLOS ONE</title>
<updated>2026-06-01T00:00:00Z</updated>
<entry><id>info:doi/10.1371/journal.pone.0300001</id>
<title>An &lt;i&gt;in vivo&lt;/i&gt; study</title>
<link rel="related" href="https://journals.plos.org/plosone/article/pdf"/>
<link href="https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0300001"/>
<author><name>Ada Lovelace</name></author><author><name>Alan Turing</name></author>
<published>2026-05-29T14:00:00Z</published><updated>2026-06-01T00:00:00Z</updated>
<summary type="html">&lt;p&gt;We study $x&lt;y$.&lt;/p&gt;</summary></entry></feed>"""
    result = parse_rss(data)
    (paper,) = result.papers
    assert paper.id == "doi:10.1371/journal.pone.0300001"
    assert paper.source == "journal:plos-one"
    assert paper.title == "An in vivo study"
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.published == dt.date(2026, 5, 29)
    assert paper.abstract == "We study $x<y$."
    assert paper.url == "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0300001"
    assert result.feed.announce_date == dt.date(2026, 6, 1)


def test_oai_page_is_not_a_journal_feed() -> None:
    with pytest.raises(FeedError, match="not an RSS/Atom feed: the root element is <OAI-PMH>"):
        parse_rss(b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>')
