"""The ingest part (published keys, cursors; preprint links in
tests/unit/store/test_preprint_links.py), the dead-letter log, and the lifecycle."""

from __future__ import annotations

import pytest

from academichub.store.port import Store
from tests.integration.store.factories import P1, P4

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
