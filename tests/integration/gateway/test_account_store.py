"""The AccountStore contract, run against the in-memory fake and the embedded SQLite
adapter alike; and the facet counters of both stores, which must agree."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.bench.synthetic import synthetic_papers
from academichub.radar.parser import parse_query
from academichub.store.accounts import (
    AccountStore,
    DuplicateEmail,
    Feedback,
    FeedToken,
    InMemoryAccountStore,
    User,
    WebSession,
    digest,
    mint_api_key,
    verify_api_key,
)
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import NO_FILTERS, SearchFilters

pytestmark = pytest.mark.integration
T0 = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["memory", "embedded"])
def accounts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccountStore]:
    if request.param == "memory":
        yield InMemoryAccountStore()
        return
    store = EmbeddedStore(tmp_path / "data", index_writer=False)
    yield store.accounts
    store.close()


def _user(accounts: AccountStore, n: int, email: str | None = None) -> User:
    user = User(f"u_{n}", f"User {n}", email or f"User{n}@Example.org", False, T0 + dt.timedelta(n))
    accounts.add_user(user)
    return user


def test_users_are_found_by_id_and_case_insensitive_email(accounts: AccountStore) -> None:
    first = _user(accounts, 1)
    _user(accounts, 2)
    assert accounts.get_user("u_1") == User(
        "u_1", "User 1", "user1@example.org", False, T0 + dt.timedelta(1)
    )
    assert accounts.user_by_email("USER1@example.ORG") == accounts.get_user(first.id)
    assert [u.id for u in accounts.list_users()] == ["u_1", "u_2"]
    with pytest.raises(DuplicateEmail, match=r"user1@example\.org"):
        _user(accounts, 3, email="user1@EXAMPLE.org")
    assert accounts.get_user("u_3") is None


def test_keys_verify_list_by_prefix_and_revoke(accounts: AccountStore) -> None:
    user = _user(accounts, 1)
    token, key = mint_api_key(user.id, T0, "laptop")
    accounts.add_api_key(key)
    other_token, other = mint_api_key(user.id, T0 + dt.timedelta(1))
    accounts.add_api_key(other)
    assert token not in repr(accounts.get_api_key(key.prefix))  # only the digest is kept
    assert verify_api_key(accounts, token) == key
    assert verify_api_key(accounts, token[:-1] + ("x" if token[-1] != "x" else "y")) is None
    assert verify_api_key(accounts, "ahk_nothing") is None
    assert [k.prefix for k in accounts.list_api_keys()] == [key.prefix, other.prefix]
    assert [k.prefix for k in accounts.list_api_keys(key.prefix[:10])] == [
        k.prefix for k in (key, other) if k.prefix.startswith(key.prefix[:10])
    ]
    assert accounts.list_api_keys("ahk_%") == []  # a literal prefix, not a pattern
    assert accounts.list_api_keys(user_id="u_nobody") == []
    session = WebSession(digest("cookie"), user.id, key.prefix, "csrf", T0, T0 + dt.timedelta(1))
    accounts.add_session(session)
    assert accounts.revoke_api_key(key.prefix, T0 + dt.timedelta(hours=1))
    assert not accounts.revoke_api_key(key.prefix, T0 + dt.timedelta(hours=2))  # already
    assert verify_api_key(accounts, token) is None
    assert verify_api_key(accounts, other_token) == other
    revoked = accounts.get_api_key(key.prefix)
    assert revoked is not None
    assert revoked.revoked_at == T0 + dt.timedelta(hours=1)
    assert accounts.get_session(session.digest) is None  # its sessions ended with it


def test_sessions_expire_and_are_purged(accounts: AccountStore) -> None:
    live = WebSession("d1", "u_1", "ahk_1", "c1", T0, T0 + dt.timedelta(days=1))
    dead = WebSession("d2", "u_1", "ahk_1", "c2", T0, T0 + dt.timedelta(minutes=1))
    accounts.add_session(live)
    accounts.add_session(dead)
    assert accounts.get_session("d1") == live
    assert accounts.purge_sessions(T0 + dt.timedelta(hours=1)) == 1
    assert accounts.get_session("d2") is None
    assert accounts.delete_session("d1")
    assert not accounts.delete_session("d1")


def test_one_feed_token_per_radar(accounts: AccountStore) -> None:
    accounts.set_feed_token(FeedToken("r_1", digest("a"), T0))
    accounts.set_feed_token(FeedToken("r_1", digest("b"), T0 + dt.timedelta(1)))
    assert accounts.get_feed_token("r_1") == FeedToken("r_1", digest("b"), T0 + dt.timedelta(1))
    assert accounts.delete_feed_token("r_1")
    assert accounts.get_feed_token("r_1") is None
    assert not accounts.delete_feed_token("r_1")


def test_feedback_is_one_verdict_per_user_paper_and_radar(accounts: AccountStore) -> None:
    accounts.put_feedback(Feedback("r_1", "arxiv:2606.00001", "u_1", "up", T0))
    accounts.put_feedback(Feedback("r_1", "arxiv:2606.00001", "u_1", "down", T0 + dt.timedelta(1)))
    accounts.put_feedback(Feedback("r_1", "arxiv:2606.00002", "u_1", "up", T0 + dt.timedelta(2)))
    accounts.put_feedback(Feedback("r_2", "arxiv:2606.00001", "u_1", "up", T0))
    found = accounts.feedback_for_radar("r_1")
    assert [(f.paper_id, f.verdict) for f in found] == [
        ("arxiv:2606.00002", "up"),
        ("arxiv:2606.00001", "down"),
    ]
    assert accounts.delete_feedback("r_1", "arxiv:2606.00002", "u_1")
    assert len(accounts.feedback_for_radar("r_1")) == 1


def test_the_embedded_accounts_survive_reopening(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path, index_writer=False)
    _user(first.accounts, 1)
    first.close()
    again = EmbeddedStore(tmp_path, index_writer=False)
    try:
        assert again.accounts.get_user("u_1") is not None
    finally:
        again.close()


QUERIES = [None, "quantum", '"neural network"', "protein* OR genome", "cat:cs.* -transformer"]


@pytest.mark.parametrize("query", QUERIES)
def test_embedded_facets_agree_with_counting_every_paper(tmp_path: Path, query: str | None) -> None:
    papers = list(synthetic_papers(600, seed=3))
    # Some papers get a second version: only the current one may be counted.
    rng = random.Random(5)
    newer = [
        p.model_copy(update={"version": 2, "categories": ("hep-th",), "title": p.title + " v2"})
        for p in rng.sample([p for p in papers if p.version == 1], 40)
    ]
    memory = InMemoryStore()
    memory.papers.upsert_papers(papers)
    memory.papers.upsert_papers(newer)
    writer = EmbeddedStore(tmp_path, index_writer=True)
    try:
        writer.papers.upsert_papers(papers)
        writer.papers.upsert_papers(newer)
    finally:
        writer.close()
    node = parse_query(query) if query else None
    reader = EmbeddedStore(tmp_path, index_writer=False)
    try:
        for filters in (
            NO_FILTERS,
            SearchFilters(sources=("arxiv",), categories=("cs.LG", "hep-th")),
        ):
            expected = memory.facets.facets(node, filters, top=5, days=14)
            assert reader.facets.facets(node, filters, top=5, days=14) == expected
    finally:
        reader.close()
