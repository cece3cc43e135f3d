"""Who may see and change a radar: the one place that decides ownership.

A user owns the radars they create and sees only those; an admin sees and changes every
radar and may create one for another user. Routes never compare owners themselves: they
ask the :class:`OwnerPolicy` the ``Owners`` dependency (see :mod:`.deps`) provides, and
answer a radar the caller may not see exactly as a radar that does not exist (404), so
nobody learns which radar ids exist.
"""

from __future__ import annotations

from typing import Final, Protocol

from academichub.gateway.domain.principal import Principal

# Owner names go into URLs and logs (never metric labels): keep them plain.
OWNER_PATTERN: Final = r"^[A-Za-z0-9_.@-]{1,64}$"
# Matches no owner (OWNER_PATTERN needs at least one character): an empty listing.
NOBODY: Final = ""


class OwnershipRefused(Exception):
    """A non-admin asked to act for another owner; the message says what is allowed."""


class OwnerPolicy(Protocol):
    def owner_for_new_radar(self, caller: Principal, requested: str | None) -> str:
        """The owner a new radar is stored under (raises :class:`OwnershipRefused`)."""
        ...

    def owner_filter(self, caller: Principal, requested: str | None) -> str | None:
        """Whose radars a listing shows (None: everyone's)."""
        ...

    def may_see(self, caller: Principal, owner: str) -> bool: ...


class AccountOwners:
    def owner_for_new_radar(self, caller: Principal, requested: str | None) -> str:
        if requested is None or requested == caller.user.id:
            return caller.user.id
        if caller.is_admin:
            return requested
        raise OwnershipRefused(
            "only an admin may create a radar for another user; leave 'owner' out"
        )

    def owner_filter(self, caller: Principal, requested: str | None) -> str | None:
        if caller.is_admin:
            return requested
        if requested is None or requested == caller.user.id:
            return caller.user.id
        # Another user's listing is empty for a non-admin, whether or not they have radars.
        return NOBODY

    def may_see(self, caller: Principal, owner: str) -> bool:
        return caller.is_admin or owner == caller.user.id
