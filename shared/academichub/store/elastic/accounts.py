"""The Elasticsearch :class:`~academichub.store.accounts.AccountStore`: users, API keys,
web sessions, feed tokens and feedback, each in its own index keyed by its natural id
(user id, key prefix, session digest, radar id, radar+user+paper).

Elasticsearch has no unique constraint but the document id, so a user's email is claimed
by creating the document ``user-emails/<normalised email>`` before the user is written:

1. claim the email (``op_type=create``); a 409 means it is claimed: by this very user (a
   replay, carry on), by a user that exists (:class:`DuplicateEmail`), or by a user whose
   write never happened (a crash between the steps: the claim is taken over, on the
   condition that nobody changed it since it was read);
2. write the user;
3. read the claim again: a concurrent take-over that won means this user lost the email,
   and its document is deleted again before :class:`DuplicateEmail` is raised.

Revoking a key first revokes it (a conditional write, so two revocations do not both
succeed), then deletes its sessions; a crash in between is finished by revoking again,
which deletes the sessions of an already revoked key too (and answers False).

Reads by id are real-time. The listings (users, keys, feedback) are searches: every write
they must show is made with ``refresh=wait_for`` (see :mod:`.cluster`), so a key created or
a verdict given is listed in the very next request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from elasticsearch import ConflictError

from academichub.store.accounts import (
    ApiKey,
    DuplicateEmail,
    Feedback,
    FeedToken,
    User,
    WebSession,
    normalise_email,
)
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.documents import (
    api_key_document,
    api_key_from,
    feed_token_document,
    feed_token_from,
    feedback_document,
    feedback_from,
    feedback_id,
    instant,
    session_document,
    session_from,
    user_document,
    user_from,
)
from academichub.store.elastic.errors import ElasticsearchStoreError

# A conditional write lost to a concurrent one is read and tried again this many times.
_WRITE_ATTEMPTS: Final = 10


class ElasticsearchAccountStore:
    """Accounts in the indices of ``cluster`` (see :func:`ensure_indices`): a part of
    :class:`~academichub.store.elastic.ElasticsearchStore`."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    # --- users --------------------------------------------------------------------
    def add_user(self, user: User) -> None:
        email = normalise_email(user.email)
        self._claim_email(email, user.id)
        self._cluster.put(
            self._names.users,
            user.id,
            user_document(User(user.id, user.name, email, user.is_admin, user.created_at)),
            refresh=self._cluster.visible,
        )
        if self._claimant(email) != user.id:
            # A concurrent add took the claim over (it read it before this user existed).
            self._cluster.delete(self._names.users, user.id, refresh=self._cluster.visible)
            raise _duplicate(email)

    def _claim_email(self, email: str, user_id: str) -> None:
        es = self._cluster.live()
        for _ in range(_WRITE_ATTEMPTS):
            try:
                self._cluster.call(
                    es.create,
                    index=self._names.user_emails,
                    id=email,
                    document={"email": email, "user_id": user_id},
                    refresh=self._cluster.refresh,
                )
                return
            except ConflictError:
                pass
            claim = self._cluster.get(self._names.user_emails, email, ["user_id"])
            if claim is None:
                continue  # released meanwhile: claim it again
            holder = str(claim["_source"]["user_id"])
            if holder == user_id:
                return  # this user's own claim: a replay, or a retry after a crash
            if self._cluster.get(self._names.users, holder, False) is not None:
                raise _duplicate(email)
            # Claimed by a user that was never written: take the claim over, unless it
            # changed since it was read.
            try:
                self._cluster.call(
                    es.index,
                    index=self._names.user_emails,
                    id=email,
                    document={"email": email, "user_id": user_id},
                    if_seq_no=int(claim["_seq_no"]),
                    if_primary_term=int(claim["_primary_term"]),
                    refresh=self._cluster.refresh,
                )
                return
            except ConflictError:
                continue
        raise ElasticsearchStoreError(
            f"the email {email} kept changing owner while being claimed ({_WRITE_ATTEMPTS} tries)"
        )

    def _claimant(self, email: str) -> str | None:
        claim = self._cluster.get(self._names.user_emails, email, ["user_id"])
        return None if claim is None else str(claim["_source"]["user_id"])

    def get_user(self, user_id: str) -> User | None:
        stored = self._cluster.get(self._names.users, user_id, True)
        return None if stored is None else user_from(stored["_source"])

    def user_by_email(self, email: str) -> User | None:
        normalised = normalise_email(email)
        holder = self._claimant(normalised)
        user = None if holder is None else self.get_user(holder)
        # A user whose claim was taken over keeps its document until it notices: the
        # claim decides.
        return user if user is not None and user.email == normalised else None

    def list_users(self) -> list[User]:
        hits = self._cluster.scan(
            self._names.users,
            {"match_all": {}},
            [{"created_at": "asc"}, {"user_id": "asc"}],
            ["user_id", "email", "created_at", "user"],
        )
        return [user_from(h["_source"]) for h in hits]

    # --- API keys -----------------------------------------------------------------
    def add_api_key(self, key: ApiKey) -> None:
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.create,
                index=self._names.api_keys,
                id=key.prefix,
                document=api_key_document(key),
                refresh=self._cluster.visible,
            )
        except ConflictError:
            stored = self.get_api_key(key.prefix)
            if stored is None or (stored.user_id, stored.digest) != (key.user_id, key.digest):
                raise ElasticsearchStoreError(
                    f"an API key with prefix {key.prefix} exists already"
                ) from None
            # The same key again (a retried request): stored, possibly revoked since.

    def get_api_key(self, prefix: str) -> ApiKey | None:
        stored = self._cluster.get(self._names.api_keys, prefix, True)
        return None if stored is None else api_key_from(stored["_source"])

    def list_api_keys(self, prefix: str = "", user_id: str | None = None) -> list[ApiKey]:
        clauses: list[dict[str, Any]] = []
        if prefix:
            # A prefix query is literal: "ahk_%" finds keys starting with those characters.
            clauses.append({"prefix": {"prefix": {"value": prefix}}})
        if user_id is not None:
            clauses.append({"term": {"user_id": user_id}})
        hits = self._cluster.scan(
            self._names.api_keys,
            filtered(*clauses),
            [{"created_at": "asc"}, {"prefix": "asc"}],
            ["prefix", "user_id", "created_at", "revoked_at", "key"],
        )
        return [api_key_from(h["_source"]) for h in hits]

    def revoke_api_key(self, prefix: str, at: dt.datetime) -> bool:
        es = self._cluster.live()
        revoked = False
        for _ in range(_WRITE_ATTEMPTS):
            stored = self._cluster.get(self._names.api_keys, prefix, ["revoked_at"])
            if stored is None:
                return False
            if stored["_source"].get("revoked_at") is not None:
                break  # revoked already (maybe by a revocation that crashed half-way)
            try:
                self._cluster.call(
                    es.update,
                    index=self._names.api_keys,
                    id=prefix,
                    doc={"revoked_at": instant(at)},
                    if_seq_no=int(stored["_seq_no"]),
                    if_primary_term=int(stored["_primary_term"]),
                    refresh=self._cluster.visible,
                )
            except ConflictError:
                continue
            revoked = True
            break
        else:
            raise ElasticsearchStoreError(
                f"API key {prefix} kept changing while being revoked ({_WRITE_ATTEMPTS} tries)"
            )
        # Sessions are found by a search: make the newest ones searchable first.
        self._cluster.make_visible(self._names.web_sessions)
        self._cluster.delete_matching(
            self._names.web_sessions, filtered({"term": {"key_prefix": prefix}})
        )
        return revoked

    # --- web sessions -------------------------------------------------------------
    def add_session(self, session: WebSession) -> None:
        self._cluster.put(self._names.web_sessions, session.digest, session_document(session))

    def get_session(self, digest: str) -> WebSession | None:
        stored = self._cluster.get(self._names.web_sessions, digest, True)
        return None if stored is None else session_from(digest, stored["_source"])

    def delete_session(self, digest: str) -> bool:
        return self._cluster.delete(self._names.web_sessions, digest)

    def purge_sessions(self, now: dt.datetime) -> int:
        # A delete-by-query sees what is searchable: make the newest sessions so first.
        self._cluster.make_visible(self._names.web_sessions)
        return self._cluster.delete_matching(
            self._names.web_sessions, filtered({"range": {"expires_at": {"lte": instant(now)}}})
        )

    # --- feed tokens --------------------------------------------------------------
    def set_feed_token(self, token: FeedToken) -> None:
        self._cluster.put(self._names.feed_tokens, token.radar_id, feed_token_document(token))

    def get_feed_token(self, radar_id: str) -> FeedToken | None:
        stored = self._cluster.get(self._names.feed_tokens, radar_id, True)
        return None if stored is None else feed_token_from(stored["_source"])

    def delete_feed_token(self, radar_id: str) -> bool:
        return self._cluster.delete(self._names.feed_tokens, radar_id)

    # --- feedback -----------------------------------------------------------------
    def put_feedback(self, feedback: Feedback) -> None:
        self._cluster.put(
            self._names.feedback,
            feedback_id(feedback.radar_id, feedback.paper_id, feedback.user_id),
            feedback_document(feedback),
            refresh=self._cluster.visible,
        )

    def delete_feedback(self, radar_id: str, paper_id: str, user_id: str) -> bool:
        return self._cluster.delete(
            self._names.feedback,
            feedback_id(radar_id, paper_id, user_id),
            refresh=self._cluster.visible,
        )

    def feedback_for_radar(self, radar_id: str) -> list[Feedback]:
        hits = self._cluster.scan(
            self._names.feedback,
            filtered({"term": {"radar_id": radar_id}}),
            [{"at": "desc"}, {"paper_id": "desc"}, {"user_id": "desc"}],
            ["radar_id", "paper_id", "user_id", "verdict", "at"],
        )
        return [feedback_from(h["_source"]) for h in hits]


def _duplicate(email: str) -> DuplicateEmail:
    return DuplicateEmail(f"a user with email {email} already exists")
