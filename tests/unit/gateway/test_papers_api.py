"""``/api/papers``: search through the query language, snippets, filters, one paper."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.gateway.harness import Gateway, MakePaper


@pytest.fixture
def seeded(gateway: Gateway, make_paper: MakePaper) -> Gateway:
    gateway.add(
        make_paper(
            1,
            "Surface codes at scale",
            "Quantum error correction with <b>surface</b> codes & lattice surgery.",
            published=dt.date(2026, 6, 10),
        ),
        make_paper(
            2,
            "Protein folding with transformers",
            "Deep learning predicts protein structures.",
            categories=("q-bio.BM", "cs.LG"),
            published=dt.date(2026, 6, 11),
        ),
        make_paper(
            3,
            "Quantum machine learning survey",
            "A survey of quantum learning algorithms.",
            source="medrxiv",
            categories=("Medicine",),
            paper_id="doi:10.1101/2026.06.12.000003",
            published=dt.date(2026, 6, 12),
        ),
    )
    return gateway


def _ids(body: dict[str, object]) -> list[object]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


def test_search_returns_matching_papers_with_marked_snippets(seeded: Gateway) -> None:
    response = seeded.client.get("/api/papers", params={"q": "quantum"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert set(_ids(body)) == {"arxiv:2606.00001", "doi:10.1101/2026.06.12.000003"}
    item = next(i for i in body["items"] if i["id"] == "arxiv:2606.00001")
    assert set(item) == {
        "id",
        "version",
        "title",
        "source",
        "categories",
        "published",
        "authors",
        "url",
        "snippet",
    }
    assert item["source"] == "arxiv"
    assert item["published"] == "2026-06-10"
    assert item["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert "<mark>Quantum</mark>" in item["snippet"]
    # Feed markup is escaped; only our <mark> is real HTML.
    assert "<b>" not in item["snippet"]
    assert "&lt;b&gt;" in item["snippet"]
    assert "&amp; lattice" in item["snippet"]


def test_no_query_lists_every_paper(seeded: Gateway) -> None:
    body = seeded.client.get("/api/papers", params={"sort": "date"}).json()
    assert body["total"] == 3
    assert "<mark>" not in "".join(i["snippet"] for i in body["items"])


def test_filters_narrow_the_search(seeded: Gateway) -> None:
    client = seeded.client
    by_source = client.get("/api/papers", params={"q": "quantum", "source": "medrxiv"}).json()
    assert _ids(by_source) == ["doi:10.1101/2026.06.12.000003"]
    by_category = client.get("/api/papers", params={"category": "cs.LG"}).json()
    assert _ids(by_category) == ["arxiv:2606.00002"]
    by_date = client.get("/api/papers", params={"from": "2026-06-11", "to": "2026-06-11"}).json()
    assert _ids(by_date) == ["arxiv:2606.00002"]


def test_limit_is_capped_and_offset_pages(seeded: Gateway, make_paper: MakePaper) -> None:
    seeded.add(*(make_paper(n, f"Extra paper {n}") for n in range(10, 20)))
    body = seeded.client.get("/api/papers", params={"limit": 1000}).json()
    assert body["total"] == 13
    assert len(body["items"]) == 5  # max_api_limit in these tests
    rest = seeded.client.get("/api/papers", params={"limit": 5, "offset": 10}).json()
    assert len(rest["items"]) == 3


@pytest.mark.parametrize("query", ["quantum AND (error", 'title:"unclosed', "NOT"])
def test_bad_query_is_422_with_its_position(seeded: Gateway, query: str) -> None:
    response = seeded.client.get("/api/papers", params={"q": query})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_query"
    assert isinstance(body["position"], int)
    assert 0 <= body["position"] <= len(query)
    assert body["expected"]
    assert f"position {body['position']}" in body["message"]


def test_inverted_dates_are_refused(seeded: Gateway) -> None:
    response = seeded.client.get("/api/papers", params={"from": "2026-06-12", "to": "2026-06-01"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "swap" in response.json()["message"]


def test_malformed_parameter_names_the_parameter(seeded: Gateway) -> None:
    response = seeded.client.get("/api/papers", params={"limit": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "query parameter 'limit'" in body["message"]


def test_one_paper_with_versions_even_with_slashes_in_its_id(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    old_style = "arxiv:hep-th/9901001"
    gateway.add(
        make_paper(1, "Strings, version one", paper_id=old_style, version=1),
        make_paper(1, "Strings, version two", paper_id=old_style, version=2),
    )
    response = gateway.client.get(f"/api/papers/{old_style}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == old_style
    assert body["title"] == "Strings, version two"
    assert body["versions"] == [1, 2]


def test_unknown_paper_is_a_json_404(gateway: Gateway) -> None:
    response = gateway.client.get("/api/papers/arxiv:2606.99999")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "arxiv:2606.99999" in body["message"]


def test_facets_count_the_whole_result_not_the_page(seeded: Gateway) -> None:
    body = seeded.client.get("/api/papers", params={"q": "quantum OR protein", "limit": 1}).json()
    assert body["total"] == 3
    assert len(body["items"]) == 1
    facets = body["facets"]
    assert facets["sources"] == [
        {"value": "arxiv", "count": 2},
        {"value": "medrxiv", "count": 1},
    ]
    assert {"value": "quant-ph", "count": 1} in facets["categories"]
    assert {"value": "cs.LG", "count": 1} in facets["categories"]
    per_day = facets["per_day"]
    assert len(per_day) == 30
    assert per_day[-3:] == [
        {"date": "2026-06-10", "count": 1},
        {"date": "2026-06-11", "count": 1},
        {"date": "2026-06-12", "count": 1},
    ]
    assert sum(d["count"] for d in per_day) == 3
    assert seeded.client.get("/api/papers", params={"facets": "false"}).json()["facets"] is None


def test_the_cursor_walks_every_page_once(seeded: Gateway, make_paper: MakePaper) -> None:
    seeded.add(*(make_paper(n, f"Extra paper {n}") for n in range(10, 20)))
    seen: list[object] = []
    params: dict[str, str | int] = {"sort": "date", "limit": 4}
    while True:
        body = seeded.client.get("/api/papers", params=params).json()
        seen += _ids(body)
        if body["next_cursor"] is None:
            break
        params = {"sort": "date", "limit": 4, "cursor": body["next_cursor"]}
    assert len(seen) == len(set(seen)) == 13


def test_a_cursor_from_another_search_is_refused(seeded: Gateway) -> None:
    first = seeded.client.get("/api/papers", params={"q": "quantum", "limit": 1}).json()
    assert first["next_cursor"]
    other = seeded.client.get(
        "/api/papers", params={"q": "protein", "cursor": first["next_cursor"]}
    )
    assert other.status_code == 422
    assert "another search" in other.json()["message"]
    junk = seeded.client.get("/api/papers", params={"cursor": "!!!"})
    assert junk.status_code == 422


def test_one_paper_has_links(gateway: Gateway, make_paper: MakePaper) -> None:
    gateway.add(
        make_paper(1, "Linked", doi="10.1000/xyz", pdf_url="https://arxiv.org/pdf/2606.00001")
    )
    links = gateway.client.get("/api/papers/arxiv:2606.00001").json()["links"]
    assert links == {
        "page": "/papers/arxiv:2606.00001",
        "abstract": "https://arxiv.org/abs/2606.00001",
        "pdf": "https://arxiv.org/pdf/2606.00001",
        "doi": "https://doi.org/10.1000/xyz",
    }
