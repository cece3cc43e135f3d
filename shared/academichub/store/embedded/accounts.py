"""The embedded :class:`~academichub.store.accounts.AccountStore`: accounts in the shared
SQLite file (tables from the accounts migration in :mod:`.database`).

A part of :class:`~academichub.store.embedded.EmbeddedStore`, on its :class:`Database`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from academichub.store.accounts import (
    ApiKey,
    DuplicateEmail,
    Feedback,
    FeedToken,
    User,
    WebSession,
    normalise_email,
)
from academichub.store.embedded.database import Database


def _time(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat()


def _parse(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _must(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _user(row: Any) -> User:
    user_id, email, name, is_admin, created_at = row
    return User(user_id, name, email, bool(is_admin), _must(created_at))


def _key(row: Any) -> ApiKey:
    prefix, user_id, key_digest, label, created_at, revoked_at = row
    return ApiKey(prefix, user_id, key_digest, _must(created_at), label, _parse(revoked_at))


def _session(row: Any) -> WebSession:
    session_digest, user_id, prefix, csrf, created_at, expires_at = row
    return WebSession(session_digest, user_id, prefix, csrf, _must(created_at), _must(expires_at))


_USER_COLUMNS = "id, email, name, is_admin, created_at"
_KEY_COLUMNS = "prefix, user_id, digest, label, created_at, revoked_at"
_SESSION_COLUMNS = "digest, user_id, key_prefix, csrf_token, created_at, expires_at"


class EmbeddedAccountStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- users --------------------------------------------------------------------
    def add_user(self, user: User) -> None:
        email = normalise_email(user.email)
        try:
            with self._db.write() as conn:
                conn.execute(
                    f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    (user.id, email, user.name, int(user.is_admin), _time(user.created_at)),
                )
        except sqlite3.IntegrityError as exc:
            if "users.email" in str(exc):
                raise DuplicateEmail(f"a user with email {email} already exists") from exc
            raise

    def get_user(self, user_id: str) -> User | None:
        rows = self._db.read_all(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def user_by_email(self, email: str) -> User | None:
        rows = self._db.read_all(
            f"SELECT {_USER_COLUMNS} FROM users WHERE email = ?", (normalise_email(email),)
        )
        return _user(rows[0]) if rows else None

    def list_users(self) -> list[User]:
        rows = self._db.read_all(f"SELECT {_USER_COLUMNS} FROM users ORDER BY created_at, id")
        return [_user(r) for r in rows]

    # --- API keys -----------------------------------------------------------------
    def add_api_key(self, key: ApiKey) -> None:
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO api_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.prefix,
                    key.user_id,
                    key.digest,
                    key.label,
                    _time(key.created_at),
                    None if key.revoked_at is None else _time(key.revoked_at),
                ),
            )

    def get_api_key(self, prefix: str) -> ApiKey | None:
        rows = self._db.read_all(f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE prefix = ?", (prefix,))
        return _key(rows[0]) if rows else None

    def list_api_keys(self, prefix: str = "", user_id: str | None = None) -> list[ApiKey]:
        # substr() rather than LIKE: a prefix holding '_' or '%' must match literally.
        sql = f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE substr(prefix, 1, ?) = ?"
        params: tuple[object, ...] = (len(prefix), prefix)
        if user_id is not None:
            sql += " AND user_id = ?"
            params += (user_id,)
        rows = self._db.read_all(sql + " ORDER BY created_at, prefix", params)
        return [_key(r) for r in rows]

    def revoke_api_key(self, prefix: str, at: dt.datetime) -> bool:
        with self._db.write() as conn:
            changed = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL",
                (_time(at), prefix),
            ).rowcount
            if changed:
                conn.execute("DELETE FROM web_sessions WHERE key_prefix = ?", (prefix,))
        return bool(changed)

    # --- web sessions -------------------------------------------------------------
    def add_session(self, session: WebSession) -> None:
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO web_sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session.digest,
                    session.user_id,
                    session.key_prefix,
                    session.csrf_token,
                    _time(session.created_at),
                    _time(session.expires_at),
                ),
            )

    def get_session(self, digest: str) -> WebSession | None:
        rows = self._db.read_all(
            f"SELECT {_SESSION_COLUMNS} FROM web_sessions WHERE digest = ?", (digest,)
        )
        return _session(rows[0]) if rows else None

    def delete_session(self, digest: str) -> bool:
        with self._db.write() as conn:
            return bool(
                conn.execute("DELETE FROM web_sessions WHERE digest = ?", (digest,)).rowcount
            )

    def purge_sessions(self, now: dt.datetime) -> int:
        # ISO-8601 strings in one zone (UTC) sort as the instants they name.
        with self._db.write() as conn:
            return int(
                conn.execute(
                    "DELETE FROM web_sessions WHERE expires_at <= ?", (_time(now),)
                ).rowcount
            )

    # --- feed tokens --------------------------------------------------------------
    def set_feed_token(self, token: FeedToken) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO feed_tokens (radar_id, digest, created_at) "
                "VALUES (?, ?, ?)",
                (token.radar_id, token.digest, _time(token.created_at)),
            )

    def get_feed_token(self, radar_id: str) -> FeedToken | None:
        rows = self._db.read_all(
            "SELECT radar_id, digest, created_at FROM feed_tokens WHERE radar_id = ?",
            (radar_id,),
        )
        if not rows:
            return None
        found_radar, token_digest, created_at = rows[0]
        return FeedToken(found_radar, token_digest, _must(created_at))

    def delete_feed_token(self, radar_id: str) -> bool:
        with self._db.write() as conn:
            return bool(
                conn.execute("DELETE FROM feed_tokens WHERE radar_id = ?", (radar_id,)).rowcount
            )

    # --- feedback -----------------------------------------------------------------
    def put_feedback(self, feedback: Feedback) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO feedback (radar_id, paper_id, user_id, verdict, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    feedback.radar_id,
                    feedback.paper_id,
                    feedback.user_id,
                    feedback.verdict,
                    _time(feedback.at),
                ),
            )

    def delete_feedback(self, radar_id: str, paper_id: str, user_id: str) -> bool:
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    "DELETE FROM feedback WHERE radar_id = ? AND paper_id = ? AND user_id = ?",
                    (radar_id, paper_id, user_id),
                ).rowcount
            )

    def feedback_for_radar(self, radar_id: str) -> list[Feedback]:
        rows = self._db.read_all(
            "SELECT radar_id, paper_id, user_id, verdict, at FROM feedback WHERE radar_id = ? "
            "ORDER BY at DESC, paper_id DESC",
            (radar_id,),
        )
        return [
            Feedback(r, p, u, "up" if v == "up" else "down", _must(at)) for r, p, u, v, at in rows
        ]
