"""The signed-in web pages: sign in, create and edit radars, matches with why and 👍/👎,
feeds, briefings, sources — rendered by the server, escaped, in Chinese or English."""

from __future__ import annotations

import datetime as dt
import re

from academichub.contracts import Briefing, Connection, Match, MatchedTerm, Theme
from tests.unit.gateway.harness import NOW, Gateway, MakePaper, form_token, page_csrf, sign_in


def _radar(gateway: Gateway, query: str = '"surface code" OR qubit') -> str:
    response = gateway.client.post("/api/radars", json={"name": "QEC", "query": query})
    assert response.status_code == 201, response.text
    radar_id: str = response.json()["id"]
    return radar_id


def test_sign_in_sets_a_safe_session_cookie(gateway: Gateway) -> None:
    browser = gateway.client_for(None)
    form = browser.get("/signin")
    response = browser.post(
        "/signin",
        data={"key": gateway.ada_key, "csrf": form_token(form.text), "next": "/radars"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/radars"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("ah_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    assert gateway.ada_key not in cookie
    # Only a digest is stored: the cookie value itself is nowhere in the account store.
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value not in gateway.accounts.sessions
    page = browser.get("/radars")
    assert page.status_code == 200
    assert "Ada" in page.text


def test_sign_in_over_https_marks_the_cookie_secure(gateway: Gateway) -> None:
    browser = gateway.client_for(None)
    browser.base_url = browser.base_url.copy_with(scheme="https")
    form = browser.get("/signin")
    response = browser.post(
        "/signin",
        data={"key": gateway.ada_key, "csrf": form_token(form.text)},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if "ah_session=" in c)
    assert "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_sign_in_with_a_wrong_key_or_a_forged_form_fails(gateway: Gateway) -> None:
    browser = gateway.client_for(None)
    token = form_token(browser.get("/signin").text)
    wrong = browser.post("/signin", data={"key": "ahk_00000000_" + "x" * 43, "csrf": token})
    assert wrong.status_code == 401
    assert "ah_session" not in wrong.headers.get("set-cookie", "")
    forged = gateway.client_for(None).post(
        "/signin", data={"key": gateway.ada_key, "csrf": "made-up"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert gateway.accounts.sessions == {}


def test_sign_in_never_redirects_to_another_site(gateway: Gateway) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        browser = gateway.client_for(None)
        token = form_token(browser.get("/signin").text)
        response = browser.post(
            "/signin",
            data={"key": gateway.ada_key, "csrf": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/radars", target


def test_radar_pages_need_a_session(gateway: Gateway) -> None:
    response = gateway.client_for(None).get("/radars", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fradars"


def test_create_a_radar_through_the_form(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    csrf = page_csrf(browser)
    response = browser.post(
        "/radars",
        data={"csrf": csrf, "name": "Surface codes", "query": '"surface code"', "language": "en"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    radar_id = response.headers["location"].removeprefix("/radars/")
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert (stored.owner, stored.name, stored.language) == (gateway.ada.id, "Surface codes", "en")
    assert len(gateway.publisher.sent) == 1
    assert "Surface codes" in browser.get("/radars").text


def test_forms_without_the_csrf_token_change_nothing(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    radar_id = _radar(gateway)
    for path, data in [
        ("/radars", {"name": "x", "query": "y"}),
        (f"/radars/{radar_id}", {"name": "x", "query": "y"}),
        (f"/radars/{radar_id}/delete", {}),
        (f"/radars/{radar_id}/feed-token", {}),
        ("/signout", {}),
    ]:
        response = browser.post(path, data={**data, "csrf": "wrong"})
        assert response.status_code == 403, path
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert stored.revision == 1
    assert len(gateway.publisher.sent) == 1
    assert gateway.accounts.feed_tokens == {}


def test_a_session_calling_the_api_must_send_the_csrf_header(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    body = {"query": "qubit"}
    assert browser.post("/api/radars/preview", json=body).status_code == 403
    csrf = page_csrf(browser)
    ok = browser.post("/api/radars/preview", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    assert browser.get("/api/radars").status_code == 200  # reads need no token


def test_radar_page_highlights_the_terms_that_fired_and_takes_feedback(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    radar_id = _radar(gateway)
    gateway.add(
        make_paper(1, "Surface codes at scale", "A surface code with lattice surgery."),
        make_paper(2, "<img src=x onerror=alert(1)>", "Qubit <script>alert(2)</script>"),
    )
    gateway.store.matches.record_matches(
        [
            Match(
                radar_id=radar_id,
                paper_id="arxiv:2606.00001",
                version=1,
                score=3.0,
                terms=(
                    MatchedTerm(field="title", term="surface code"),
                    MatchedTerm(field="abstract", term="surface code"),
                ),
                matched_at=NOW,
            ),
            Match(
                radar_id=radar_id,
                paper_id="arxiv:2606.00002",
                version=1,
                score=1.0,
                terms=(MatchedTerm(field="abstract", term="qubit"),),
                matched_at=NOW,
            ),
        ]
    )
    browser = sign_in(gateway, gateway.ada_key)
    html = browser.get(f"/radars/{radar_id}").text
    assert re.search(r"<mark>Surface codes</mark> at scale", html)
    assert "A <mark>surface code</mark> with lattice surgery." in html
    assert '<span class="term">Surface codes</span>' in html  # the paper's words
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html
    response = browser.post(
        f"/radars/{radar_id}/feedback",
        data={"csrf": page_csrf(browser), "paper_id": "arxiv:2606.00001", "verdict": "up"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [given] = gateway.accounts.feedback_for_radar(radar_id)
    assert (given.paper_id, given.verdict, given.user_id) == (
        "arxiv:2606.00001",
        "up",
        gateway.ada.id,
    )
    assert 'aria-pressed="true"' in browser.get(f"/radars/{radar_id}").text


def test_briefing_page_links_every_citation_to_its_paper(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    radar_id = _radar(gateway)
    gateway.add(make_paper(1, "Surface codes at scale"), make_paper(2, "Qubit routing"))
    ids = ("arxiv:2606.00001", "arxiv:2606.00002")
    briefing = Briefing(
        id=Briefing.make_id(radar_id, 1),
        radar_id=radar_id,
        window=1,
        language="zh",
        provider="extractive",
        overview="本期两篇论文。",
        themes=(Theme(title="纠错", synthesis="表面码。", paper_ids=ids[:1]),),
        connections=(
            Connection(finding="编译与纠错相连。", fields=("quant-ph", "cs.AR"), paper_ids=ids),
        ),
        paper_ids=ids,
        window_opened_at=NOW,
        window_closed_at=NOW,
        created_at=NOW,
    )
    gateway.store.briefings.close_window(briefing, [])
    browser = sign_in(gateway, gateway.ada_key)
    radar_page = browser.get(f"/radars/{radar_id}").text
    assert f'href="/briefings/{briefing.id}"' in radar_page
    html = browser.get(f"/briefings/{briefing.id}").text
    for section in ("overview", "themes", "connections"):
        assert f'id="{section}"' in html
    assert "编译与纠错相连。" in html
    assert html.count('href="/papers/arxiv:2606.00001"') >= 3  # theme, connection, list
    assert "[Qubit routing]" in html
    assert browser.get("/papers/arxiv:2606.00001").status_code == 200


def test_feed_link_is_issued_once_and_revocable_from_the_page(gateway: Gateway) -> None:
    radar_id = _radar(gateway)
    browser = sign_in(gateway, gateway.ada_key)
    html = browser.post(f"/radars/{radar_id}/feed-token", data={"csrf": page_csrf(browser)}).text
    url = re.search(r'id="feed-url" value="([^"]+)"', html)
    assert url is not None
    feed = gateway.client_for(None).get(url.group(1).replace("&amp;", "&"))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    browser.post(f"/radars/{radar_id}/feed-token/revoke", data={"csrf": page_csrf(browser)})
    assert gateway.client_for(None).get(url.group(1)).status_code == 404


def test_language_switch_keeps_the_page(gateway: Gateway) -> None:
    browser = gateway.client_for(None)
    assert "每日论文" in browser.get("/").text
    response = browser.get("/lang/en", params={"next": "/sources"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sources"
    english = browser.get("/sources").text
    assert "Source freshness" in english
    assert '<html lang="en">' in english
    assert "数据源新鲜度" not in english
    back = browser.get("/lang/zh", params={"next": "https://evil.example"}, follow_redirects=False)
    assert back.headers["location"] == "/"


def test_sources_page_shows_the_next_arxiv_announcement(gateway: Gateway) -> None:
    # NOW is Friday 2026-06-12 09:30 UTC: the next release is Sunday 20:00 EDT (Monday's list).
    html = gateway.client_for(None).get("/sources").text
    assert "2026-06-14 20:00 EDT" in html
    assert "2026-06-15" in html


def test_signing_out_ends_the_session(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    response = browser.post("/signout", data={"csrf": page_csrf(browser)}, follow_redirects=False)
    assert response.status_code == 303
    assert gateway.accounts.sessions == {}
    assert browser.get("/radars", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_its_sessions(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    prefix = gateway.ada_key[:12]
    assert gateway.accounts.revoke_api_key(prefix, NOW + dt.timedelta(minutes=1))
    assert browser.get("/radars", follow_redirects=False).status_code == 303
    assert gateway.client.get("/api/radars").status_code == 401
