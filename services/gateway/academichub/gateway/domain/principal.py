"""Who is asking: the signed-in user, and how they proved it."""

from __future__ import annotations

from dataclasses import dataclass

from academichub.store.accounts import User, WebSession


@dataclass(frozen=True)
class Principal:
    user: User
    key_prefix: str  # the key used, directly or to sign in: its rate budget is shared
    session: WebSession | None = None  # set when signed in on the web, None for an API key

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    @property
    def rate_key(self) -> str:
        return f"key:{self.key_prefix}"
