"""parse_arxiv_atom on recorded export.arxiv.org/api responses and on hand-written broken ones."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from academichub.ingestor.formats import FeedError, FeedParse, PaperVersion
from academichub.ingestor.formats.arxiv_atom import parse_arxiv_atom

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "arxiv_api"
SEARCH_2026 = FIXTURES / "api_2026_search_all-testing_max10.xml"
SEARCH_2016 = FIXTURES / "api_legacy_2016_search_au-del_maestro_max10.xml"
UTC = dt.UTC


def _parse(name: str) -> FeedParse:
    return parse_arxiv_atom((FIXTURES / name).read_bytes())


def _raw_entries(data: bytes) -> list[str]:
    return data.decode().split("<entry>")[1:]


def _found(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match


@pytest.mark.parametrize("path", [SEARCH_2026, SEARCH_2016])
def test_search_pages_match_the_raw_entries(path: Path) -> None:
    data = path.read_bytes()
    result = parse_arxiv_atom(data)
    raw = _raw_entries(data)
    assert len(result.papers) == len(raw) == 10
    for paper, entry in zip(result.papers, raw, strict=True):
        # Independent oracle: ids, versions, authors and categories read with regexes.
        bare, version = _found(r"<id>http://arxiv\.org/abs/(\S+?)v(\d+)</id>", entry).groups()
        assert (paper.id, paper.version) == (f"arxiv:{bare}", int(version))
        names = re.findall(r"<name>(.*?)</name>", entry)
        assert paper.authors == tuple(html.unescape(name) for name in names)
        primary = _found(r'<arxiv:primary_category[^>]*term="([^"]+)"', entry).group(1)
        terms = re.findall(r'<category term="([^"]+)"', entry)
        assert paper.categories[0] == primary
        assert set(paper.categories) == set(terms) | {primary}
        assert paper.url == f"https://arxiv.org/abs/{bare}"
        assert paper.pdf_url == f"https://arxiv.org/pdf/{bare}v{version}"
        assert paper.source == "arxiv"
        assert paper.announce_type is None
        updated = _found(r"<updated>(\d{4}-\d\d-\d\d)T", entry).group(1)
        assert paper.published == dt.date.fromisoformat(updated)
        assert ("<arxiv:doi" in entry) == (paper.doi is not None)


def test_primary_category_comes_first_even_when_listed_last() -> None:
    papers = {paper.id: paper for paper in _parse(SEARCH_2026.name).papers}
    # In the 2026 format <arxiv:primary_category> follows the <category> list.
    assert papers["arxiv:2005.14124"].categories == ("cs.SE", "cs.CR", "cs.LG")
    assert papers["arxiv:2405.13786"].authors[:3] == (
        "Aurora Ramírez",
        "Mario Berrios",
        "José Raúl Romero",
    )


def test_version_dates_are_kept_and_the_paper_carries_its_own() -> None:
    result = _parse(SEARCH_2026.name)
    paper = next(p for p in result.papers if p.id == "arxiv:2005.14124")
    assert paper.version == 2
    assert paper.published == dt.date(2020, 7, 16)
    assert result.versions[paper.id] == (
        PaperVersion(1, dt.date(2020, 5, 28)),
        PaperVersion(2, dt.date(2020, 7, 16)),
    )
    assert paper.doi == "10.1145/3395363.3397376"


def test_paging_and_response_time_of_a_search() -> None:
    feed = _parse(SEARCH_2026.name).feed
    assert (feed.total_results, feed.start_index, feed.items_per_page) == (214881, 0, 10)
    assert feed.response_date == dt.datetime(2026, 4, 12, 22, 9, 27, tzinfo=UTC)
    assert feed.title == "arXiv Query: search_query=all:testing&id_list=&start=0&max_results=10"
    assert feed.is_error is False
    assert feed.next_cursor is None  # offset paging: the next start is start + items per page


def test_legacy_format_with_doi_and_hard_wrapped_text() -> None:
    result = _parse("api_legacy_2016_idlist_1111.2011v2_with_doi.xml")
    (paper,) = result.papers
    assert (paper.id, paper.version) == ("arxiv:1111.2011", 2)
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper.abstract.startswith("Theoretical description of anisotropic systems, such as")
    assert paper.abstract.endswith("to the theory describing a single node.")
    assert paper.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")
    assert paper.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert paper.doi == "10.1103/physrevb.85.115117"
    assert paper.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert paper.published == dt.date(2012, 4, 2)
    assert result.versions[paper.id] == (
        PaperVersion(1, dt.date(2011, 11, 8)),
        PaperVersion(2, dt.date(2012, 4, 2)),
    )
    feed = result.feed
    assert (feed.total_results, feed.start_index, feed.items_per_page) == (1, 0, 10)
    assert feed.response_date == dt.datetime(
        2016, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=-4))
    )


def test_legacy_search_keeps_math_decodes_accents_and_old_style_ids() -> None:
    papers = {paper.id: paper for paper in _parse(SEARCH_2016.name).papers}
    assert papers["arxiv:cond-mat/0412498"].authors == ("Adrian Del Maestro", "Subir Sachdev")
    assert papers["arxiv:cond-mat/0412498"].abstract.startswith(
        'We present the theory of the effect of thermal fluctuations on commensurate "p x p"'
    )
    assert "(p >= 3, integer)" in papers["arxiv:cond-mat/0412498"].abstract
    assert papers["arxiv:1412.6529"].abstract.startswith("We consider the Rényi")
    assert papers["arxiv:1412.6529"].abstract.endswith(
        r"model of $\delta$-function interacting bosons in the one dimensional spatial continuum."
    )
    assert papers["arxiv:1303.6954"].authors == ("B. Kulchytskyy", "G. Gervais", "A. Del Maestro")


def test_old_style_id_with_affiliations() -> None:
    (paper,) = _parse("api_2026_idlist_astro-ph_0601001_oldstyle_id.xml").papers
    assert (paper.id, paper.version) == ("arxiv:astro-ph/0601001", 1)
    assert paper.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    # Affiliations are dropped, as for arXiv RSS.
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.categories == ("astro-ph",)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.doi is None
    assert paper.published == dt.date(2006, 1, 2)
    assert "Gould & Morgan (2003)" in paper.abstract
    assert "V_max<17.5" in paper.abstract
    assert not paper.abstract.startswith(" ")


def test_missing_id_is_silently_dropped_by_arxiv_and_the_other_parses() -> None:
    result = _parse("api_2026_idlist_two_ids_one_missing.xml")
    (paper,) = result.papers
    assert paper.id == "arxiv:1707.08567"
    assert len(paper.authors) == 34
    assert paper.authors[-1] == "Hirosuke Yamamoto"
    assert paper.authors[-5] == "Fons van der Sommen"
    assert result.feed.total_results == 1


def test_error_feed_is_flagged_with_message_and_code() -> None:
    result = _parse("api_2026_error_http400_bad_id.xml")
    assert result.papers == ()
    assert result.errors == ()
    assert result.feed.is_error is True
    assert result.feed.error_message == "incorrect id format for abc"
    assert result.feed.error_code == "incorrect_id_format_for_abc"


def test_empty_result_is_not_an_error() -> None:
    result = _parse("api_2026_empty_result_unknown_id.xml")
    assert (result.papers, result.errors, result.feed.is_error) == ((), (), False)
    assert result.feed.total_results == 0
    assert result.feed.error_code is None


# --- hand-written documents ----------------------------------------------------------------------

_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list=x</title>
  {entries}
</feed>"""


def _entry(
    raw_id: str = "http://arxiv.org/abs/2504.20001v1",
    title: str = "A fine paper",
    *,
    updated: str | None = "2025-04-28T10:00:00Z",
    published: str | None = "2025-04-28T10:00:00Z",
) -> str:
    parts = [f"<entry><id>{raw_id}</id><title>{title}</title><summary>  An\n  abstract.</summary>"]
    if updated is not None:
        parts.append(f"<updated>{updated}</updated>")
    if published is not None:
        parts.append(f"<published>{published}</published>")
    parts.append('<author><name>R\\\'emy Dupont</name></author><category term="cs.AI"/></entry>')
    return "".join(parts)


def _feed(*entries: str) -> bytes:
    return _FEED.format(entries="\n".join(entries)).encode()


def test_bad_entries_are_reported_and_the_rest_still_parse() -> None:
    result = parse_arxiv_atom(
        _feed(
            _entry("http://arxiv.org/abs/2504.20001v1"),
            _entry("http://example.org/not-arxiv"),
            _entry("http://arxiv.org/abs/2504.20003v1", title="  "),
            _entry("http://arxiv.org/abs/2504.20004v0"),
            _entry("http://arxiv.org/abs/2504.20005v1", updated=None, published=None),
            _entry("http://arxiv.org/abs/2504.20006v3", updated="2025-05-02T00:00:00Z"),
        )
    )
    assert [(p.id, p.version) for p in result.papers] == [
        ("arxiv:2504.20001", 1),
        ("arxiv:2504.20006", 3),
    ]
    assert [(e.index, e.entry_id) for e in result.errors] == [
        (1, "http://example.org/not-arxiv"),
        (2, "arxiv:2504.20003"),
        (3, "arxiv:2504.20004"),
        (4, "arxiv:2504.20005"),
    ]
    reasons = [e.reason for e in result.errors]
    assert "no arXiv id" in reasons[0]
    assert reasons[1] == "empty title"
    assert reasons[2].startswith("invalid paper: version")
    assert reasons[3].startswith("no date")
    # A rejected entry leaves no version history behind.
    assert set(result.versions) == {"arxiv:2504.20001", "arxiv:2504.20006"}
    first = result.papers[0]
    assert first.abstract == "An abstract."
    assert first.authors == ("Rémy Dupont",)


def test_legacy_error_entry_is_an_error_feed() -> None:
    # Before 2025 the API answered HTTP 200 with one entry titled "Error".
    entry = (
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345v</id>"
        "<title>Error</title><summary>incorrect id format for 1234.12345v</summary>"
        "<updated>2016-10-09T00:00:00-04:00</updated></entry>"
    )
    result = parse_arxiv_atom(_feed(entry))
    assert result.papers == ()
    assert result.errors == ()
    assert result.feed.is_error is True
    assert result.feed.error_message == "incorrect id format for 1234.12345v"
    assert result.feed.error_code == "incorrect_id_format_for_1234.12345v"


def test_rss_is_not_an_atom_feed() -> None:
    rss = (FIXTURES.parent / "arxiv_rss" / "rss_2024-11-28_archive_test_empty.xml").read_bytes()
    with pytest.raises(FeedError, match="root element is <rss>"):
        parse_arxiv_atom(rss)
