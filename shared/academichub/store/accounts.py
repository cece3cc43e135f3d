"""Accounts: users, their API keys, web sessions, radar feed tokens and paper feedback.

The ``accounts`` part of every adapter (:class:`academichub.store.port.Store`): only the
gateway and the ``academichub users`` command are handed it; no other service can reach
credentials.

Secrets are never stored. An API key, a session cookie and a feed token each carry 256
random bits; the store keeps only their SHA-256 digest. With that much entropy a fast hash
is enough (there is no password to stretch, so scrypt would only slow every request), and
a leaked database yields nothing that signs in. Digests are compared in constant time.

An API key reads ``ahk_<8 hex>_<43 url-safe characters>``. The first part is its public
*prefix*: it names the key in listings, revocations and logs, and finds the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Final, Literal, Protocol

Verdict = Literal["up", "down"]

KEY_SCHEME: Final = "ahk_"
_KEY_RE: Final = re.compile(r"^(ahk_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# Digest of nothing anybody holds: verifying an unknown prefix costs the same comparison.
_NO_DIGEST: Final = hashlib.sha256(b"no such key").hexdigest()


class DuplicateEmail(Exception):
    """A user with this email already exists; the message names it."""


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    is_admin: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class ApiKey:
    prefix: str
    user_id: str
    digest: str
    created_at: dt.datetime
    label: str = ""
    revoked_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser. ``digest`` (of the cookie value) is its id; ``key_prefix`` is
    the key it signed in with, so revoking that key ends the session too."""

    digest: str
    user_id: str
    key_prefix: str
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class FeedToken:
    """The one live token of a radar's Atom feed; replacing or deleting it revokes it."""

    radar_id: str
    digest: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Feedback:
    """A 👍 or 👎 by ``user_id`` on a paper a radar matched, kept for later learning."""

    radar_id: str
    paper_id: str
    user_id: str
    verdict: Verdict
    at: dt.datetime


class AccountStore(Protocol):
    # --- users --------------------------------------------------------------------
    def add_user(self, user: User) -> None:
        """Store a new user; raise :class:`DuplicateEmail` if the email is taken."""
        ...

    def get_user(self, user_id: str) -> User | None: ...

    def user_by_email(self, email: str) -> User | None:
        """Emails compare case-insensitively."""
        ...

    def list_users(self) -> list[User]:
        """Oldest first."""
        ...

    # --- API keys -----------------------------------------------------------------
    def add_api_key(self, key: ApiKey) -> None: ...

    def get_api_key(self, prefix: str) -> ApiKey | None: ...

    def list_api_keys(self, prefix: str = "", user_id: str | None = None) -> list[ApiKey]:
        """Keys whose prefix starts with ``prefix`` (of one user if given), oldest first."""
        ...

    def revoke_api_key(self, prefix: str, at: dt.datetime) -> bool:
        """Revoke an active key and end the sessions signed in with it; False if there is
        no such active key."""
        ...

    # --- web sessions -------------------------------------------------------------
    def add_session(self, session: WebSession) -> None: ...

    def get_session(self, digest: str) -> WebSession | None: ...

    def delete_session(self, digest: str) -> bool: ...

    def purge_sessions(self, now: dt.datetime) -> int:
        """Delete expired sessions; return how many."""
        ...

    # --- feed tokens --------------------------------------------------------------
    def set_feed_token(self, token: FeedToken) -> None:
        """Make ``token`` the radar's feed token, revoking any earlier one."""
        ...

    def get_feed_token(self, radar_id: str) -> FeedToken | None: ...

    def delete_feed_token(self, radar_id: str) -> bool: ...

    # --- feedback -----------------------------------------------------------------
    def put_feedback(self, feedback: Feedback) -> None:
        """Store or replace the user's verdict on (radar, paper)."""
        ...

    def delete_feedback(self, radar_id: str, paper_id: str, user_id: str) -> bool: ...

    def feedback_for_radar(self, radar_id: str) -> list[Feedback]:
        """Newest first."""
        ...


# --- secrets ----------------------------------------------------------------------


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(stored: str, secret: str) -> bool:
    """Constant-time comparison of a stored digest with the digest of ``secret``."""
    return hmac.compare_digest(stored, digest(secret))


def new_user_id() -> str:
    return "u_" + secrets.token_hex(8)


def mint_api_key(user_id: str, now: dt.datetime, label: str = "") -> tuple[str, ApiKey]:
    """A new key for ``user_id``: the token to show once, and the record to store."""
    prefix = KEY_SCHEME + secrets.token_hex(4)
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    return token, ApiKey(prefix, user_id, digest(token), now, label)


def key_prefix(token: str) -> str | None:
    """The prefix of a well-formed API key, else None."""
    found = _KEY_RE.match(token)
    return found.group(1) if found else None


def verify_api_key(accounts: AccountStore, token: str) -> ApiKey | None:
    """The active key ``token`` is, or None (malformed, unknown, revoked or wrong)."""
    prefix = key_prefix(token)
    key = accounts.get_api_key(prefix) if prefix else None
    matches = same_digest(key.digest if key else _NO_DIGEST, token)
    return key if key is not None and key.active and matches else None


def new_secret() -> str:
    """A session cookie, CSRF or feed token value: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- the in-memory fake -------------------------------------------------------------


@dataclass
class InMemoryAccountStore:
    """For tests: the same rules as the embedded adapter, with state to assert on."""

    users: dict[str, User] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    sessions: dict[str, WebSession] = field(default_factory=dict)
    feed_tokens: dict[str, FeedToken] = field(default_factory=dict)
    feedback: dict[tuple[str, str, str], Feedback] = field(default_factory=dict)

    def add_user(self, user: User) -> None:
        user = replace(user, email=normalise_email(user.email))
        if self.user_by_email(user.email) is not None:
            raise DuplicateEmail(f"a user with email {user.email} already exists")
        self.users[user.id] = user

    def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def user_by_email(self, email: str) -> User | None:
        wanted = normalise_email(email)
        return next((u for u in self.users.values() if u.email == wanted), None)

    def list_users(self) -> list[User]:
        return sorted(self.users.values(), key=lambda u: (u.created_at, u.id))

    def add_api_key(self, key: ApiKey) -> None:
        self.keys[key.prefix] = key

    def get_api_key(self, prefix: str) -> ApiKey | None:
        return self.keys.get(prefix)

    def list_api_keys(self, prefix: str = "", user_id: str | None = None) -> list[ApiKey]:
        found = [
            k
            for k in self.keys.values()
            if k.prefix.startswith(prefix) and (user_id is None or k.user_id == user_id)
        ]
        return sorted(found, key=lambda k: (k.created_at, k.prefix))

    def revoke_api_key(self, prefix: str, at: dt.datetime) -> bool:
        key = self.keys.get(prefix)
        if key is None or not key.active:
            return False
        self.keys[prefix] = replace(key, revoked_at=at)
        for session_id in [d for d, s in self.sessions.items() if s.key_prefix == prefix]:
            del self.sessions[session_id]
        return True

    def add_session(self, session: WebSession) -> None:
        self.sessions[session.digest] = session

    def get_session(self, digest: str) -> WebSession | None:
        return self.sessions.get(digest)

    def delete_session(self, digest: str) -> bool:
        return self.sessions.pop(digest, None) is not None

    def purge_sessions(self, now: dt.datetime) -> int:
        expired = [d for d, s in self.sessions.items() if s.expires_at <= now]
        for session_id in expired:
            del self.sessions[session_id]
        return len(expired)

    def set_feed_token(self, token: FeedToken) -> None:
        self.feed_tokens[token.radar_id] = token

    def get_feed_token(self, radar_id: str) -> FeedToken | None:
        return self.feed_tokens.get(radar_id)

    def delete_feed_token(self, radar_id: str) -> bool:
        return self.feed_tokens.pop(radar_id, None) is not None

    def put_feedback(self, feedback: Feedback) -> None:
        self.feedback[(feedback.radar_id, feedback.paper_id, feedback.user_id)] = feedback

    def delete_feedback(self, radar_id: str, paper_id: str, user_id: str) -> bool:
        return self.feedback.pop((radar_id, paper_id, user_id), None) is not None

    def feedback_for_radar(self, radar_id: str) -> list[Feedback]:
        found = [f for f in self.feedback.values() if f.radar_id == radar_id]
        return sorted(found, key=lambda f: (f.at, f.paper_id), reverse=True)
