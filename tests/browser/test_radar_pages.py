"""The radar pages in a real browser: the form reads the query back and warns, keeps
the work when the query is wrong (with and without script), asks before deleting; the
radar page and the list show the schedule, the latest briefing and the counts; a zh
error page; the sources page on a 390 px phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytest.importorskip("playwright", reason="playwright is not installed (uv pip install playwright)")

from playwright.sync_api import Browser, Page, expect

from academichub.contracts import Briefing, Match, MatchedTerm, Paper, Theme
from tests.browser.conftest import Site, screenshot


def _paper(n: int, title: str, abstract: str, day: dt.date) -> Paper:
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=1,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=abstract,
        authors=tuple(f"Author {i}" for i in range(8)),
        categories=("quant-ph",),
        published=day,
        url=f"https://arxiv.org/abs/2606.{n:05d}",
    )


def _seed(site: Site) -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    site.store.papers.upsert_papers(
        [
            _paper(
                n,
                f"Surface code experiment {n}: qubits below threshold",
                "We run a surface code on superconducting qubits and decode it in real time.",
                today - dt.timedelta(days=n % 5),
            )
            for n in range(1, 26)
        ]
    )
    return today


def _sign_in(page: Page, site: Site) -> None:
    page.goto(site.base + "/signin?next=/radars")
    page.fill("#key", site.key)
    page.click("#signin-submit")
    expect(page).to_have_url(site.base + "/radars")


def test_the_form_reads_the_query_back_warns_and_never_loses_it(
    browser: Browser, site: Site
) -> None:
    _seed(site)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    _sign_in(page, site)
    page.fill("#radar-name", "Surface codes")
    query = page.locator("#radar-query")
    query.fill('threshold or qubits OR "surface code" NOT survey')
    query.dispatch_event("input")
    expect(page.locator("#query-reading-text")).to_have_text(
        '(threshold AND or AND qubits) OR ("surface code" AND NOT survey)'
    )
    warnings = page.locator("#query-warnings li")
    expect(warnings).to_have_count(2)
    expect(warnings.first).to_contain_text("小写的 “or” 被当作普通词来搜索")
    expect(warnings.nth(1)).to_contain_text('("surface code" AND NOT survey)')
    expect(page.locator("#preview-summary")).to_contain_text("共 25 篇")
    page.locator("#syntax-help summary").click()
    expect(page.locator("#syntax-help")).to_contain_text("AND、OR、NOT 必须大写")
    page.locator("input[name=schedule_kind][value=weekly]").check()
    expect(page.locator("#schedule-weekday")).to_be_visible()
    expect(page.locator("#schedule-n")).to_be_hidden()
    expect(page.locator("#preview-bars .bar")).to_have_count(30)
    screenshot(page, "12-radar-form-reading-and-warnings")

    # An error in the preview disables saving; fixing it enables it again.
    query.fill("qubits AND (decoding")
    query.dispatch_event("input")
    expect(page.locator("#preview-error")).to_contain_text("第 21 个字符处应为 ')'")
    expect(page.locator("#radar-save")).to_be_disabled()
    query.fill("qubits AND (decoding OR threshold)")
    query.dispatch_event("input")
    expect(page.locator("#radar-save")).to_be_enabled()


def test_without_script_an_invalid_query_comes_back_with_the_caret(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, site)
    typed = "qubits AND (decoding"
    page.fill("#radar-name", "Kept")
    page.fill("#radar-query", typed)
    page.click("#radar-save")
    expect(page.locator("#preview-error")).to_contain_text("第 21 个字符处应为 ')'")
    expect(page.locator("#radar-query")).to_have_value(typed)
    expect(page.locator("#radar-name")).to_have_value("Kept")
    expect(page.locator("#preview-error .caret")).to_contain_text(" " * 20 + "^")
    assert site.store.radars.list_radars() == []
    context.close()


def _radar_with_history(site: Site, page: Page) -> str:
    page.fill("#radar-name", "Surface codes")
    page.fill("#radar-query", '"surface code" qubits')
    page.locator("input[name=schedule_kind][value=daily]").check()
    page.select_option("#schedule-hour", "7")
    page.fill("#schedule-timezone", "Asia/Shanghai")
    page.locator("#radar-query").dispatch_event("input")
    expect(page.locator("#radar-save")).to_be_enabled()
    page.click("#radar-save")
    expect(page).to_have_url(re.compile(r"/radars/r_[0-9a-f]{16}$"))
    radar_id = page.url.rsplit("/", 1)[1]
    now = dt.datetime.now(dt.UTC)
    site.store.matches.record_matches(
        [
            Match(
                radar_id=radar_id,
                paper_id=f"arxiv:2606.{n:05d}",
                version=1,
                score=float(n),
                terms=(
                    MatchedTerm(field="title", term="surfac code"),
                    MatchedTerm(field="abstract", term="qubit"),
                ),
                matched_at=now - dt.timedelta(hours=n),
            )
            for n in range(1, 26)
        ]
    )
    ids = ("arxiv:2606.00001", "arxiv:2606.00002")
    site.store.briefings.close_window(
        Briefing(
            id=Briefing.make_id(radar_id, 1),
            radar_id=radar_id,
            window=1,
            language="zh",
            provider="extractive",
            overview="本期两篇论文报告了低于阈值的表面码实验，并实时解码。",
            themes=(Theme(title="表面码实验", synthesis="两组实验都低于阈值。", paper_ids=ids),),
            paper_ids=ids,
            window_opened_at=now - dt.timedelta(days=1),
            window_closed_at=now,
            created_at=now,
        ),
        [],
    )
    return radar_id


def test_the_radar_page_and_list_show_the_briefing_the_schedule_and_the_counts(
    browser: Browser, site: Site
) -> None:
    _seed(site)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    _sign_in(page, site)
    radar_id = _radar_with_history(site, page)
    page.reload()
    expect(page.locator("#latest-briefing")).to_contain_text("低于阈值的表面码实验")
    expect(page.locator("#radar-rhythm")).to_contain_text("每天 07:00（Asia/Shanghai）")
    expect(page.locator("#radar-rhythm [data-stat=next]")).to_contain_text("下一期：")
    expect(page.locator(".match")).to_have_count(20)
    expect(page.locator(".match").first.locator(".title")).to_contain_text("experiment 1:")
    expect(page.locator("#matches-pager")).to_contain_text("第 1 / 2 页")
    expect(page.locator(".match .authors")).to_have_count(0)
    screenshot(page, "13-radar-page")
    page.click("#matches-pager a[rel=next]")
    expect(page.locator(".match")).to_have_count(5)

    page.goto(site.base + "/radars")
    row = page.locator(f".radar-row[data-radar='{radar_id}']")
    expect(row.locator("[data-stat=week]")).to_contain_text("篇")
    expect(row.locator("[data-stat=last]")).to_contain_text("上一期简报：")
    expect(row.locator("[data-stat=schedule]")).to_have_text("每天 07:00（Asia/Shanghai）")
    screenshot(page, "14-radar-list")

    # Deleting asks first; cancelling keeps the radar.
    page.goto(f"{site.base}/radars/{radar_id}")
    page.click("#radar-delete")
    expect(page.locator("#confirm-delete")).to_contain_text("删除雷达“Surface codes”？")
    page.click("#delete-cancel")
    assert site.store.radars.get_radar(radar_id) is not None
    page.click("#radar-delete")
    page.click("#delete-confirmed")
    expect(page).to_have_url(site.base + "/radars")
    assert site.store.radars.get_radar(radar_id) is None


def test_a_missing_page_is_a_chinese_error_page(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    _sign_in(page, site)
    response = page.goto(site.base + "/radars/r_doesnotexist00")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".error-page h2")).to_contain_text("找不到页面")
    expect(page.locator(".error-page")).to_contain_text("/radars/r_doesnotexist00 不存在")
    screenshot(page, "15-error-page-zh")
    too_far = page.goto(site.base + "/?to=1000-01-01")
    assert too_far is not None
    assert too_far.status == 422
    expect(page.locator(".error-page")).to_contain_text("截止日期：应不小于 1700-01-01")


def test_the_sources_page_fits_a_phone_and_says_it_runs_on_recordings(
    browser: Browser, site: Site
) -> None:
    _seed(site)
    site.store.ingest.set_cursor(
        "arxiv",
        {
            "url": "file:///srv/academichub/recorded/arxiv-quant-ph.xml",
            "announce_date": dt.date.today().isoformat(),
            "last_success_at": dt.datetime.now(dt.UTC).isoformat(),
            "last_items": "25",
            "last_error_at": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat(),
            "last_error": "HTTP 503 from https://secret.example.org/feed?token=abc",
        },
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(site.base + "/sources")
    expect(page.locator("#offline-notice")).to_contain_text("离线录制数据")
    expect(page.locator("#never-polled-help")).to_be_visible()
    assert "secret.example.org" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    screenshot(page, "16-sources-phone")
    page.goto(site.base + "/docs")
    expect(page.locator("#docs-home")).to_have_attribute("href", "/")
    context.close()
