"""What a webhook may point at: the defence against server-side request forgery.

A webhook URL is user input, and the briefer posts to it from inside the institution's
network. Two checks, one rule:

* :func:`check_webhook_url` (the gateway, when the URL is saved; the briefer, before each
  call): ``https`` only, a host, no user name or password, at most :data:`MAX_URL`
  characters; an IP literal must be a public address. ``http`` is allowed only to a
  loopback host, and only when ``DELIVERY_WEBHOOK_ALLOW_LOOPBACK`` says so (tests,
  development).
* :func:`refusal` (the briefer, on every address a host name resolves to, at connection
  time: a name that resolves to a public address when saved and to 10.0.0.5 later is
  refused then): only globally routable unicast addresses; never private (10/8,
  172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, where cloud
  metadata services answer), carrier-grade NAT (100.64/10), multicast, reserved or
  unspecified ones, nor an IPv4 address hidden in IPv6 (``::ffff:10.0.0.1``, 6to4,
  Teredo), unless loopback is allowed and the address is loopback.

Redirects are never followed (a 3xx is a failed call), so an allowed address cannot
hand the request on to a forbidden one.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

MAX_URL: Final = 2000
_LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1"})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def refusal(address: Address, *, allow_loopback: bool) -> str | None:
    """Why the webhook may not connect to ``address``, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return refusal(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else f"{address} is a loopback address"
    if not address.is_global or address.is_multicast:
        return f"{address} is not a public internet address"
    return None


def check_webhook_url(url: str, *, allow_loopback: bool) -> str:
    """``url`` stripped, if a webhook may be posted to it; else a ValueError saying why."""
    url = url.strip()
    if not url:
        raise ValueError("a webhook needs a URL")
    if len(url) > MAX_URL:
        raise ValueError(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError("the URL must start with https:// and name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not carry a user name or password")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError("the URL must not contain spaces or control characters")
    if parts.scheme == "http" and not (allow_loopback and host in _LOOPBACK_NAMES):
        raise ValueError("the URL must use https:// (http:// only to 127.0.0.1 in development)")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        why = refusal(literal, allow_loopback=allow_loopback)
        if why is not None:
            raise ValueError(f"webhooks may not point at {why}")
    elif host in _LOOPBACK_NAMES and not allow_loopback:
        raise ValueError("webhooks may not point at this machine")
    del port  # read only to validate it: urlsplit raises on a port out of range
    return url
