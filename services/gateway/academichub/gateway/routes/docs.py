"""``/docs``: the OpenAPI explorer, served from vendored Swagger UI under the strict CSP,
with a bar that leads back to the site and a layout that reads on a phone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from academichub.gateway.domain.i18n import Translator
from academichub.gateway.web import language

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="{html_lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>AcademicHub · API</title>
  <link rel="icon" href="/favicon.ico" sizes="any">
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
  <link rel="stylesheet" href="/static/docs.css">
</head>
<body>
  <header class="docs-bar" id="docs-bar">
    <a href="/" id="docs-home">← {home}</a>
    <a href="/radars">{radars}</a>
    <a href="/sources">{sources}</a>
  </header>
  <div id="swagger-ui" data-openapi-url="/openapi.json"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    lang = language(request)
    t = Translator(lang)
    return HTMLResponse(
        _PAGE.format(
            html_lang="zh-CN" if lang == "zh" else "en",
            home=t("docs.back"),
            radars=t("nav.radars"),
            sources=t("nav.sources"),
        )
    )
