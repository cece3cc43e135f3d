"""The briefer's state on Elasticsearch against hand-checked exchanges
(tests/fixtures/elastic/briefer_state.json; see test_elastic_replay.py): the exact
requests (create-once summaries, counters, conditional updates, scripted counters,
refresh before listings) and a lost race on an upgrade, retried on the new sequence
number. The same behaviour runs against the fake cluster in the contract suite."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Briefing
from academichub.store.elastic import Backoff, ElasticsearchStore
from academichub.store.port import PaperSummary
from tests.integration.store.factories import T0
from tests.unit.store.test_elastic_replay import replay

S1 = PaperSummary("arxiv:2606.00001", 1, "Codes correct errors.", "纠错码。", "m", T0)
S2 = PaperSummary("arxiv:2606.00002", None, "A trial.", "一项试验。", "m", T0)
DEGRADED = Briefing(
    id="r1.w1",
    radar_id="r1",
    window=1,
    language="en",
    provider="extractive",
    degraded=True,
    degraded_reason="model failed: down",
    overview="x",
    paper_ids=("arxiv:2606.00001",),
    window_opened_at=T0,
    window_closed_at=T0,
    created_at=T0,
)


def test_summaries_upgrades_delivery_and_token_usage() -> None:
    better = DEGRADED.model_copy(
        update={
            "provider": "openai",
            "degraded": False,
            "degraded_reason": None,
            "overview": "by the model",
        }
    )
    with replay("briefer_state") as client:
        store = ElasticsearchStore(client, backoff=Backoff(sleep=lambda _: None))
        assert store.briefer.put_summaries([S1, S1, S2]) == 1
        found = store.briefer.get_summaries([S1.key, S2.key, ("arxiv:2606.00009", 1)])
        assert found == {S1.key: S1, S2.key: S2}
        store.briefer.mark_for_upgrade(DEGRADED.id)
        assert store.briefer.briefings_to_upgrade(5) == [DEGRADED]
        assert store.briefer.upgrade_briefing(better) == 2  # after losing one race
        store.briefer.mark_briefing_published(DEGRADED.id, 2)
        assert store.briefer.unpublished_briefings(10) == []
        day = T0.date()
        store.briefer.add_token_usage(day, ["radar:r1", "user:alice"], 120)
        assert store.briefer.token_usage(day, ["radar:r1", "user:bob"]) == {
            "radar:r1": 120,
            "user:bob": 0,
        }


def test_nothing_to_do_sends_nothing() -> None:
    with replay("no_exchanges") as client:
        store = ElasticsearchStore(client)
        assert store.briefer.put_summaries([]) == 0
        assert store.briefer.get_summaries([]) == {}
        assert store.briefer.briefings_to_upgrade(0) == []
        store.briefer.add_token_usage(dt.date(2026, 6, 12), [], 5)
        assert store.briefer.token_usage(dt.date(2026, 6, 12), []) == {}
        assert store.ingest.preprints_for_dois([]) == {}
