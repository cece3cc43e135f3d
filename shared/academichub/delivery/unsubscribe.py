"""One-click unsubscribe tokens: a user id signed with HMAC-SHA256.

The briefer puts a token in every digest (the footer link and the ``List-Unsubscribe``
header, RFC 8058); the gateway turns the digest off for whoever it names, without a
sign-in. The key is the store's (:meth:`academichub.store.delivery.DeliveryStore.
signing_key`), so every process agrees without a secret to distribute. Tokens do not
expire: an old digest's link still works, as RFC 8058 expects. Written with ``hmac``
rather than a serializer library: the payload is one id, and the standard library's
constant-time comparison is all the verification needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final

_PURPOSE: Final = b"academichub-digest-unsubscribe:"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, user_id: str) -> bytes:
    return hmac.new(key, _PURPOSE + user_id.encode(), hashlib.sha256).digest()


def unsubscribe_token(key: bytes, user_id: str) -> str:
    return f"{_b64(user_id.encode())}.{_b64(_mac(key, user_id))}"


def unsubscribed_user(key: bytes, token: str) -> str | None:
    """The user ``token`` was made for, or None if it is malformed or not ours."""
    head, dot, tail = token.partition(".")
    if not dot or len(token) > 300:
        return None
    try:
        user_id = _unb64(head).decode()
        mac = _unb64(tail)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return user_id if hmac.compare_digest(mac, _mac(key, user_id)) else None
