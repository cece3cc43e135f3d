"""Every failure a client can see, mapped to a response in one place.

A client that asked for HTML (a browser navigating) gets a page in its language; any
other client gets JSON. JSON bodies always carry ``error`` (a stable code for programs)
and ``message`` (a sentence a person can act on), plus fields that help fix the request::

    ApiError                      raised by routes and dependencies
    ├── InvalidRequest    422     well-formed but contradictory (from > to), bad cursor
    ├── Unauthorized      401     no key, or a key that is unknown or revoked
    ├── Forbidden         403     missing CSRF token, acting for another owner
    ├── NotFound          404     no such radar / paper — or one the caller may not see
    ├── TooManyRequests   429     the rate budget is spent (Retry-After)
    ├── Conflict          409     a concurrent change won; fetch and retry
    └── NotReady          503     /readyz: which dependency failed, and why
    QuerySyntaxError      422     invalid_query, with position and expected
    RequestValidationError 422    invalid_request, naming each bad field
    HTTPException         4xx     Starlette's own (unknown path, wrong method; 413 from
                                  a body that grows past the limit while read)
    SignInRequired        303     a web page needs a session: redirect to /signin
    TransientError        503     a dependency is briefly unavailable
    anything else         500     a bug: uvicorn logs its traceback

Oversized URLs (414) and bodies (413) are refused by :mod:`.limits` before any route,
through :func:`refuse`, which answers the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from academichub.gateway.domain.query_text import query_error_fields
from academichub.gateway.problems import Problem, problem_from
from academichub.gateway.web import render_error_page, requested_language, wants_html
from academichub.platform.errors import TransientError
from academichub.radar.parser import QuerySyntaxError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """``message`` is English, for the JSON body; ``problems`` name the bad inputs (they
    become ``details`` in JSON and the lines of an HTML error page); ``page`` holds the
    values the page's sentence needs (e.g. ``seconds`` for a 429)."""

    status_code = 500
    code = "internal"

    def __init__(
        self,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        problems: Sequence[Problem] = (),
        page: dict[str, Any] | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.problems = tuple(problems)
        self.page = page or {}
        self.extra = extra


class InvalidRequest(ApiError):
    status_code = 422
    code = "invalid_request"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(ApiError):
    status_code = 429
    code = "rate_limited"


class SignInRequired(Exception):
    """A web page needs a signed-in user; ``next`` is where to return afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class NotReady(ApiError):
    status_code = 503
    code = "not_ready"


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if wants_html(request.headers):
        page = render_error_page(request, exc.status_code, problems=exc.problems, **exc.page)
        page.headers.update(exc.headers)  # e.g. Retry-After on a 429
        return page
    extra = dict(exc.extra)
    if exc.problems:
        extra["details"] = [p.as_json() for p in exc.problems]
    return _json(exc.status_code, error_body(exc.code, exc.message, **extra), exc.headers)


async def _sign_in_required(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/signin?{urlencode({'next': exc.next_path})}", status_code=303)


async def _query_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QuerySyntaxError)
    if wants_html(request.headers):
        return render_error_page(request, 422, query_error=exc)
    # The message follows Accept-Language (the pages' script asks in the page's language;
    # English otherwise); ``position`` and ``expected`` stay as they are for programs.
    lang = requested_language(request.headers) or "en"
    return _json(422, {"error": "invalid_query", **query_error_fields(exc, lang)})


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [problem_from(err) for err in exc.errors()]
    if wants_html(request.headers):
        return render_error_page(request, 422, problems=problems)
    message = "; ".join(f"{p.location}: {p.message}" for p in problems)
    details = [p.as_json() for p in problems]
    return _json(422, error_body("invalid_request", message or "invalid request", details=details))


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first
    route's). HEAD goes with GET, as Starlette serves it. The table is the app's
    ``route_methods`` (see :func:`academichub.gateway.app.create_app`)."""
    table: Sequence[tuple[re.Pattern[str], set[str]]] = request.app.state.route_methods
    path = request.url.path
    methods = {m for pattern, route_methods in table if pattern.match(path) for m in route_methods}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    page: dict[str, Any] = {}
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"nothing at {request.url.path}; see /docs for the API"
    elif exc.status_code == 405:
        allow = allowed_methods(request)
        headers["Allow"] = ", ".join(allow)
        message = f"{request.method} is not allowed on {request.url.path}; use {', '.join(allow)}"
        page = {"allow": ", ".join(allow)}
    else:
        message = str(exc.detail)
    if exc.status_code == 413:
        page = {"limit": request.app.state.context.settings.max_body_bytes}
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if wants_html(request.headers):
        response = render_error_page(request, exc.status_code, **page)
        response.headers.update(headers)
        return response
    return _json(exc.status_code, error_body(code, message), headers)


async def _transient_error(request: Request, exc: Exception) -> Response:
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": "5"}
    if wants_html(request.headers):
        response = render_error_page(request, 503)
        response.headers.update(headers)
        return response
    return _json(503, error_body("unavailable", f"{exc}; try again shortly"), headers)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Not logged here: Starlette re-raises after this response, and uvicorn logs the
    # traceback once.
    if wants_html(request.headers):
        return render_error_page(request, 500)
    return _json(
        500,
        error_body(
            "internal",
            "the gateway failed unexpectedly; the error is logged — retry, and report it "
            "if it persists",
        ),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(QuerySyntaxError, _query_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(TransientError, _transient_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def refuse(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, **page: Any
) -> None:
    """Answer before any route (the size limits): an HTML page or the JSON error body."""
    request = Request(scope, receive)
    response: Response
    if wants_html(request.headers) and "app" in scope:
        response = render_error_page(request, status, **page)
    else:
        response = _json(status, error_body("too_large", message))
    await response(scope, receive, send)
