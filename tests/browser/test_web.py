"""A researcher's visit in a real browser: the daily list with TeX, feed text that tries
to run script (and runs nothing), sign-in, a radar with its live preview, its matches
with why and 👍/👎, a briefing with cited papers, the sources page, English."""

from __future__ import annotations

import datetime as dt
import re

import pytest

# Skips (with the reason) on a machine without playwright, instead of failing to import.
pytest.importorskip("playwright", reason="playwright is not installed (uv pip install playwright)")

from playwright.sync_api import Browser, Dialog, Page, expect

from academichub.contracts import (
    Briefing,
    Connection,
    Match,
    MatchedTerm,
    Paper,
    Theme,
)
from tests.browser.conftest import Site, screenshot

XSS_TITLES = ("<img src=x onerror=alert(1)>", "<script>alert(2)</script> qubits")


def _paper(n: int, title: str, abstract: str, day: dt.date, cat: str = "quant-ph") -> Paper:
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=1,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=abstract,
        authors=("Ada Lovelace", "Alan Turing"),
        categories=(cat,),
        published=day,
        url=f"https://arxiv.org/abs/2606.{n:05d}",
    )


def _seed(site: Site) -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    site.store.papers.upsert_papers(
        [
            _paper(1, "Surface codes below threshold", "A surface code with $d=7$ qubits.", today),
            _paper(
                2,
                "Fast $\\theta$-rotations of superconducting qubits",
                "We rotate a qubit by $\\theta = \\pi/2$ in 10 ns; the surface code benefits.",
                today - dt.timedelta(days=1),
            ),
            _paper(3, XSS_TITLES[0], "An <img src=y onerror=alert(3)> abstract.", today),
            _paper(4, XSS_TITLES[1], "Text with <script>alert(4)</script> inside.", today),
            _paper(5, "Protein folding with transformers", "Deep learning.", today, "q-bio.BM"),
        ]
    )
    return today


def _watch(page: Page) -> list[str]:
    """Every dialog the page opens (alert/confirm/prompt): a script ran if any."""
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def test_the_daily_list_shows_tex_and_feed_markup_as_text(browser: Browser, site: Site) -> None:
    _seed(site)
    page = browser.new_page()
    dialogs = _watch(page)
    page.goto(site.base + "/")
    expect(page.locator("h1")).to_contain_text("Academic Intelligence")
    expect(page.locator(".entry")).to_have_count(5)
    for title in XSS_TITLES:
        expect(page.get_by_text(title, exact=True)).to_be_visible()
    # TeX in a title is typeset by the vendored KaTeX.
    expect(page.locator(".title .katex").first).to_be_visible()
    screenshot(page, "01-home")

    page.fill("input[name=q]", "quantum AND (error")
    page.press("input[name=q]", "Enter")
    expect(page.locator(".query-error")).to_contain_text("查询语法错误")
    screenshot(page, "02-home-query-error")

    page.goto(site.base + "/?q=" + '"><script>alert(5)</script>')
    page.goto(site.base + "/papers/arxiv:2606.00003")
    expect(page.get_by_text(XSS_TITLES[0], exact=True)).to_be_visible()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x], img[src=y]').length") == 0


def test_sign_in_create_a_radar_and_read_its_matches_and_briefing(
    browser: Browser, site: Site
) -> None:
    _seed(site)
    page = browser.new_page()
    dialogs = _watch(page)
    page.goto(site.base + "/radars")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.fill("#key", site.key)
    screenshot(page, "03-signin")
    page.click("#signin-submit")
    expect(page).to_have_url(site.base + "/radars")
    expect(page.locator(".who")).to_contain_text("Ada Lovelace")

    # The live preview counts per day while the query is typed, and shows parse errors.
    page.fill("#radar-name", "Surface codes")
    page.locator("#radar-query").press_sequentially('"surface code" OR qubit OR', delay=5)
    expect(page.locator("#preview-error")).to_be_visible()
    page.locator("#radar-query").fill('"surface code" OR qubit')
    page.locator("#radar-query").dispatch_event("input")
    expect(page.locator("#preview-bars .bar")).to_have_count(30)
    expect(page.locator("#preview-summary")).to_contain_text("共 3 篇")  # papers 1, 2 and 4
    expect(page.locator("#preview-error")).to_be_hidden()
    screenshot(page, "04-radar-new-preview")
    page.click("#radar-save")
    expect(page).to_have_url(re.compile(r"/radars/r_[0-9a-f]{16}$"))
    radar_id = page.url.rsplit("/", 1)[1]
    radar = site.store.radars.get_radar(radar_id)
    assert radar is not None
    assert radar.owner == site.user.id

    now = dt.datetime.now(dt.UTC)
    site.store.matches.record_matches(
        [
            Match(
                radar_id=radar_id,
                paper_id="arxiv:2606.00002",
                version=1,
                score=4.0,
                terms=(
                    MatchedTerm(field="title", term="qubit"),
                    MatchedTerm(field="abstract", term="surface code"),
                ),
                matched_at=now,
            ),
            Match(
                radar_id=radar_id,
                paper_id="arxiv:2606.00004",
                version=1,
                score=1.0,
                terms=(MatchedTerm(field="title", term="qubit"),),
                matched_at=now,
            ),
        ]
    )
    ids = ("arxiv:2606.00001", "arxiv:2606.00002")
    briefing = Briefing(
        id=Briefing.make_id(radar_id, 1),
        radar_id=radar_id,
        window=1,
        language="zh",
        provider="extractive",
        overview="本期两篇论文讨论表面码与超导量子比特。",
        themes=(Theme(title="量子纠错", synthesis="表面码低于阈值。", paper_ids=ids[:1]),),
        connections=(
            Connection(
                finding="快速旋转门让表面码更实用。",
                fields=("quant-ph", "physics.app-ph"),
                paper_ids=ids,
            ),
        ),
        paper_ids=ids,
        window_opened_at=now,
        window_closed_at=now,
        created_at=now,
    )
    site.store.briefings.close_window(briefing, [])

    page.reload()
    expect(page.locator(".match")).to_have_count(2)
    first = page.locator(".match").first
    expect(first.locator(".title mark").first).to_have_text("qubits")
    expect(first.locator(".abstract mark")).to_have_text("surface code")
    expect(first.locator(".why")).to_have_text(re.compile(r"qubits\s*surface code$"))
    expect(page.locator(".match").nth(1).locator(".title")).to_have_text(XSS_TITLES[1])
    up = first.locator("button.vote-up")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    [given] = site.accounts.feedback_for_radar(radar_id)
    assert (given.paper_id, given.verdict) == ("arxiv:2606.00002", "up")
    screenshot(page, "05-radar-matches")

    page.click(f"a[href='/briefings/{briefing.id}']")
    expect(page.locator("#overview")).to_contain_text("表面码与超导量子比特")
    expect(page.locator("#themes")).to_contain_text("量子纠错")
    expect(page.locator("#connections")).to_contain_text("quant-ph × physics.app-ph")
    screenshot(page, "06-briefing")
    page.locator("#themes a.cite").first.click()
    expect(page).to_have_url(site.base + "/papers/arxiv:2606.00001")
    expect(page.locator("h2.title")).to_contain_text("Surface codes below threshold")
    screenshot(page, "07-paper")

    page.goto(site.base + "/sources")
    expect(page.locator("#next-announcement")).to_contain_text("arXiv")
    screenshot(page, "08-sources")

    page.click("#lang-switch")
    expect(page.locator("h2")).to_have_text("Source freshness")
    expect(page.locator("#next-announcement")).to_contain_text("Next arXiv announcement")
    page.goto(f"{site.base}/radars/{radar_id}")
    expect(page.locator("#matches h3")).to_have_text("Matches (2, newest first)")
    screenshot(page, "09-radar-english")
    page.goto(site.base + "/")
    expect(page.locator(".summary")).to_contain_text("papers, newest first")
    screenshot(page, "10-home-english")
    assert dialogs == []


def test_api_docs_render_under_the_csp(browser: Browser, site: Site) -> None:
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site.base + "/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("AcademicHub gateway")
    screenshot(page, "11-api-docs")
    assert violations == []
