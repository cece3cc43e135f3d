"""Security headers on every response, and pages that carry no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from academichub.gateway.app import PACKAGE_DIR
from tests.unit.gateway.harness import Gateway, sign_in


@pytest.mark.parametrize("path", ["/", "/sources", "/signin", "/api/papers", "/nowhere", "/docs"])
def test_every_response_carries_the_security_headers(gateway: Gateway, path: str) -> None:
    response = gateway.client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_not_sniffed(gateway: Gateway) -> None:
    response = gateway.client.get("/static/app.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" not in response.headers


def _inline_violations(html: str) -> list[str]:
    problems = [m.group(0) for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", html)]
    problems += re.findall(r"\s(on[a-z]+)=", html)
    problems += re.findall(r"\sstyle=", html)
    problems += re.findall(r"(?:src|href)=\"(?:https?:)?//", html)  # nothing from elsewhere
    return problems


def test_templates_hold_no_inline_script_handlers_styles_or_foreign_assets() -> None:
    for template in sorted((PACKAGE_DIR / "templates").glob("*.html")):
        assert _inline_violations(template.read_text()) == [], template.name


def test_rendered_pages_hold_no_inline_script(gateway: Gateway) -> None:
    radar = gateway.client.post("/api/radars", json={"name": "n", "query": "q"}).json()["id"]
    browser = sign_in(gateway, gateway.ada_key)
    for path in ("/", "/sources", "/radars", f"/radars/{radar}", "/docs"):
        html = browser.get(path).text
        assert _inline_violations(html) == [], path


def test_katex_and_swagger_are_served_from_here(gateway: Gateway) -> None:
    for asset in (
        "vendor/katex/katex.min.js",
        "vendor/katex/katex.min.css",
        "vendor/katex/contrib/auto-render.min.js",
        "vendor/katex/fonts/KaTeX_Main-Regular.woff2",
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "docs.js",
    ):
        assert gateway.client.get(f"/static/{asset}").status_code == 200, asset
    css = (Path(PACKAGE_DIR) / "static/vendor/katex/katex.min.css").read_text()
    for font in set(re.findall(r"fonts/(KaTeX_[\w-]+\.woff2)", css)):
        assert (Path(PACKAGE_DIR) / "static/vendor/katex/fonts" / font).exists(), font
