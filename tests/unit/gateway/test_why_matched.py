"""The "why matched" line is the paper's own words, the same in the web page, the API and
the Atom feed: never the analysed stems, each term once."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from academichub.contracts import Match, MatchedTerm
from academichub.gateway.domain.atom import ATOM_NS
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from tests.unit.gateway.harness import NOW, Gateway, MakePaper, sign_in

QUERY = '"surface code" transformer author:zhang cat:quant-ph'
WHY = ["Surface codes", "Transformers", "Zhang Cheng", "quant-ph"]


def test_why_matched_shows_the_papers_words_everywhere(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Codes", "query": QUERY}).json()[
        "id"
    ]
    paper = make_paper(
        1,
        "Surface codes at scale",
        "Transformers decode a surface code; the transformer is trained on surface codes.",
    ).model_copy(update={"authors": ("Zhang Cheng", "Ada Lovelace")})
    gateway.add(paper)
    fired = evaluate(parse_query(QUERY), PaperDocument.from_paper(paper))
    assert fired is not None
    # What the matcher reports, plus a term recorded under the old stemmer.
    assert ("title", "surface code") in [(t.field, t.term) for t in fired]
    terms = (*fired, MatchedTerm(field="abstract", term="surfac code"))
    gateway.store.matches.record_matches(
        [
            Match(
                radar_id=radar_id,
                paper_id=paper.id,
                version=1,
                score=2.0,
                terms=terms,
                matched_at=NOW,
            )
        ]
    )

    [item] = gateway.client.get(f"/api/radars/{radar_id}/matches").json()["items"]
    assert item["why"] == WHY
    assert {"field": "abstract", "term": "surface code"} in item["terms"]  # unchanged

    html = sign_in(gateway, gateway.ada_key).get(f"/radars/{radar_id}").text
    why_line = re.search(r'<p class="why">(.*?)</p>', html, re.DOTALL)
    assert why_line is not None
    assert re.findall(r'<span class="term">([^<]*)</span>', why_line.group(1)) == WHY

    token = gateway.client.post(f"/api/radars/{radar_id}/feed-token").json()["token"]
    atom = gateway.client_for(None).get(
        f"/api/radars/{radar_id}/feed.atom", params={"token": token}
    )
    summary = ET.fromstring(atom.content).findtext(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}summary")
    assert summary is not None
    assert summary.startswith(f"[{', '.join(WHY)}] Transformers decode")
