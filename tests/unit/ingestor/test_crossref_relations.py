"""crossref_relations: the preprint relations of Crossref works, read beside the parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.crossref_json import (
    WorkRelations,
    crossref_relations,
    parse_crossref_json,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "crossref"
WORK = FIXTURES / "crossref_work_10.1371_journal.pone.0033693.json"
QUERY = FIXTURES / "crossref_works_query_ecology_rows2.json"


def recorded_work(relation: dict[str, Any]) -> bytes:
    """The recorded PLoS ONE work, with ``relation`` as a publisher would deposit it."""
    document = json.loads(WORK.read_bytes())
    document["message"]["relation"] = relation
    return json.dumps(document).encode()


def test_recorded_work_without_relations_has_none() -> None:
    # The recording's "relation" is {} and the query page's works have none at all.
    assert crossref_relations(WORK.read_bytes()) == {}
    assert crossref_relations(QUERY.read_bytes()) == {}


def test_has_preprint_and_is_preprint_of_by_the_works_doi() -> None:
    body = recorded_work(
        {
            "has-preprint": [
                {"id-type": "doi", "id": "10.1101/2011.12.01.123456", "asserted-by": "subject"},
                {"id-type": "doi", "id": "10.48550/arXiv.1706.03762", "asserted-by": "object"},
                {"id-type": "arxiv", "id": "arXiv:2403.13790v2", "asserted-by": "object"},
                {"id-type": "uri", "id": "https://example.org/preprint"},
            ],
            "is-preprint-of": [{"id-type": "doi", "id": "https://doi.org/10.1000/XYZ"}],
            "is-supplemented-by": [{"id-type": "doi", "id": "10.5061/dryad.1"}],
        }
    )
    assert crossref_relations(body) == {
        "10.1371/journal.pone.0033693": WorkRelations(
            has_preprint=(
                "10.1101/2011.12.01.123456",
                "10.48550/arxiv.1706.03762",
                "10.48550/arxiv.2403.13790",
            ),
            is_preprint_of=("10.1000/xyz",),
        )
    }
    # The parser reads the same bytes exactly as before.
    assert parse_crossref_json(body).papers == parse_crossref_json(WORK.read_bytes()).papers


def test_work_list_items_are_each_keyed_by_their_doi() -> None:
    items = [
        {
            "DOI": "10.1103/PRL.1",
            "relation": {"has-preprint": [{"id-type": "doi", "id": "10.1101/2024.01.01.1"}]},
        },
        {"DOI": "10.1103/prl.2", "relation": {"is-preprint-of": "not a list"}},
        {
            "DOI": None,
            "relation": {"has-preprint": [{"id-type": "doi", "id": "10.1101/2024.01.01.2"}]},
        },
        "not a work",
    ]
    body = json.dumps(
        {"status": "ok", "message-type": "work-list", "message": {"items": items}}
    ).encode()
    assert crossref_relations(body) == {
        "10.1103/prl.1": WorkRelations(has_preprint=("10.1101/2024.01.01.1",))
    }


def test_error_responses_have_no_relations_and_junk_is_refused() -> None:
    failed = {"status": "failed", "message-type": "validation-failure", "message": []}
    assert crossref_relations(json.dumps(failed).encode()) == {}
    with pytest.raises(FeedError):
        crossref_relations(b"<html>busy</html>")
