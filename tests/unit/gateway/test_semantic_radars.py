"""Semantic radars through the gateway: seeds found in the store (ids, arXiv ids, DOIs,
BibTeX, RIS), a described interest, "about N a day", learning from 👍/👎, similar papers
and search by meaning. The embedder is the fake; vectors are stored as the matcher's
embedding role would store them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from academichub.contracts import Match, Paper, Radar, RadarChange, TopicName
from academichub.embedding.fake import FakeEmbedder
from academichub.embedding.text import paper_text
from academichub.store.port import PaperVector
from tests.unit.gateway.harness import NOW, Gateway, MakePaper, page_csrf, sign_in

EMBED = FakeEmbedder(dimension=64)  # the harness's: same words, same vectors
DAY = dt.date(2026, 6, 12)

TITLES = {
    1: "Bosonic cat qubits protect quantum information",
    2: "Cat qubits and bosonic codes for fault tolerant memories",
    3: "Protein folding with deep networks",
    4: "Dissipation engineering of bosonic cat qubits",
    5: "Deep networks predict protein structures",
    6: "Graph neural networks for molecules",
}


@pytest.fixture
def papers(gateway: Gateway, make_paper: MakePaper) -> dict[int, Paper]:
    """Six papers of one day, each with its vector stored."""
    made = {n: make_paper(n, title, title, published=DAY) for n, title in TITLES.items()}
    gateway.add(*made.values())
    embed(gateway, *made.values())
    return made


def embed(gateway: Gateway, *papers: Paper) -> None:
    vectors = EMBED.embed([paper_text(p) for p in papers])
    gateway.store.vectors.put_vectors(
        EMBED.model, [PaperVector.of(p, v) for p, v in zip(papers, vectors, strict=True)]
    )


def create(gateway: Gateway, **body: Any) -> Any:
    return gateway.client.post("/api/radars", json={"name": "cats", **body})


def announced(gateway: Gateway) -> list[Radar]:
    return [
        c.radar
        for c in gateway.publisher.on(TopicName.RADARS)
        if isinstance(c, RadarChange) and c.radar is not None
    ]


def test_a_semantic_radar_is_made_of_stored_seeds(
    gateway: Gateway, papers: dict[int, Paper]
) -> None:
    response = create(
        gateway,
        seeds=["arxiv:2606.00001", "https://arxiv.org/abs/2606.00002v1"],
        per_day=1,
    )
    assert response.status_code == 201, response.text
    radar = Radar.model_validate(response.json())
    assert radar.seeds == ("arxiv:2606.00001", "arxiv:2606.00002")
    assert (radar.query, radar.per_day) == ("", 1.0)
    # The threshold that would have given one paper on the day with papers: the best of
    # the others (the seeds themselves are not counted as matches).
    assert radar.threshold is not None
    assert announced(gateway)[-1] == radar


def test_seeds_the_store_does_not_hold_are_named(
    gateway: Gateway, papers: dict[int, Paper]
) -> None:
    response = create(gateway, seeds=["arxiv:2606.00001", "2699.99999", "not-an-id"])
    assert response.status_code == 422
    body = response.json()
    assert "2699.99999" in body["message"]
    assert "'not-an-id' is no paper id" in body["message"]
    assert "academichub backfill arxiv --ids arxiv:2699.99999" in body["message"]
    assert gateway.store.radars.list_radars() == []


def test_a_radar_needs_a_query_or_meaning(gateway: Gateway) -> None:
    response = create(gateway)
    assert response.status_code == 422
    assert "query, seed papers or a described interest" in response.json()["message"]


def test_seeds_from_a_bibtex_or_ris_export(
    gateway: Gateway, papers: dict[int, Paper], make_paper: MakePaper
) -> None:
    # A journal article known by its DOI, and the preprint its DOI names.
    article = make_paper(7, "Cat codes in print", paper_id="doi:10.1103/physrevx.9.041053")
    gateway.add(article)
    gateway.store.ingest.remember_preprints(
        [papers[4].model_copy(update={"doi": "10.1103/prl.1.1"})]
    )
    bibtex = """
@article{cats, title={Cat codes in {print}}, doi={10.1103/PhysRevX.9.041053}}
@article{preprint, title={Dissipation}, journal={Phys. Rev. Lett.}, doi={10.1103/PRL.1.1}}
@misc{arxiv, title={Bosonic}, eprint={2606.00001}, archivePrefix={arXiv}}
"""
    made = create(gateway, references=bibtex)
    assert made.status_code == 201, made.text
    assert made.json()["seeds"] == [
        "doi:10.1103/physrevx.9.041053",
        "arxiv:2606.00004",
        "arxiv:2606.00001",
    ]
    ris = "TY  - JOUR\nTI  - Bosonic\nUR  - https://arxiv.org/abs/2606.00002\nER  - \n"
    again = create(gateway, references=ris, interest="bosonic cat qubits")
    assert again.status_code == 201, again.text
    assert again.json()["seeds"] == ["arxiv:2606.00002"]
    assert again.json()["interest"] == "bosonic cat qubits"
    # The interest's vector is stored, for the matcher to find.
    assert gateway.store.vectors.text_vectors(EMBED.model, ["bosonic cat qubits"])


def test_the_preview_of_a_semantic_radar(gateway: Gateway, papers: dict[int, Paper]) -> None:
    response = gateway.client.post(
        "/api/radars/preview", json={"seeds": ["arxiv:2606.00001"], "per_day": 2, "top": 3}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["semantic"]["per_day"] == 2
    assert data["semantic"]["seeds"] == ["arxiv:2606.00001"]
    assert data["total"] == 2  # two a day, on the one day with papers
    assert sum(d["count"] for d in data["per_day"]) == 2
    tops = [p["id"] for p in data["top"]]
    assert "arxiv:2606.00001" not in tops  # the seed is not its own match
    assert tops[0] in {"arxiv:2606.00002", "arxiv:2606.00004"}
    assert data["top"][0]["score"] >= data["top"][1]["score"]
    narrowed = gateway.client.post(
        "/api/radars/preview",
        json={"query": "dissipation", "seeds": ["arxiv:2606.00001"], "per_day": 2},
    ).json()
    assert [p["id"] for p in narrowed["top"]] == ["arxiv:2606.00004"]
    assert narrowed["reading"] == "dissipation"


def test_a_thumbs_up_and_a_thumbs_down_teach_the_radar(
    gateway: Gateway, papers: dict[int, Paper]
) -> None:
    radar = Radar.model_validate(create(gateway, query="qubits OR networks OR protein").json())
    matches = [
        Match(radar_id=radar.id, paper_id=p.id, version=1, score=1.0, matched_at=NOW)
        for p in papers.values()
    ]
    gateway.store.matches.record_matches(matches)

    def order() -> list[str]:
        items = gateway.client.get(f"/api/radars/{radar.id}/matches").json()["items"]
        return [i["paper_id"] for i in items]

    keyword_order = order()
    first = gateway.client.post(
        f"/api/radars/{radar.id}/feedback", json={"paper_id": papers[3].id, "verdict": "up"}
    )
    assert first.status_code == 200
    assert order() == keyword_order  # one rating: nothing learned yet
    gateway.client.post(
        f"/api/radars/{radar.id}/feedback", json={"paper_id": papers[1].id, "verdict": "down"}
    )
    learned = Radar.model_validate(gateway.client.get(f"/api/radars/{radar.id}").json())
    assert (learned.liked, learned.disliked) == ((papers[3].id,), (papers[1].id,))
    assert announced(gateway)[-1] == learned
    items = gateway.client.get(f"/api/radars/{radar.id}/matches").json()["items"]
    assert {i["score_kind"] for i in items} == {"learned"}
    ranked = [i["paper_id"] for i in items]
    # Protein papers up, cat qubits down.
    assert ranked.index(papers[5].id) < ranked.index(papers[2].id)
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)

    browser = sign_in(gateway, gateway.ada_key)
    page = browser.get(f"/radars/{radar.id}")
    assert "Ranked by your 2 ratings" in page.text or "已按你的 2 次评价排序" in page.text
    reset = browser.post(
        f"/radars/{radar.id}/feedback/reset",
        data={"csrf": page_csrf(browser, f"/radars/{radar.id}")},
        follow_redirects=False,
    )
    assert reset.status_code == 303
    forgotten = Radar.model_validate(gateway.client.get(f"/api/radars/{radar.id}").json())
    assert (forgotten.liked, forgotten.disliked) == ((), ())
    assert gateway.accounts.feedback_for_radar(radar.id) == []
    assert order() == keyword_order


def test_similar_papers(gateway: Gateway, papers: dict[int, Paper]) -> None:
    found = gateway.client.get("/api/papers/arxiv:2606.00003/similar?limit=2").json()
    assert [i["id"] for i in found["items"]] == ["arxiv:2606.00005", "arxiv:2606.00006"]
    assert found["items"][0]["similarity"] > found["items"][1]["similarity"]
    page = gateway.client.get("/papers/arxiv:2606.00003")
    assert 'id="similar"' in page.text
    assert "/papers/arxiv:2606.00005" in page.text
    assert gateway.client.get("/api/papers/arxiv:2699.00001/similar").status_code == 404


def test_search_by_meaning(gateway: Gateway, papers: dict[int, Paper]) -> None:
    found = gateway.client.get("/api/papers", params={"q": '~"protein networks"'}).json()
    assert [i["id"] for i in found["items"]][:2] == ["arxiv:2606.00005", "arxiv:2606.00003"]
    assert found["facets"] is None
    narrowed = gateway.client.get(
        "/api/papers", params={"q": '~"protein networks" graph', "limit": 5}
    ).json()
    assert [i["id"] for i in narrowed["items"]] == ["arxiv:2606.00006"]
    bad = gateway.client.get("/api/papers", params={"q": '~"unclosed'})
    assert bad.status_code == 422
    assert bad.json()["position"] == 0
    home = gateway.client.get("/", params={"q": '~"protein networks"'})
    assert home.status_code == 200
    assert home.text.index("arxiv:2606.00005") < home.text.index("arxiv:2606.00006")
