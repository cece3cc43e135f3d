"""The OpenAPI document as the API really behaves: its errors, its security, its limits.

Routes declare the errors they raise with :func:`errors` (the body is always
:class:`ErrorBody`). What FastAPI cannot know from the routes is filled in here, once,
when the document is first asked for:

* every operation may answer 414 (the URL limit) and, with a body, 413 and 400 (a body
  that is too large, or not text) — refused by middleware before any route runs;
* security: the API takes a key *or* a signed-in browser's session cookie (FastAPI
  would declare the key alone); paper routes are public, a key optional; the Atom feed
  takes its own token in the query instead;
* limits that come from the settings (the deepest ``offset``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from academichub.contracts.events import time_zone_names
from academichub.gateway.settings import GatewaySettings

ZONED_SCHEMAS: Final = ("DailySchedule", "WeeklySchedule", "EveryNSchedule")
SESSION_SCHEME: Final = "SessionCookie"
BEARER_SCHEME: Final = "HTTPBearer"

_DESCRIPTIONS: Final = {
    400: "The body could not be read (not UTF-8 text, or a broken form)",
    401: "No key or session, or a key that is unknown, malformed or revoked",
    403: "A session without its CSRF token, or acting for another user",
    404: "No such resource — or one the caller may not see",
    409: "A concurrent change won; fetch and retry",
    413: "The body is over the configured limit",
    414: "The URL is over the configured limit",
    422: "A parameter or field is not valid; `details` (or `position`) names it",
    429: "Rate budget spent (per key, per address, and per address for failed sign-ins); "
    "see Retry-After",
    503: "A dependency is briefly unavailable",
}


class ErrorDetail(BaseModel):
    location: str = Field(description="e.g. query parameter 'limit', body field 'name'")
    message: str


class ErrorBody(BaseModel):
    """Every error: a stable code, a sentence to act on, and what helps fix the request."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="Stable code: invalid_request, invalid_query, not_found, …")
    message: str
    details: list[ErrorDetail] | None = Field(None, description="The bad inputs, when known")
    position: int | None = Field(None, description="invalid_query: 0-based offset of the mistake")
    expected: str | None = Field(None, description="invalid_query: what would be valid there")
    retry_after_seconds: float | None = Field(None, description="429: when to retry")


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route (or router) that answers these error statuses."""
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes}


def _security(path: str) -> list[dict[str, list[str]]] | None:
    if path.startswith("/api/papers"):
        return [{}, {BEARER_SCHEME: []}]  # public; a key that is sent must be valid
    if path.endswith("/feed.atom"):
        return [{}, {BEARER_SCHEME: []}, {SESSION_SCHEME: []}]  # or ?token=
    return None


def _error_response(code: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


def _operations(doc: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield path, operation


def build_openapi(app: FastAPI, settings: GatewaySettings) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    if "ErrorBody" not in schemas:  # routes that declare no error still answer 414
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(body.pop("$defs", {}))
        schemas["ErrorBody"] = body
    # The zones a schedule accepts, listed (a pattern cannot say which names exist).
    zones = sorted(time_zone_names())
    for name in ZONED_SCHEMAS:
        zone = schemas.get(name, {}).get("properties", {}).get("timezone")
        if zone is not None:
            zone.pop("pattern", None)
            zone["enum"] = zones
    schemes = components.setdefault("securitySchemes", {})
    schemes[SESSION_SCHEME] = {
        "type": "apiKey",
        "in": "cookie",
        "name": "ah_session",
        "description": "A browser signed in at /signin; unsafe methods also need X-CSRF-Token",
    }
    for path, operation in _operations(doc):
        responses = operation.setdefault("responses", {})
        responses.setdefault("414", _error_response(414))
        if "requestBody" in operation:
            responses.setdefault("400", _error_response(400))
            responses.setdefault("413", _error_response(413))
        declared = _security(path)
        if declared is not None:
            operation["security"] = declared
        elif operation.get("security"):
            operation["security"] = [{BEARER_SCHEME: []}, {SESSION_SCHEME: []}]
        for parameter in operation.get("parameters", ()):
            if parameter.get("in") == "query" and parameter.get("name") == "offset":
                parameter["schema"]["maximum"] = settings.max_offset
    return doc


def install_openapi(app: FastAPI, settings: GatewaySettings) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, settings)
        return app.openapi_schema

    # FastAPI's documented way to replace the document (mypy objects to assigning to a
    # method, hence setattr).
    setattr(app, "openapi", openapi)  # noqa: B010
