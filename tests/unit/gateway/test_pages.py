"""The home page: the curated daily list, its search box, and escaping of feed text."""

from __future__ import annotations

import datetime as dt
import html
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


# --- the front door, empty states that help, Chinese all the way ------------------------

BLURB_ZH = (
    "AcademicHub 汇聚顶级期刊与预印本平台的实时文献。定制您的专属科研雷达，"
    "利用大语言模型自动生成交叉领域文献分析简报。"
)


def test_the_home_page_carries_the_blurb_under_the_tagline(gateway: Gateway) -> None:
    page = gateway.client_for(None).get("/").text
    assert page.index("探索全球前沿学术脉络") < page.index(BLURB_ZH)
    english = gateway.client_for(None)
    english.cookies.set("ah_lang", "en")
    assert "let a large language model write cross-disciplinary" in english.get("/").text
    assert BLURB_ZH not in gateway.client_for(None).get("/sources").text  # the home page's


def test_long_author_lists_say_et_al_once_in_the_pages_language(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    many = tuple(f"Author {i}" for i in range(9))
    gateway.add(make_paper(1, "Crowded").model_copy(update={"authors": many}))
    zh = gateway.client_for(None).get("/").text
    assert "Author 5 等</p>" in zh
    assert "et al." not in zh
    english = gateway.client_for(None)
    english.cookies.set("ah_lang", "en")
    en = english.get("/").text
    assert "Author 5 et al.</p>" in en
    assert "等" not in en.split('class="authors"')[1].split("</p>")[0]


def _hints(html: str) -> list[str]:
    return re.findall(r'data-hint="([a-z_.]+)"', html)


def test_a_chinese_query_on_the_english_corpus_says_why_it_found_nothing(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(make_paper(1, "Quantum error correction"))
    page = gateway.client_for(None).get("/", params={"q": "量子纠错"}).text
    assert _hints(page) == ["hint.cjk"]
    assert '"quantum error correction"' in html.unescape(page)


def test_a_query_of_only_stop_words_is_told_so(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(make_paper(1, "The state of the art"))
    page = gateway.client_for(None).get("/", params={"q": "the of"}).text
    assert "hint.stop_words" in _hints(page)


def test_a_date_range_without_papers_says_so_and_offers_to_remove_it(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(make_paper(1, "Surface codes", published=dt.date(2026, 6, 12)))
    page = gateway.client_for(None).get(
        "/", params={"q": "surface", "from": "2020-01-01", "to": "2020-12-31"}
    )
    assert page.status_code == 200
    assert _hints(page.text) == ["hint.dates", "hint.broaden"]
    assert "2020-01-01 至 2020-12-31 之间没有论文；库中最新的论文发布于 2026-06-12" in page.text
    assert 'href="/?q=surface">去掉日期范围' in page.text


def test_a_page_past_the_last_links_to_the_last(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(*(make_paper(n, f"Paper {n}") for n in range(1, 8)))  # 3 a page: 3 pages
    page = gateway.client_for(None).get("/", params={"page": 999}).text
    assert "第 999 页超出范围：结果只有 3 页。" in page
    assert 'href="/?page=3">前往最后一页（第 3 页）' in page
    assert "第 999 / 3 页" not in page


def test_favicon_and_the_docs_page_lead_back_to_the_site(gateway: Gateway) -> None:
    icon = gateway.client_for(None).get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
    docs = gateway.client_for(None).get("/docs").text
    assert '<a href="/" id="docs-home">← 返回 AcademicHub</a>' in docs
    assert 'name="viewport"' in docs


def test_a_browser_gets_a_chinese_404_page_and_a_script_json(gateway: Gateway) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = gateway.client_for(None).get("/papers/arxiv:9999.99999", headers=browser)
    assert page.status_code == 404
    assert "找不到页面" in page.text
    assert "/papers/arxiv:9999.99999 不存在" in page.text
    assert "no paper" not in page.text
    script = gateway.client_for(None).get("/papers/arxiv:9999.99999")
    assert script.json()["error"] == "not_found"
    wrong = gateway.client_for(None).get("/signout", headers=browser)
    assert wrong.status_code == 405
    assert "不支持的请求方式" in wrong.text
    assert wrong.headers["Allow"] == "POST"
    bad = gateway.client_for(None).get("/", params={"page": "x"}, headers=browser)
    assert bad.status_code == 422
    assert "页码：应为整数" in bad.text
