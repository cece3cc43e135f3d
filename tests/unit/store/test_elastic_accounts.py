"""Accounts on Elasticsearch against hand-checked exchanges
(tests/fixtures/elastic/accounts.json; see test_elastic_replay.py): email uniqueness by a
claim document (a duplicate refused, the claim of a user never written taken over), keys
and their revocation ending the key's sessions, feedback; every write a listing must show
made with refresh=wait_for. The same behaviour runs against the fake cluster in the
contract suite."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.store.accounts import ApiKey, DuplicateEmail, Feedback, User, WebSession
from academichub.store.elastic import Cluster, ElasticsearchAccountStore
from tests.integration.store.factories import T0
from tests.unit.store.test_elastic_replay import replay


def test_users_keys_sessions_and_feedback() -> None:
    with replay("accounts") as client:
        accounts = ElasticsearchAccountStore(Cluster(client))
        accounts.add_user(User("u_1", "Ada", "Ada@Example.org", False, T0))
        with pytest.raises(DuplicateEmail, match=r"ada@example\.org"):
            accounts.add_user(User("u_2", "Ada Two", "ada@example.org", False, T0))
        accounts.add_user(User("u_3", "Grace", "grace@example.org", True, T0))
        key = ApiKey("ahk_0123abcd", "u_1", "d" * 64, T0, "laptop")
        accounts.add_api_key(key)
        assert accounts.list_api_keys("ahk_01", user_id="u_1") == [key]
        session = WebSession("s" * 64, "u_1", key.prefix, "c" * 43, T0, T0 + dt.timedelta(days=1))
        accounts.add_session(session)
        assert accounts.revoke_api_key(key.prefix, T0 + dt.timedelta(hours=1))
        assert accounts.get_session(session.digest) is None
        feedback = Feedback("r1", "arxiv:2606.00001", "u_1", "up", T0)
        accounts.put_feedback(feedback)
        assert accounts.feedback_for_radar("r1") == [feedback]
