"""The Atom feed and BibTeX export: well-formed, escaped, of the radar's matches only."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from academichub.contracts import Match, MatchedTerm, Paper, Radar
from academichub.gateway.domain.atom import ATOM_NS, FeedItem, radar_feed
from academichub.gateway.domain.bibtex import bibliography, tex_value
from tests.unit.gateway.harness import NOW, Gateway, MakePaper

A = f"{{{ATOM_NS}}}"


def _match(radar_id: str, n: int, minutes: int) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=f"arxiv:2606.{n:05d}",
        version=1,
        score=1.0,
        terms=(MatchedTerm(field="title", term="qubit"),),
        matched_at=NOW + dt.timedelta(minutes=minutes),
    )


def test_feed_lists_matches_newest_first_and_escapes_feed_text(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    gateway.add(
        make_paper(1, "Qubit <script>alert(1)</script> & co", "Abstract\x07 with a bell."),
        make_paper(2, "Second qubit"),
    )
    gateway.store.matches.record_matches([_match(radar_id, 1, 0), _match(radar_id, 2, 5)])
    token = gateway.client.post(f"/api/radars/{radar_id}/feed-token").json()["token"]
    response = gateway.client_for(None).get(
        f"/api/radars/{radar_id}/feed.atom", params={"token": token}
    )
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # well-formed despite the bell character
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == [
        "Second qubit",
        "Qubit <script>alert(1)</script> & co",
    ]
    assert b"<script>" not in response.content
    assert feed.findtext(f"{A}id") == f"urn:academichub:radar:{radar_id}"


def test_export_bib_has_one_entry_per_matched_paper(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    gateway.add(make_paper(1, "Qubit routing"), make_paper(2, "Qubit routing"), make_paper(3, "x"))
    gateway.store.matches.record_matches([_match(radar_id, 1, 0), _match(radar_id, 2, 0)])
    response = gateway.client.get(f"/api/radars/{radar_id}/export.bib")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    text = response.text
    assert text.count("@misc{") == 2
    assert "lovelace2026qubit," in text
    assert "lovelace2026qubitb," in text
    assert "eprint = {2606.00001}" in text


def test_tex_values_keep_math_and_escape_the_rest() -> None:
    assert tex_value("50% of $\\theta$ & {x}") == "50\\% of $\\theta$ \\& \\{x\\}"
    assert tex_value("broken $}{$ math") == "broken \\$\\}\\{\\$ math"
    assert tex_value("back\\slash") == "back\\textbackslash{}slash"


def test_bibliography_of_a_journal_paper_is_an_article() -> None:
    paper = Paper(
        id="doi:10.1038/x",
        version=None,
        source="journal:nature",
        title="A result",
        abstract="",
        authors=("Émilie du Châtelet",),
        published=dt.date(2026, 1, 2),
        doi="10.1038/x",
    )
    text = bibliography([paper])
    assert text.startswith("@article{chatelet2026result,")
    assert "journal = {nature}" in text
    assert "doi = {10.1038/x}" in text


def test_atom_of_an_empty_radar_is_valid() -> None:
    radar = Radar(id="r_1", owner="u", name="n", query="q", created_at=NOW, updated_at=NOW)
    items: list[FeedItem] = []
    feed = ET.fromstring(radar_feed(radar, items, base_url="https://hub.example"))
    assert feed.find(f"{A}entry") is None
    assert feed.find(f"{A}link").get("href") == "https://hub.example/radars/r_1"  # type: ignore[union-attr]
