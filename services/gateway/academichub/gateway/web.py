"""Rendering pages: the template context every page shares (language, viewer, CSRF).

Templates autoescape everything (see :func:`academichub.gateway.app.create_app`); the
only HTML built in Python is :func:`academichub.gateway.presentation.marked_html`, which
escapes first.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from academichub.gateway.i18n import Lang, Translator, pick_language
from academichub.gateway.principal import Principal

LANG_COOKIE: Final = "ah_lang"


def language(request: Request) -> Lang:
    return pick_language(request.cookies.get(LANG_COOKIE))


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


def render_error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(
        request, "error.html", {"status": status, "message": message}, viewer=None, status=status
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to: never another site (``//evil``, ``https://…``, ``\\``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
