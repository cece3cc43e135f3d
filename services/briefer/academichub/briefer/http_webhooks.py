"""The webhook adapter: one POST per attempt with httpx, guarded against request forgery.

* **Addresses**: every address the URL's host resolves to is checked *when connecting*
  (:class:`GuardedBackend`, the network backend of the connection pool), so a name that
  resolves to a private address is refused whatever it resolved to when the URL was
  saved, and the connection goes to the address checked (no second lookup for a DNS
  rebinding to answer differently). TLS still verifies the certificate against the host
  name. The rule is :func:`academichub.delivery.addresses.refusal`.
* **Redirects** are never followed: a 3xx is a failed call (the receiver could otherwise
  point us anywhere, another host or a private address).
* **Time and size**: the whole call (lookup, connect, send, answer) is bounded by one
  timeout; at most ``max_response_bytes`` of the answer are read, the rest discarded
  with the connection. No proxy or ``.netrc`` from the environment is used.

Only the briefer's own failures propagate; every failure of the network or the receiver
becomes a :class:`~academichub.briefer.domain.sending.Reply`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from academichub.briefer.domain.sending import Reply, WebhookRequest
from academichub.delivery.addresses import check_webhook_url, refusal


class ForbiddenAddress(Exception):
    """The host resolves to an address webhooks may not reach."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and checking each host before connecting."""

    def __init__(self, *, allow_loopback: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_loopback = allow_loopback

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
        for address in addresses:
            why = refusal(address, allow_loopback=self._allow_loopback)
            if why is not None:
                raise ForbiddenAddress(f"{host} resolves to {why}")
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        return await self._inner.connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ForbiddenAddress("webhooks never use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool with the guarded backend. httpx takes no network
    backend, so the pool it built is replaced by an equal one that has it (the one
    private attribute we touch; ``tests/integration/briefer/test_http_webhooks.py``
    fails if httpx stops using it)."""

    def __init__(self, *, allow_loopback: bool) -> None:
        super().__init__(trust_env=False, retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20,
            max_keepalive_connections=0,  # one call per delivery: no idle sockets kept
            network_backend=GuardedBackend(allow_loopback=allow_loopback),
        )


class HttpWebhookSender:
    def __init__(
        self,
        *,
        timeout_seconds: float,
        max_response_bytes: int,
        allow_loopback: bool,
        user_agent: str = "AcademicHub-Webhooks/1",
    ) -> None:
        self._timeout = timeout_seconds
        self._max_bytes = max_response_bytes
        self._allow_loopback = allow_loopback
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(allow_loopback=allow_loopback),
            follow_redirects=False,
            timeout=timeout_seconds,
            trust_env=False,
            headers={"User-Agent": user_agent},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(self, request: WebhookRequest) -> Reply:
        try:
            # Checked again at send time: the rule may have changed since it was saved.
            check_webhook_url(request.url, allow_loopback=self._allow_loopback)
        except ValueError as exc:
            return Reply(0, error=f"webhook URL refused: {exc}", retryable=False)
        try:
            async with asyncio.timeout(self._timeout):
                return await self._exchange(request)
        except ForbiddenAddress as exc:
            return Reply(0, error=f"webhook address refused: {exc}", retryable=False)
        except TimeoutError:
            return Reply(0, error=f"no answer within {self._timeout:g}s")
        except httpx.TransportError as exc:
            return Reply(0, error=f"{type(exc).__name__}: {exc}")

    async def _exchange(self, request: WebhookRequest) -> Reply:
        async with self._client.stream(
            "POST", request.url, content=request.body, headers=dict(request.headers)
        ) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= self._max_bytes:
                    break  # the rest is not read: the connection is closed with it
            return Reply(
                response.status_code,
                bytes(body[: self._max_bytes]),
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (delta-seconds or an HTTP date); None if
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
