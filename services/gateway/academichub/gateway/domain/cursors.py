"""Opaque page cursors for ``/api/papers``: where the next page starts, bound to its search.

A cursor is base64url JSON ``{"o": offset, "s": search fingerprint}``. It is not secret
(it only saves recomputing an offset) but it is bound to the search that made it, so a
cursor replayed against another query is refused instead of silently paging wrongly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence


class BadCursor(ValueError):
    """The cursor is malformed or belongs to another search; the message says which."""


def fingerprint(parts: Sequence[object]) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:16]


def encode_cursor(offset: int, search: str) -> str:
    raw = json.dumps({"o": offset, "s": search}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, search: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, bound = data["o"], data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadCursor("the cursor is not one this API issued; start again without it") from exc
    if not isinstance(offset, int) or offset < 0 or bound != search:
        raise BadCursor(
            "the cursor belongs to another search (q, filters or sort changed); "
            "start again without it"
        )
    return offset
