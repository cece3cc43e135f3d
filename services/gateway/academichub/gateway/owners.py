"""Who owns a radar. Accounts arrive in a later issue; this is the seam they replace.

Routes never decide ownership themselves: they ask the :class:`OwnerPolicy` that the
``Owners`` dependency (see :mod:`.deps`) provides. Authentication will swap in a policy
that derives the owner from the session and refuses to act for anyone else.
"""

from __future__ import annotations

from typing import Final, Protocol

# Owner names go into URLs and logs (never metric labels): keep them plain.
OWNER_PATTERN: Final = r"^[A-Za-z0-9_.@-]{1,64}$"


class OwnerPolicy(Protocol):
    def owner_for_new_radar(self, requested: str | None) -> str:
        """The owner a new radar is stored under."""
        ...

    def owner_filter(self, requested: str | None) -> str | None:
        """Whose radars a listing shows (None: everyone's)."""
        ...


class LocalOwners:
    """One-machine mode without accounts: the caller may name any owner."""

    def __init__(self, default_owner: str) -> None:
        self.default_owner = default_owner

    def owner_for_new_radar(self, requested: str | None) -> str:
        return requested or self.default_owner

    def owner_filter(self, requested: str | None) -> str | None:
        return requested
