"""The radar pages as a researcher uses them: a form that never loses work, a schedule
that is theirs, a radar page that opens on its latest briefing, a list that says how
each radar is doing."""

from __future__ import annotations

import datetime as dt
import html
import re

from academichub.contracts import Briefing, BriefingSchedule, Match, MatchedTerm
from academichub.gateway.radar_views import next_briefing
from academichub.store.port import OpenWindow, PendingItem
from tests.unit.gateway.harness import NOW, Gateway, MakePaper, add_user, page_csrf, sign_in

# NOW: Friday 2026-06-12 09:30 UTC (17:30 in Shanghai).


def _form(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "name": "Surface codes",
        "query": '"surface code"',
        "language": "zh",
        "schedule_kind": "daily",
        "schedule_hour": "7",
        "schedule_weekday": "0",
        "schedule_timezone": "Asia/Shanghai",
        "schedule_n": "10",
        **fields,
    }


def test_an_invalid_query_gives_the_form_back_with_the_error_and_the_text(
    gateway: Gateway,
) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    typed = "  quantum AND (error OR  "
    response = browser.post("/radars", data=_form(page_csrf(browser), query=typed, name="Mine"))
    assert response.status_code == 422
    page = response.text
    assert response.headers["content-type"].startswith("text/html")  # no raw JSON
    assert f">{html.escape(typed, quote=False)}</textarea>" in page  # the text, intact
    assert 'value="Mine"' in page
    # The caret goes under the mistake in the text as typed (two leading spaces kept).
    found = re.search(r'data-error-position="(\d+)"', page)
    assert found is not None
    assert int(found.group(1)) == len(typed.rstrip())
    assert "应为检索词" in page
    assert gateway.store.radars.list_radars() == []


def test_a_query_over_the_limit_is_refused_with_the_limit_not_cut(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    long_query = " OR ".join(f"word{i}" for i in range(450))  # > 2000 characters
    response = browser.post("/radars", data=_form(page_csrf(browser), query=long_query))
    assert response.status_code == 422
    assert f"共 {len(long_query)} 个字符，上限为 2000" in response.text
    assert long_query in response.text  # all of it, for the user to shorten
    assert "maxlength" not in response.text.split('id="radar-query"')[1].split(">")[0]
    assert gateway.store.radars.list_radars() == []


def test_each_bad_schedule_field_is_named_and_nothing_is_saved(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    response = browser.post(
        "/radars",
        data=_form(
            page_csrf(browser), schedule_hour="25", schedule_timezone="Mars/Olympus", name=""
        ),
    )
    assert response.status_code == 422
    assert "名称：必须填写" in response.text
    assert "时间：应为 0 到 23 之间的整数" in response.text
    assert "“Mars/Olympus” 不是时区名" in response.text
    assert gateway.store.radars.list_radars() == []


def test_the_schedule_is_the_users_own(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    response = browser.post(
        "/radars",
        data=_form(
            page_csrf(browser),
            schedule_kind="weekly",
            schedule_weekday="2",
            schedule_hour="8",
            schedule_timezone="Europe/Berlin",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    (radar,) = gateway.store.radars.list_radars()
    assert radar.schedule == BriefingSchedule(
        kind="weekly", weekday=2, hour=8, timezone="Europe/Berlin"
    )
    page = browser.get(f"/radars/{radar.id}").text
    assert "每周三 08:00（Europe/Berlin）" in page
    # No match yet: the next briefing is Wednesday 08:00 Berlin, if matches arrive.
    assert "下一期：2026-06-17 08:00（Europe/Berlin），届时需有新命中" in page
    # The API takes the same schedule, and refuses every_n without n, naming the field.
    api = gateway.client.put(
        f"/api/radars/{radar.id}", json={"schedule": {"kind": "every_n", "n": 5}}
    )
    assert api.json()["schedule"]["n"] == 5
    refused = gateway.client.put(f"/api/radars/{radar.id}", json={"schedule": {"kind": "every_n"}})
    assert refused.status_code == 422
    assert "schedule.every_n.n" in refused.json()["details"][0]["location"]


def test_next_briefing_follows_the_open_window_by_the_schedules_own_rule() -> None:
    daily = BriefingSchedule(hour=7, timezone="Asia/Shanghai")
    opened = dt.datetime(2026, 6, 12, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    window = OpenWindow("r", 1, opened, (PendingItem("p1", 1, 1.0, opened),))
    found = next_briefing(daily, window, NOW)
    assert found.kind == "at"
    assert found.when == daily.next_close(opened) == dt.datetime(2026, 6, 12, 23, tzinfo=dt.UTC)
    late = next_briefing(daily, window, dt.datetime(2026, 6, 13, 0, tzinfo=dt.UTC))
    assert late.kind == "due"
    every = BriefingSchedule(kind="every_n", n=3)
    assert next_briefing(every, window, NOW).remaining == 2


def test_deleting_asks_first(gateway: Gateway) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    created = browser.post("/radars", data=_form(page_csrf(browser)), follow_redirects=False)
    radar_id = created.headers["location"].removeprefix("/radars/")
    page = browser.get(f"/radars/{radar_id}").text
    assert f'href="/radars/{radar_id}/delete"' in page  # a link to the question, not a POST
    question = browser.get(f"/radars/{radar_id}/delete")
    assert "删除雷达“Surface codes”？" in question.text
    csrf = page_csrf(browser, f"/radars/{radar_id}")
    # A POST that did not come from the question asks it, and deletes nothing.
    unconfirmed = browser.post(f"/radars/{radar_id}/delete", data={"csrf": csrf})
    assert unconfirmed.status_code == 200
    assert 'id="confirm-delete"' in unconfirmed.text
    assert gateway.store.radars.get_radar(radar_id) is not None
    confirmed = browser.post(
        f"/radars/{radar_id}/delete",
        data={"csrf": csrf, "confirmed": "yes"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert gateway.store.radars.get_radar(radar_id) is None


def _match(radar_id: str, n: int, at: dt.datetime, score: float = 1.0) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=f"arxiv:2606.{n:05d}",
        version=1,
        score=score,
        terms=(MatchedTerm(field="title", term="surface"),),
        matched_at=at,
    )


def test_the_radar_page_opens_on_the_latest_briefing_then_matches_newest_first(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    created = browser.post("/radars", data=_form(page_csrf(browser)), follow_redirects=False)
    radar_id = created.headers["location"].removeprefix("/radars/")
    gateway.add(*(make_paper(n, f"Surface paper {n}") for n in range(1, 46)))
    # 45 matches a minute apart; the best-scored is the oldest.
    gateway.store.matches.record_matches(
        [
            _match(radar_id, n, NOW - dt.timedelta(minutes=60 - n), score=100.0 - n)
            for n in range(1, 46)
        ]
    )
    for window in (1, 2):
        gateway.store.briefings.close_window(
            Briefing(
                id=Briefing.make_id(radar_id, window),
                radar_id=radar_id,
                window=window,
                language="zh",
                provider="extractive",
                overview=f"第 {window} 期概述",
                paper_ids=("arxiv:2606.00001",),
                window_opened_at=NOW,
                window_closed_at=NOW,
                created_at=NOW,
            ),
            [],
        )
    page = browser.get(f"/radars/{radar_id}").text
    assert page.index('id="latest-briefing"') < page.index('id="matches"')
    assert "第 2 期概述" in page.split('id="matches"')[0]
    titles = re.findall(r"Surface paper (\d+)", page.split('id="matches"')[1])
    assert titles[:20] == [str(n) for n in range(45, 25, -1)]  # newest first, 20 a page
    assert "第 1 / 3 页" in page
    last = browser.get(f"/radars/{radar_id}", params={"page": 3}).text
    assert re.findall(r"Surface paper (\d+)", last.split('id="matches"')[1])[:5] == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    beyond = browser.get(f"/radars/{radar_id}", params={"page": 9}).text
    assert "第 9 页超出范围：结果只有 3 页。" in beyond
    assert f'href="/radars/{radar_id}?page=3#matches"' in beyond


def test_the_radar_list_shows_matches_today_and_this_week_and_the_last_briefing(
    gateway: Gateway,
) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    created = browser.post(
        "/radars", data=_form(page_csrf(browser), schedule_timezone="UTC"), follow_redirects=False
    )
    radar_id = created.headers["location"].removeprefix("/radars/")
    monday = dt.datetime(2026, 6, 8, 12, tzinfo=dt.UTC)
    gateway.store.matches.record_matches(
        [
            _match(radar_id, 1, NOW - dt.timedelta(hours=1)),  # today
            _match(radar_id, 2, NOW - dt.timedelta(hours=2)),  # today
            _match(radar_id, 3, monday),  # this week
            _match(radar_id, 4, monday - dt.timedelta(days=2)),  # last week
        ]
    )
    gateway.store.briefings.close_window(
        Briefing(
            id=Briefing.make_id(radar_id, 1),
            radar_id=radar_id,
            window=1,
            language="zh",
            provider="extractive",
            overview="概述",
            paper_ids=("arxiv:2606.00001",),
            window_opened_at=monday,
            window_closed_at=monday,
            created_at=monday,
        ),
        [],
    )
    row = browser.get("/radars").text.split(f'data-radar="{radar_id}"')[1].split("</li>")[0]
    assert "今天 2 篇" in row
    assert "本周 3 篇" in row
    assert "上一期简报：2026-06-08" in row
    assert "每天 07:00（UTC）" in row


def test_editing_a_radar_saves_it_or_gives_the_form_back_and_another_users_radar_is_404(
    gateway: Gateway,
) -> None:
    browser = sign_in(gateway, gateway.ada_key)
    created = browser.post("/radars", data=_form(page_csrf(browser)), follow_redirects=False)
    radar_id = created.headers["location"].removeprefix("/radars/")
    csrf = page_csrf(browser, f"/radars/{radar_id}")
    saved = browser.post(
        f"/radars/{radar_id}",
        data=_form(csrf, query='"surface code" OR decoder*'),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/radars/{radar_id}"
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert stored.query == '"surface code" OR decoder*'
    typed = "decoder AND ("
    refused = browser.post(f"/radars/{radar_id}", data=_form(csrf, query=typed))
    assert refused.status_code == 422
    assert f">{html.escape(typed, quote=False)}</textarea>" in refused.text  # the text, intact
    unchanged = gateway.store.radars.get_radar(radar_id)
    assert unchanged is not None
    assert unchanged.query == '"surface code" OR decoder*'
    # Another user's radar: 404 whether the form is right or wrong.
    _, bob_key = add_user(gateway.store.accounts, "Bob")
    bob = sign_in(gateway, bob_key)
    theirs = page_csrf(bob)
    assert bob.post(f"/radars/{radar_id}", data=_form(theirs, query=typed)).status_code == 404
    assert bob.post(f"/radars/{radar_id}", data=_form(theirs)).status_code == 404
