"""parse_arxiv_rss on recorded rss.arxiv.org documents and on hand-written broken ones."""

from __future__ import annotations

import collections
import datetime as dt
import re
from pathlib import Path

import pytest

from academichub.contracts import Paper
from academichub.contracts.events import PAPER_ID_RE
from academichub.ingestor.formats import FeedError, FeedParse
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss
from academichub.ingestor.formats.registry import FORMATS
from academichub.platform.errors import PoisonEvent

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "arxiv_rss"
QUANT_PH = FIXTURES / "rss_2025-04-28_quant-ph_81items.xml"
EMPTY = FIXTURES / "rss_2024-11-28_archive_test_empty.xml"
ERROR = FIXTURES / "rss_2024-11-28_error_bad_archive_astroph.xml"


@pytest.fixture(scope="module")
def quant_ph_bytes() -> bytes:
    return QUANT_PH.read_bytes()


@pytest.fixture(scope="module")
def quant_ph(quant_ph_bytes: bytes) -> FeedParse:
    return parse_arxiv_rss(quant_ph_bytes)


def _by_id(result: FeedParse) -> dict[str, Paper]:
    return {paper.id: paper for paper in result.papers}


# --- the recorded quant-ph feed ------------------------------------------------------------------


def test_every_item_becomes_a_paper(quant_ph: FeedParse) -> None:
    assert len(quant_ph.papers) == 81
    assert quant_ph.errors == ()
    assert len({paper.id for paper in quant_ph.papers}) == 81


def test_announce_types_are_counted_as_in_the_feed(quant_ph: FeedParse) -> None:
    counts = collections.Counter(paper.announce_type for paper in quant_ph.papers)
    assert counts == {"new": 40, "replace": 22, "cross": 10, "replace-cross": 9}


def test_ids_are_canonical_and_versions_match_the_guids(
    quant_ph: FeedParse, quant_ph_bytes: bytes
) -> None:
    # Independent oracle: the guids read straight from the bytes, in document order.
    guids = re.findall(rb"<guid[^>]*>oai:arXiv\.org:(\S+?)v(\d+)</guid>", quant_ph_bytes)
    assert len(guids) == 81
    expected = [(f"arxiv:{bare.decode()}", int(version)) for bare, version in guids]
    assert [(paper.id, paper.version) for paper in quant_ph.papers] == expected
    for paper in quant_ph.papers:
        assert PAPER_ID_RE.match(paper.id)
        assert not re.search(r"v\d+$", paper.id)
        assert paper.source == "arxiv"
        assert paper.url == f"https://arxiv.org/abs/{paper.id.removeprefix('arxiv:')}"
        assert paper.pdf_url == f"{paper.url.replace('/abs/', '/pdf/')}v{paper.version}"


def test_new_item_fields(quant_ph: FeedParse) -> None:
    paper = quant_ph.papers[0]
    assert paper.id == "arxiv:2504.17830"
    assert paper.version == 1
    assert paper.announce_type == "new"
    assert paper.title == "Self-Adjoint Time Operator in a Weighted Energy Space"
    assert paper.authors == ("Radmir Kokoulin",)
    assert paper.categories == ("quant-ph",)
    assert paper.published == dt.date(2025, 4, 28)
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.doi is None
    assert paper.journal_ref is None
    assert paper.pdf_url == "https://arxiv.org/pdf/2504.17830v1"
    # TeX is kept as is, and the abstract starts right after the prefix.
    assert paper.abstract.startswith(
        r"We introduce a self-adjoint time operator \(T_w = i\hbar\bigl(\partial_E"
    )
    assert paper.abstract.endswith("which in turn leaves the Hamiltonian spectrum unbounded.")


def test_replace_cross_item_fields(quant_ph: FeedParse) -> None:
    paper = _by_id(quant_ph)["arxiv:2312.01259"]
    assert paper.version == 3
    assert paper.announce_type == "replace-cross"
    assert paper.title == ("Topological defect formation in a phase transition with tunable order")
    assert paper.authors == ("Fumika Suzuki", "Wojciech H. Zurek")
    assert paper.categories == (
        "cond-mat.stat-mech",
        "gr-qc",
        "hep-ph",
        "hep-th",
        "quant-ph",
    )
    assert paper.doi == "10.1103/physrevlett.132.241601"
    assert paper.journal_ref == "Phys. Rev. Lett. 132, 241601 (2024)"
    assert paper.pdf_url == "https://arxiv.org/pdf/2312.01259v3"
    assert paper.abstract.startswith("The Kibble-Zurek mechanism (KZM)")


def test_version_four_and_cross_listed_primary_first(quant_ph: FeedParse) -> None:
    paper = _by_id(quant_ph)["arxiv:2401.00867"]
    assert paper.version == 4
    assert paper.title == ("Tensor Networks for Explainable Machine Learning in Cybersecurity")
    assert paper.authors == ("Borja Aizpurua", "Samuel Palmer", "Roman Orus")
    assert paper.categories == ("cs.LG", "cs.AI", "quant-ph")


def test_tex_math_in_titles_and_abstracts_is_kept_and_accents_decoded(
    quant_ph: FeedParse,
) -> None:
    papers = _by_id(quant_ph)
    assert papers["arxiv:2503.11888"].title == (
        "Efficient Truncations of SU($N_c$) Lattice Gauge Theory for Quantum Simulation"
    )
    assert papers["arxiv:2504.17873"].title == (
        "Multiparameter quantum estimation with Gaussian states: efficiently evaluating "
        "Holevo, RLD and SLD Cramér-Rao bounds"
    )
    # `&lt;` in the XML is a TeX "<", not the start of a tag.
    assert r"($0< \delta \ll 1$)" in papers["arxiv:2504.18135"].abstract


def test_no_abstract_keeps_the_announcement_prefix(quant_ph: FeedParse) -> None:
    for paper in quant_ph.papers:
        assert paper.abstract
        assert "Announce Type" not in paper.abstract
        assert not paper.abstract.startswith(("arXiv:", "Abstract:"))
        assert paper.abstract == paper.abstract.strip()
        assert "\n" not in paper.abstract
        assert "  " not in paper.abstract


def test_affiliations_with_commas_do_not_split_authors(quant_ph: FeedParse) -> None:
    paper = _by_id(quant_ph)["arxiv:2504.18264"]
    # The creator string carries a four-comma affiliation after every one of the four names.
    assert paper.authors == (
        "M. R. Nirmal",
        "Ankit Khandelwal",
        "Manoj Nambiar",
        "Sharma S. R. K. C. Yamijala",
    )


def test_tex_accents_in_author_names_are_decoded(quant_ph: FeedParse) -> None:
    papers = _by_id(quant_ph)
    assert papers["arxiv:2504.18205"].authors == (
        "Dogyun Ko",
        "Stanisław Świerczewski",
        "Andrzej Opala",
        "Michał Matuszewski",
        "Amir Rahmani",
    )
    assert papers["arxiv:2504.18187"].authors == ("Sergei Lepeshov", "Søren Stobbe")
    for paper in quant_ph.papers:
        for name in paper.authors:
            assert not set(name) & set("\\{}(),"), name


def test_doi_and_journal_ref_where_given(quant_ph: FeedParse, quant_ph_bytes: bytes) -> None:
    with_doi = {paper.id: paper.doi for paper in quant_ph.papers if paper.doi}
    with_ref = {paper.id: paper.journal_ref for paper in quant_ph.papers if paper.journal_ref}
    assert len(with_doi) == quant_ph_bytes.count(b"<arxiv:DOI>") == 10
    assert len(with_ref) == quant_ph_bytes.count(b"<arxiv:journal_reference>") == 9
    assert with_doi["arxiv:2501.12945"] == "10.1088/2058-9565/add04d"
    assert "arxiv:2501.12945" not in with_ref
    assert with_doi["arxiv:2403.13790"] == "10.1103/physrevb.111.144313"
    assert with_ref["arxiv:2403.13790"] == "Phys. Rev. B 111, 144313 (2025)"
    assert "arxiv:2504.18166" not in with_doi
    assert with_ref["arxiv:2504.18166"] == "Phys. Rev. A 111, 042427 (2025)"
    assert all(doi == doi.lower() for doi in with_doi.values())


def test_channel_info(quant_ph: FeedParse) -> None:
    assert quant_ph.feed.title == "quant-ph updates on arXiv.org"
    # pubDate (arXiv midnight), not lastBuildDate (the render time).
    assert quant_ph.feed.announce_date == dt.date(2025, 4, 28)
    assert quant_ph.feed.skip_days == ("Saturday", "Sunday")
    assert quant_ph.feed.is_error is False
    assert quant_ph.feed.error_message is None


def test_registry_names_the_parser() -> None:
    assert FORMATS["arxiv-rss"] is parse_arxiv_rss


# --- empty and error feeds -----------------------------------------------------------------------


def test_empty_feed_is_a_quiet_day_not_an_error() -> None:
    result = parse_arxiv_rss(EMPTY.read_bytes())
    assert result.papers == ()
    assert result.errors == ()
    assert result.feed.is_error is False
    assert result.feed.title == "test updates on arXiv.org"
    assert result.feed.announce_date == dt.date(2024, 11, 28)
    assert result.feed.skip_days == ("Saturday", "Sunday")


def test_error_feed_is_flagged_with_its_message() -> None:
    result = parse_arxiv_rss(ERROR.read_bytes())
    assert result.papers == ()
    assert result.errors == ()
    assert result.feed.is_error is True
    assert result.feed.error_message is not None
    assert result.feed.error_message.startswith("Bad archive 'astroph'. Valid archive names are:")
    assert result.feed.skip_days == ()


# --- hand-written broken input -------------------------------------------------------------------

_CHANNEL = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     version="2.0">
  <channel>
    <title>cs.AI updates on arXiv.org</title>
    <pubDate>Tue, 29 Apr 2025 00:00:00 -0400</pubDate>
    {items}
  </channel>
</rss>
"""


def _item(
    bare: str = "2504.20001",
    version: int = 1,
    title: str = "A fine paper",
    *,
    guid: bool = True,
    description: bool = True,
    announce_type: str = "new",
    creator: str = "Ada Lovelace, Alan Turing",
    pub_date: str | None = None,
) -> str:
    parts = [f"<item><title>{title}</title><link>https://arxiv.org/abs/{bare}</link>"]
    if description:
        parts.append(
            f"<description>arXiv:{bare}v{version} Announce Type: {announce_type} \n"
            f"Abstract: The abstract of {bare}.</description>"
        )
    if guid:
        parts.append(f'<guid isPermaLink="false">oai:arXiv.org:{bare}v{version}</guid>')
    if pub_date is not None:
        parts.append(f"<pubDate>{pub_date}</pubDate>")
    parts.append(
        "<category>cs.AI</category>"
        f"<arxiv:announce_type>{announce_type}</arxiv:announce_type>"
        f"<dc:creator>{creator}</dc:creator></item>"
    )
    return "".join(parts)


def _feed(*items: str) -> bytes:
    return _CHANNEL.format(items="\n".join(items)).encode()


def test_bad_entries_are_reported_and_the_rest_still_parse() -> None:
    result = parse_arxiv_rss(
        _feed(
            _item("2504.20001"),
            _item("2504.20002", guid=False, description=False),
            _item("2504.20003", title=""),
            _item("2504.20004", title="   &lt;i&gt;&lt;/i&gt; "),
            _item("2504.20005", version=0),
            _item("2504.20006", announce_type="absonly"),
            _item("2504.20007", version=2),
        )
    )
    assert [paper.id for paper in result.papers] == ["arxiv:2504.20001", "arxiv:2504.20007"]
    assert [paper.version for paper in result.papers] == [1, 2]
    assert [(error.index, error.entry_id) for error in result.errors] == [
        (1, "https://arxiv.org/abs/2504.20002"),
        (2, "arxiv:2504.20003"),
        (3, "arxiv:2504.20004"),
        (4, "arxiv:2504.20005"),
        (5, "arxiv:2504.20006"),
    ]
    reasons = [error.reason for error in result.errors]
    assert "no arXiv id" in reasons[0]
    assert reasons[1] == "empty title"
    assert reasons[2] == "empty title"
    assert reasons[3].startswith("invalid paper: version")
    assert "absonly" in reasons[4]


def test_missing_guid_falls_back_to_the_description_prefix() -> None:
    result = parse_arxiv_rss(_feed(_item("2504.20008", version=3, guid=False)))
    assert result.errors == ()
    (paper,) = result.papers
    assert (paper.id, paper.version) == ("arxiv:2504.20008", 3)
    assert paper.abstract == "The abstract of 2504.20008."
    # No item pubDate: the channel's announcement day is used.
    assert paper.published == dt.date(2025, 4, 29)


def test_item_pub_date_wins_over_the_channel_and_one_is_required() -> None:
    item = _item("2504.20012", pub_date="Mon, 28 Apr 2025 00:00:00 -0400")
    (paper,) = parse_arxiv_rss(_feed(item)).papers
    assert paper.published == dt.date(2025, 4, 28)

    undated = _feed(_item("2504.20013"), item).replace(
        b"<pubDate>Tue, 29 Apr 2025 00:00:00 -0400</pubDate>", b""
    )
    result = parse_arxiv_rss(undated)
    assert result.feed.announce_date is None
    assert [paper.id for paper in result.papers] == ["arxiv:2504.20012"]
    (error,) = result.errors
    assert (error.index, error.entry_id) == (0, "arxiv:2504.20013")
    assert "no announcement date" in error.reason


def test_missing_description_gives_an_empty_abstract() -> None:
    (paper,) = parse_arxiv_rss(_feed(_item("2504.20009", description=False))).papers
    assert paper.abstract == ""
    assert paper.version == 1


def test_old_style_id_and_markup_in_fields() -> None:
    result = parse_arxiv_rss(
        _feed(
            _item(
                "hep-th/9901001",
                version=2,
                title="Strings &amp; &lt;i&gt;branes&lt;/i&gt; with $a&lt;b$ and $c&gt;d$",
                announce_type="replace",
                creator=r"R\'emy Dupont (LPT, Orsay (Paris-Saclay)), J. Smith, Jr. and K. Lee",
            )
        )
    )
    (paper,) = result.papers
    assert paper.id == "arxiv:hep-th/9901001"
    assert paper.version == 2
    assert paper.url == "https://arxiv.org/abs/hep-th/9901001"
    assert paper.pdf_url == "https://arxiv.org/pdf/hep-th/9901001v2"
    assert paper.title == "Strings & branes with $a<b$ and $c>d$"
    assert paper.authors == ("Rémy Dupont", "J. Smith Jr.", "K. Lee")


def test_e_mail_in_the_creator_does_not_unbalance_affiliations() -> None:
    # feedparser cuts "(a.one@x.org)" out of its parsed author name, taking a ")" further on
    # with it; the raw creator text is what must be split.
    creator = "A. One (a.one@x.org), B. Two, C. Three (Univ, X)"
    (paper,) = parse_arxiv_rss(_feed(_item(creator=creator))).papers
    assert paper.authors == ("A. One", "B. Two", "C. Three")


def test_repeated_creators_keep_every_name_in_order() -> None:
    item = _item(creator="Ada Lovelace").replace(
        "</item>",
        "<dc:creator>Alan Turing</dc:creator><dc:creator>Grace Hopper</dc:creator></item>",
    )
    (paper,) = parse_arxiv_rss(_feed(item)).papers
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")


def test_unrecognised_announcement_prefix_is_refused_not_published() -> None:
    broken = _item("2504.20010").replace("arXiv:2504.20010v1 Announce", "arXiv: see Announce")
    result = parse_arxiv_rss(_feed(broken, _item("2504.20011")))
    assert [paper.id for paper in result.papers] == ["arxiv:2504.20011"]
    (error,) = result.errors
    assert error.index == 0
    assert "prefix" in error.reason


def test_truncated_document_keeps_the_complete_entries(quant_ph_bytes: bytes) -> None:
    # Cut in the middle of the third item's abstract, as a dropped connection would.
    third = [match.start() for match in re.finditer(rb"<item>", quant_ph_bytes)][2]
    cut = quant_ph_bytes[: quant_ph_bytes.index(b"Abstract:", third) + 200]
    result = parse_arxiv_rss(cut)
    assert [paper.id for paper in result.papers] == ["arxiv:2504.17830", "arxiv:2504.17837"]
    (error,) = result.errors
    assert error.index == 2
    # The cut falls before the item's guid, so the link is all that identifies it.
    assert error.entry_id == "https://arxiv.org/abs/2504.17873"
    assert "ends inside" in error.reason


def test_document_cut_between_items_keeps_them_all(quant_ph_bytes: bytes) -> None:
    second_end = [match.end() for match in re.finditer(rb"</item>", quant_ph_bytes)][1]
    result = parse_arxiv_rss(quant_ph_bytes[:second_end])
    assert [paper.id for paper in result.papers] == ["arxiv:2504.17830", "arxiv:2504.17837"]
    assert result.errors == ()


def test_damaged_but_complete_feed_still_yields_its_entries() -> None:
    # An HTML entity is undefined in XML: feedparser sets bozo and falls back to its lenient
    # parser, which still reads every entry.
    data = _feed(_item("2504.20014", title="Caf&eacute; physics"), _item("2504.20015"))
    result = parse_arxiv_rss(data)
    assert [paper.title for paper in result.papers] == ["Café physics", "A fine paper"]
    assert result.errors == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not xml at all", "not XML"),
        (b'{"papers": []}', "not XML"),
        (b"\x00\xff\xfe\x01garbage", "not XML"),
        (
            b"<!DOCTYPE html><html><head><title>503</title></head>"
            b"<body><p>Service unavailable<br></body></html>",
            "HTML page",
        ),
        (b"<html><body><h1>Not found</h1></body></html>", "HTML page"),
        (b"<?xml version='1.0'?><note><to>you</to></note>", "not an RSS/Atom feed"),
    ],
)
def test_bytes_that_are_not_a_feed_raise(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_arxiv_rss(data)


def test_feed_error_is_poison() -> None:
    assert issubclass(FeedError, PoisonEvent)


def test_bytes_are_never_taken_for_a_file_name() -> None:
    # feedparser opens a bare string as a path or URL; the parser must treat it as content.
    with pytest.raises(FeedError):
        parse_arxiv_rss(str(QUANT_PH).encode())
