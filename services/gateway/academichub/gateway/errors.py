"""Every failure a client can see, mapped to a JSON response in one place.

Bodies always carry ``error`` (a stable code for programs) and ``message`` (a sentence
a person can act on), plus fields that help fix the request::

    ApiError                      raised by routes and dependencies
    ├── InvalidRequest    422     well-formed but contradictory (from > to), bad cursor
    ├── Unauthorized      401     no key, or a key that is unknown or revoked
    ├── Forbidden         403     missing CSRF token, acting for another owner
    ├── NotFound          404     no such radar / paper — or one the caller may not see
    ├── PayloadTooLarge   413     body or URL over the configured limit
    ├── TooManyRequests   429     the key's rate budget is spent (Retry-After)
    ├── Conflict          409     a concurrent change won; fetch and retry
    ├── PublishFailed     503     stored, but the matcher was not told
    └── NotReady          503     /readyz: which dependency failed, and why
    QuerySyntaxError      422     invalid_query, with position and expected
    RequestValidationError 422    invalid_request, naming each bad field
    HTTPException         4xx     Starlette's own (unknown path, wrong method)
    SignInRequired        303     a web page needs a session: redirect to /signin
    TransientError        503     a dependency is briefly unavailable
    anything else         500     a bug: uvicorn logs its traceback
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from academichub.gateway.web import render_error_page
from academichub.platform.errors import TransientError
from academichub.radar.parser import QuerySyntaxError

log = logging.getLogger(__name__)


class ApiError(Exception):
    status_code = 500
    code = "internal"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
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


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "too_large"


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


class PublishFailed(ApiError):
    status_code = 503
    code = "publish_failed"


class NotReady(ApiError):
    status_code = 503
    code = "not_ready"


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


def query_error_fields(exc: QuerySyntaxError) -> dict[str, Any]:
    """What a client needs to point at the mistake: the sentence, the offset, the hint."""
    return {"message": str(exc), "position": exc.position, "expected": exc.expected}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script): errors render as HTML."""
    path = request.url.path
    return not path.startswith(("/api", "/static")) and "text/html" in request.headers.get(
        "accept", ""
    )


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if wants_html(request):
        page = render_error_page(request, exc.status_code, exc.message)
        page.headers.update(exc.headers)  # e.g. Retry-After on a 429
        return page
    return _json(exc.status_code, error_body(exc.code, exc.message, **exc.extra), exc.headers)


async def _sign_in_required(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/signin?{urlencode({'next': exc.next_path})}", status_code=303)


async def _query_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QuerySyntaxError)
    return _json(422, {"error": "invalid_query", **query_error_fields(exc)})


def _location(loc: Sequence[int | str]) -> str:
    # ("query", "limit") → "query parameter 'limit'"; ("body", "schedule", "hour") →
    # "body field 'schedule.hour'".
    where, *rest = [str(part) for part in loc] or ["request"]
    path = ".".join(rest)
    kind = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(
        where, where
    )
    return f"{kind} '{path}'" if path else kind


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": _location(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    message = "; ".join(f"{d['location']}: {d['message']}" for d in details)
    return _json(422, error_body("invalid_request", message or "invalid request", details=details))


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"nothing at {request.url.path}; see /docs for the API"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if wants_html(request):
        return render_error_page(request, exc.status_code, message)
    return _json(exc.status_code, error_body(code, message), dict(exc.headers or {}))


async def _transient_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return _json(
        503,
        error_body("unavailable", f"{exc}; try again shortly"),
        {"Retry-After": "5"},
    )


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    # Not logged here: Starlette re-raises after this response, and uvicorn logs the
    # traceback once.
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


def json_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The error body, for ASGI middleware that answers before any route (size limits)."""
    return _json(status, error_body(code, message), headers)
