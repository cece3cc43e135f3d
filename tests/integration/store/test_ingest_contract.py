"""The ingest part (published keys, cursors, the sent outbox; preprint links in
tests/unit/store/test_preprint_links.py), the papers part's held versions, the dead-letter
log, and the lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.store.port import Store
from tests.integration.store.factories import P1, P4, T0, paper

pytestmark = pytest.mark.integration

# --- ingest state, lifecycle --------------------------------------------------------


def test_published_keys_and_cursors(store: Store) -> None:
    keys = {(P1, 1), (P1, 2), (P4, None)}
    assert store.ingest.unpublished(keys) == keys
    store.ingest.mark_published([(P1, 1), (P4, None)])
    store.ingest.mark_published([(P1, 1)])  # a replay
    assert store.ingest.unpublished(keys) == {(P1, 2)}
    assert store.ingest.unpublished([]) == set()

    assert store.ingest.get_cursor("arxiv") is None
    store.ingest.set_cursor("arxiv", {"etag": '"abc"', "last_modified": "Fri, 12 Jun 2026"})
    store.ingest.set_cursor("medrxiv", {"date": "2026-06-12"})
    store.ingest.set_cursor("arxiv", {"etag": '"def"'})
    assert store.ingest.get_cursor("arxiv") == {"etag": '"def"'}
    assert store.ingest.get_cursor("medrxiv") == {"date": "2026-06-12"}


def test_dead_letters_sent_are_remembered_by_id(store: Store) -> None:
    sent = store.dead_letters
    assert sent.dead_lettered(["radars:a", "radars:b"]) == set()
    sent.remember_dead_letters(["radars:a"])
    sent.remember_dead_letters(["radars:a", "radars:a"])  # a replay, and a repeat
    assert sent.dead_lettered(["radars:a", "radars:b", "radars:a"]) == {"radars:a"}
    assert sent.dead_lettered([]) == set()


def test_ping_and_close(store: Store) -> None:
    store.ping()
    store.close()
    with pytest.raises(RuntimeError):
        store.ping()


# --- the sent outbox ----------------------------------------------------------------


def test_papers_sent_are_kept_until_settled(store: Store) -> None:
    v1, v2, other = paper(1, version=1), paper(1, version=2), paper(2, version=None)
    store.ingest.mark_published([v1.key, v2.key, other.key], sent=[v1, v2], check_at=T0)
    store.ingest.mark_published([other.key], sent=[other], check_at=T0 + dt.timedelta(minutes=5))
    # Kept once: a second mark leaves the check time as it was.
    store.ingest.mark_published([v1.key], sent=[v1], check_at=T0 + dt.timedelta(hours=9))
    assert store.ingest.unpublished([v1.key, other.key]) == set()
    assert store.ingest.count_sent() == 3
    assert store.ingest.sent_papers_due(T0 - dt.timedelta(seconds=1)) == []
    assert {s.paper.key for s in store.ingest.sent_papers_due(T0)} == {v1.key, v2.key}
    due = store.ingest.sent_papers_due(T0 + dt.timedelta(minutes=5))
    assert [s.paper.key for s in due][-1] == other.key  # the earliest check first
    assert {s.attempts for s in due} == {0}
    assert store.ingest.sent_papers_due(T0 + dt.timedelta(minutes=5), limit=1)[0].paper in (v1, v2)

    retry_at = T0 + dt.timedelta(minutes=30)
    store.ingest.settle_sent(stored=[v1.key], resent=[(v2.key, retry_at)])
    assert store.ingest.count_sent() == 2
    assert [s.paper.key for s in store.ingest.sent_papers_due(T0 + dt.timedelta(minutes=10))] == [
        other.key
    ]
    (again,) = [s for s in store.ingest.sent_papers_due(retry_at) if s.paper.key == v2.key]
    assert again.paper == v2
    assert again.attempts == 1
    assert store.ingest.count_sent(min_attempts=1) == 1
    store.ingest.settle_sent(stored=[v2.key, other.key, v1.key])
    assert store.ingest.count_sent() == 0


def test_the_sent_outbox_is_trimmed_to_a_bound_oldest_first(store: Store) -> None:
    for n in range(5):
        store.ingest.mark_published([paper(n).key], sent=[paper(n)], check_at=T0)
    assert store.ingest.trim_sent(keep=10) == 0
    assert store.ingest.trim_sent(keep=2) == 3
    assert {s.paper.key for s in store.ingest.sent_papers_due(T0)} == {paper(3).key, paper(4).key}


def test_the_papers_part_says_which_versions_it_holds(store: Store) -> None:
    store.papers.upsert_papers([paper(1, version=2), paper(1, version=1), paper(2, version=None)])
    asked = {(paper(1).id, 1), (paper(1).id, 2), (paper(1).id, 3), (paper(2).id, None), (P4, 1)}
    assert store.papers.held_versions(asked) == {
        (paper(1).id, 1),
        (paper(1).id, 2),
        (paper(2).id, None),
    }
    assert store.papers.held_versions([]) == set()
