"""The home page: the curated daily list, its search box, and escaping of feed text."""

from __future__ import annotations

import datetime as dt
import re

from tests.unit.gateway.harness import Gateway, MakePaper


def _entries(html: str) -> list[str]:
    return re.findall(r'<span class="number">(\d+\.)</span>', html)


def test_home_lists_numbered_entries_newest_first(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(
        make_paper(1, "Older surface codes", published=dt.date(2026, 6, 10)),
        make_paper(
            2,
            "Newest transformer pruning",
            "We prune attention heads.",
            published=dt.date(2026, 6, 12),
            categories=("cs.LG", "cs.AI"),
        ),
    )
    page = gateway.client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "Academic Intelligence · Curated Daily" in html
    assert "探索全球前沿学术脉络" in html
    assert _entries(html) == ["01.", "02."]
    assert "arXiv (cs.LG) 2026-06-12" in html
    assert "arXiv (quant-ph) 2026-06-10" in html
    assert html.index("Newest transformer pruning") < html.index("Older surface codes")
    assert "We prune attention heads." in html


def test_home_escapes_feed_text_and_refuses_script_links(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(
        make_paper(
            1,
            "<script>alert(1)</script>",
            'Abstract with <img src=x onerror="alert(2)"> inside.',
            url="javascript:alert(3)",
        )
    )
    html = gateway.client.get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html
    assert "javascript:" not in html


def test_home_pages_continue_the_numbering(gateway: Gateway, make_paper: MakePaper) -> None:
    # page_size is 3 in these tests: four papers make two pages.
    gateway.add(
        *(make_paper(n, f"Paper number {n}", published=dt.date(2026, 6, n)) for n in range(1, 5))
    )
    first = gateway.client.get("/").text
    assert _entries(first) == ["01.", "02.", "03."]
    assert "page=2" in first
    second = gateway.client.get("/", params={"page": 2}).text
    assert _entries(second) == ["04."]
    assert "Paper number 1" in second  # the oldest comes last
    assert "Paper number 4" not in second


def test_search_box_shows_only_matching_papers_with_hits_marked(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(
        make_paper(1, "Surface codes", "Quantum error correction with surface codes."),
        make_paper(2, "Protein folding", "Deep learning predicts protein structures."),
    )
    html = gateway.client.get("/", params={"q": "protein"}).text
    assert "Protein folding" in html
    assert "Surface codes" not in html
    assert _entries(html) == ["01."]
    assert re.search(r"<mark>protein</mark>", html, re.IGNORECASE)
    assert 'value="protein"' in html


def test_search_box_shows_a_parse_error_inline(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(make_paper(1, "Surface codes"))
    page = gateway.client.get("/", params={"q": "quantum AND (error"})
    assert page.status_code == 200
    html = page.text
    assert 'role="alert"' in html
    assert "查询语法错误" in html  # Chinese by default
    # Counted from 1, as people count: the mistake is just past the last character.
    opened = "quantum AND (error".index("(") + 1
    assert f"第 {len('quantum AND (error') + 1} 个字符处应为 &#39;)&#39;" in html
    assert f"闭合第 {opened} 个字符处的 &#39;(&#39;" in html
    assert "position" not in html  # no English left in the Chinese page
    assert _entries(html) == []


def test_search_box_escapes_the_query_it_echoes(gateway: Gateway) -> None:
    html = gateway.client.get("/", params={"q": '"><script>x</script>'}).text
    assert "<script>x</script>" not in html
