"""Who is calling: API keys for programs, session cookies for browsers, CSRF for both.

* The API takes ``Authorization: Bearer <key>``. A browser signed in at ``/signin`` may
  call it with its session cookie instead, but then every unsafe method must carry the
  session's CSRF token in ``X-CSRF-Token`` (the pages' script sends it).
* Pages read only the session cookie; their forms carry the CSRF token in a ``csrf``
  field. The sign-in form, used before any session exists, is protected by a
  double-submit cookie.
* The session cookie is HttpOnly, SameSite=Lax and Secure when served over HTTPS; only
  its SHA-256 digest is stored, so the accounts table cannot be replayed as cookies.
* Every authenticated request spends one unit of its key's rate budget (a session spends
  the budget of the key it signed in with); anonymous page views spend their address's.
* Every failed authentication (no key on the API, a malformed header, an unknown or
  revoked key, a wrong feed token or sign-in key) spends its address's failure budget; an
  address that has spent it is answered 429 before any key it sends is even looked up,
  so guessing keys is slow whatever keys are guessed.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Final, NoReturn

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from academichub.gateway.deps import ContextDep, GatewayContext
from academichub.gateway.domain.principal import Principal
from academichub.gateway.errors import Forbidden, SignInRequired, TooManyRequests, Unauthorized
from academichub.gateway.limits import RateLimiter, retry_after_header
from academichub.store.accounts import (
    AccountStore,
    WebSession,
    digest,
    new_secret,
    verify_api_key,
)

SESSION_COOKIE: Final = "ah_session"
SIGNIN_COOKIE: Final = "ah_signin"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf"
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_NO_KEY = (
    "this endpoint needs an API key: send 'Authorization: Bearer <key>' "
    "(an admin creates one with 'academichub users create'), or sign in at /signin"
)
_BAD_KEY = "the API key is unknown, malformed or revoked; ask an admin for a new one"


def key_principal(accounts: AccountStore, token: str) -> Principal | None:
    key = verify_api_key(accounts, token)
    user = accounts.get_user(key.user_id) if key else None
    return Principal(user, key.prefix) if key and user else None


def session_principal(accounts: AccountStore, cookie: str, now: dt.datetime) -> Principal | None:
    session = accounts.get_session(digest(cookie))
    if session is None or session.expires_at <= now:
        return None
    user = accounts.get_user(session.user_id)
    return Principal(user, session.key_prefix, session) if user else None


def _too_many(wait: float, what: str = "too many requests") -> TooManyRequests:
    seconds = max(1, round(wait))
    return TooManyRequests(
        f"{what}; retry in {seconds} s",
        headers=retry_after_header(wait),
        page={"seconds": seconds},
        retry_after_seconds=round(wait, 3),
    )


def spend(limiter: RateLimiter, key: str) -> None:
    wait = limiter.take(key)
    if wait is not None:
        raise _too_many(wait)


def _failure_key(request: Request) -> str:
    return f"authfail:{client_address(request)}"


def refuse_if_failing(context: GatewayContext, request: Request) -> None:
    """429 for an address that has used up its failed-authentication budget."""
    wait = context.auth_failure_limiter.waiting(_failure_key(request))
    if wait is not None:
        raise _too_many(wait, "too many failed authentications from this address")


def count_failed_authentication(context: GatewayContext, request: Request) -> None:
    """Spend one unit of the address's failure budget; 429 if it was already spent."""
    wait = context.auth_failure_limiter.take(_failure_key(request))
    if wait is not None:
        raise _too_many(wait, "too many failed authentications from this address")


def authentication_failed(
    context: GatewayContext, request: Request, refusal: Exception
) -> NoReturn:
    """Count a failed authentication, then raise ``refusal`` (or 429 past the budget)."""
    count_failed_authentication(context, request)
    raise refusal


def same_secret(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


async def _session(request: Request, context: GatewayContext) -> Principal | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    now = context.clock()
    return await context.accounts.run(lambda a: session_principal(a, cookie, now))


# Declares the scheme in the OpenAPI document, so /docs offers "Authorize" for a key; the
# header itself is read below, to answer each mistake with its own message.
_BEARER_SCHEME = HTTPBearer(auto_error=False, description="An API key: ahk_…")


async def api_caller(
    request: Request,
    context: ContextDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER_SCHEME)],
) -> Principal:
    """The authenticated caller of an API route, rate-limited (401/403/429 otherwise)."""
    refuse_if_failing(context, request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            authentication_failed(
                context,
                request,
                Unauthorized(
                    "the Authorization header must read 'Bearer <key>'",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_request"'},
                ),
            )
        caller = await context.accounts.run(lambda a: key_principal(a, token))
        if caller is None:
            authentication_failed(
                context,
                request,
                Unauthorized(
                    _BAD_KEY, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
                ),
            )
    else:
        session_caller = await _session(request, context)
        if session_caller is None:
            authentication_failed(
                context, request, Unauthorized(_NO_KEY, headers={"WWW-Authenticate": "Bearer"})
            )
        caller = session_caller
        assert caller.session is not None
        if request.method in UNSAFE_METHODS and not same_secret(
            caller.session.csrf_token, request.headers.get(CSRF_HEADER)
        ):
            raise Forbidden(
                f"a signed-in browser must send the page's CSRF token in {CSRF_HEADER}; "
                "reload the page and try again"
            )
    spend(context.key_limiter, caller.rate_key)
    return caller


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def page_viewer(request: Request, context: ContextDep) -> Principal | None:
    """The signed-in user of a page, or None; rate-limited per key or per address."""
    viewer = await _session(request, context)
    if viewer is not None:
        spend(context.key_limiter, viewer.rate_key)
    else:
        spend(context.anonymous_limiter, f"addr:{client_address(request)}")
    return viewer


async def paper_reader(
    request: Request,
    context: ContextDep,
    declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER_SCHEME)],
) -> Principal | None:
    """A reader of papers, which are public metadata (the home page lists them to anyone):
    a key is optional, but one that is sent must be valid. Without a key the caller is
    rate-limited per address, as an anonymous page is."""
    if request.headers.get("authorization") is not None:
        return await api_caller(request, context, declared)
    return await page_viewer(request, context)


async def signed_in_viewer(
    request: Request, viewer: Annotated[Principal | None, Depends(page_viewer)]
) -> Principal:
    if viewer is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return viewer


Caller = Annotated[Principal, Depends(api_caller)]
Viewer = Annotated[Principal | None, Depends(page_viewer)]
SignedIn = Annotated[Principal, Depends(signed_in_viewer)]


def check_form_csrf(viewer: Principal, token: str | None) -> None:
    if viewer.session is None or not same_secret(viewer.session.csrf_token, token):
        raise Forbidden("the form expired or came from another site; reload the page")


async def start_session(context: GatewayContext, token: str) -> tuple[str, WebSession] | None:
    """Sign in with an API key: the new cookie value and its session, or None."""
    now = context.clock()
    days = context.settings.session_days

    def create(accounts: AccountStore) -> tuple[str, WebSession] | None:
        caller = key_principal(accounts, token)
        if caller is None:
            return None
        accounts.purge_sessions(now)
        cookie = new_secret()
        session = WebSession(
            digest=digest(cookie),
            user_id=caller.user.id,
            key_prefix=caller.key_prefix,
            csrf_token=new_secret(),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        accounts.add_session(session)
        return cookie, session

    return await context.accounts.run(create)


def set_session_cookie(request: Request, response: Response, cookie: str, days: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(days * 86_400),
        path="/",
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
    )


def set_signin_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SIGNIN_COOKIE,
        value,
        max_age=3600,
        path="/signin",
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
