"""Rendering pages: the template context every page shares (language, viewer, CSRF).

Templates autoescape everything (see :func:`academichub.gateway.app.create_app`); the
only HTML built in Python is :func:`academichub.gateway.domain.presentation.marked_html`, which
escapes first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from academichub.gateway.domain.i18n import Lang, Translator, pick_language
from academichub.gateway.domain.principal import Principal
from academichub.gateway.domain.query_text import LocatedQueryError, query_error_message
from academichub.gateway.problems import Problem, describe_all, field_label
from academichub.radar.parser import QuerySyntaxError

LANG_COOKIE: Final = "ah_lang"


def language(request: Request) -> Lang:
    return pick_language(request.cookies.get(LANG_COOKIE))


def _weights(accept: str) -> dict[str, float]:
    """``text/html,*/*;q=0.8`` → ``{"text/html": 1.0, "*/*": 0.8}``."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            weights[media.lower()] = quality
    return weights


def wants_html(headers: Mapping[str, str]) -> bool:
    """The client prefers an HTML page to JSON (a browser navigating, not a script)."""
    weights = _weights(headers.get("accept", ""))
    html = weights.get("text/html", 0.0)
    json = weights.get("application/json", weights.get("*/*", 0.0) if html == 0.0 else 0.0)
    return html > 0.0 and html >= json


def requested_language(headers: Mapping[str, str]) -> Lang | None:
    """The language Accept-Language puts first among ours, or None if it names neither."""
    ranked = sorted(_weights(headers.get("accept-language", "")).items(), key=lambda kv: -kv[1])
    for tag, quality in ranked:
        if quality <= 0:
            continue
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return None


def here(request: Request) -> str:
    """This page as a relative link (behind a TLS proxy an absolute http:// would be wrong)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def render(
    request: Request,
    template: str,
    values: dict[str, Any],
    *,
    viewer: Principal | None,
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    shared = {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": Translator(lang),
        "viewer": viewer,
        "csrf": viewer.session.csrf_token if viewer and viewer.session else "",
        "here": here(request),
    }
    templates = request.app.state.context.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**shared, **values}, status_code=status
    )
    return response


def render_error_page(
    request: Request,
    status: int,
    *,
    problems: Sequence[Problem] = (),
    query_error: QuerySyntaxError | None = None,
    **values: Any,
) -> HTMLResponse:
    """The error page in the viewer's language: a headline for ``status``, then what was
    wrong — each bad input named, or the sentence for the status filled with ``values``
    (``limit`` for 413, ``size``/``limit`` for 414, ``seconds`` for 429, ``allow`` for
    405)."""
    t = Translator(language(request))
    lines = describe_all(problems, t)
    if query_error is not None:
        message = query_error_message(query_error, t.lang)
        if isinstance(query_error, LocatedQueryError):
            message = t("problem.line", field=field_label(query_error.field, t), wanted=message)
        lines.append(message)
    if not lines:
        lines.append(
            t.status_sentence(status, path=request.url.path, method=request.method, **values)
        )
    return render(
        request,
        "error.html",
        {"status": status, "headline": t.status_headline(status), "lines": lines},
        viewer=None,
        status=status,
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to: never another site (``//evil``, ``https://…``, ``\\``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
