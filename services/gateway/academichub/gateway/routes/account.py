"""Signing in and out of the web pages with an API key, and choosing the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from academichub.gateway.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    SignedIn,
    Viewer,
    check_form_csrf,
    client_address,
    count_failed_authentication,
    refuse_if_failing,
    same_secret,
    set_session_cookie,
    set_signin_cookie,
    spend,
    start_session,
)
from academichub.gateway.deps import AccountsDep, ContextDep
from academichub.gateway.domain.i18n import pick_language
from academichub.gateway.errors import Forbidden
from academichub.gateway.web import LANG_COOKIE, render, safe_next
from academichub.store.accounts import digest, new_secret

router = APIRouter(include_in_schema=False)


def _signin_form(request: Request, next_path: str, failed: bool, status: int = 200) -> Response:
    # Double-submit token: the form's hidden field must equal this cookie, which another
    # site can neither read nor set, so it cannot sign a victim into its own account.
    token = request.cookies.get(SIGNIN_COOKIE) or new_secret()
    response = render(
        request,
        "signin.html",
        {"next": next_path, "signin_token": token, "failed": failed},
        viewer=None,
        status=status,
    )
    set_signin_cookie(request, response, token)
    return response


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(
    request: Request, viewer: Viewer, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    if viewer is not None:
        return RedirectResponse(safe_next(next, "/radars"), status_code=303)
    return _signin_form(request, safe_next(next, "/radars"), failed=False)


@router.post("/signin")
async def signin(
    request: Request,
    context: ContextDep,
    key: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/radars",
) -> Response:
    # Keys carry 256 random bits, so guessing is hopeless; still, bound the attempts, and
    # count a wrong key as a failed authentication of the address.
    spend(context.anonymous_limiter, f"signin:{client_address(request)}")
    refuse_if_failing(context, request)
    if not same_secret(request.cookies.get(SIGNIN_COOKIE, ""), csrf):
        raise Forbidden("the sign-in form expired or came from another site; reload it")
    started = await start_session(context, key.strip())
    if started is None:
        count_failed_authentication(context, request)
        return _signin_form(request, safe_next(next, "/radars"), failed=True, status=401)
    cookie, _ = started
    response = RedirectResponse(safe_next(next, "/radars"), status_code=303)
    set_session_cookie(request, response, cookie, context.settings.session_days)
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(
    request: Request,
    viewer: SignedIn,
    accounts: AccountsDep,
    csrf: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)],
) -> Response:
    check_form_csrf(viewer, csrf)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    await accounts.run(lambda a: a.delete_session(digest(cookie)))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def switch_language(
    request: Request, code: str, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        pick_language(code),
        max_age=365 * 86_400,
        path="/",
        secure=request.url.scheme == "https",
        samesite="lax",
    )
    return response
