"""``POST /api/radars/preview``: per-day counts and the best papers, before saving."""

from __future__ import annotations

import datetime as dt

from tests.unit.gateway.harness import Gateway, MakePaper


def test_counts_per_day_over_the_days_ending_with_the_newest_papers(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    day = dt.date(2026, 6, 12)
    gateway.add(
        make_paper(1, "Quantum circuit learning", published=day),
        make_paper(2, "Quantum circuit agents", published=day),
        make_paper(3, "Quantum circuit survey", published=day - dt.timedelta(days=1)),
        make_paper(4, "Protein folding", published=day),
        make_paper(5, "Quantum circuit, long ago", published=day - dt.timedelta(days=40)),
    )
    response = gateway.client.post(
        "/api/radars/preview", json={"query": '"quantum circuit" -survey', "days": 3, "top": 1}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-06-10", "2026-06-12")
    assert body["per_day"] == [
        {"date": "2026-06-10", "count": 0},
        {"date": "2026-06-11", "count": 0},
        {"date": "2026-06-12", "count": 2},
    ]
    assert body["total"] == 2
    assert len(body["top"]) == 1
    assert "<mark>" in body["top"][0]["snippet"]
    assert gateway.publisher.sent == []  # a preview saves and announces nothing
    assert gateway.store.radars.stored == {}


def test_a_malformed_query_is_422_with_its_position(gateway: Gateway) -> None:
    response = gateway.client.post("/api/radars/preview", json={"query": "quantum OR"})
    assert response.status_code == 422
    assert response.json()["position"] >= 7


def test_days_are_bounded(gateway: Gateway) -> None:
    response = gateway.client.post("/api/radars/preview", json={"query": "x", "days": 4000})
    assert response.status_code == 422
    assert "days" in response.text


def test_preview_reads_the_query_back_and_warns_in_the_asked_language(gateway: Gateway) -> None:
    body = {"query": "quantum or qubit OR code NOT decoding"}
    english = gateway.client.post("/api/radars/preview", json=body).json()
    assert english["reading"] == "(quantum AND or AND qubit) OR (code AND NOT decoding)"
    assert [w["code"] for w in english["warnings"]] == ["lowercase_operator", "not_binds_tightly"]
    chinese = gateway.client.post(
        "/api/radars/preview", json=body, headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).json()
    assert chinese["warnings"][0]["message"].startswith("小写的 “or” 被当作普通词来搜索")
    wrong = gateway.client.post(
        "/api/radars/preview", json={"query": "a AND (b"}, headers={"Accept-Language": "zh"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["message"] == "第 9 个字符处应为 ')'，用来闭合第 7 个字符处的 '('"
    assert wrong.json()["details"] == [
        {"location": "body field 'query'", "message": wrong.json()["message"]}
    ]
