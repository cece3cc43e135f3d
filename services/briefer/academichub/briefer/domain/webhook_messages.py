"""A briefing as each webhook format wants it, and what each format's answer means.
Pure: no I/O; the time for signatures is given.

* ``json`` -- the briefing itself (its event JSON), its radar, its revision and links,
  with ``X-AcademicHub-Delivery`` (the delivery id, for receivers that drop repeats) and,
  with a secret, ``X-AcademicHub-Signature: t=<unix time>,sha256=<hex HMAC-SHA256 of
  "<t>." + body>``.
* ``slack`` -- an incoming-webhook message: ``text`` (the notification fallback) and
  Block Kit ``blocks`` (a header, sections in ``mrkdwn``, a context line). Text from
  papers is escaped (``&``, ``<``, ``>``), so it can neither link nor ping a channel;
  sections stay under Slack's 3,000 characters and headers under 150.
* ``feishu`` -- a Feishu/Lark custom bot's rich-text ``post`` (``zh_cn`` or ``en_us``):
  lines of ``text`` and ``a`` elements. Text elements are not markup, so nothing needs
  escaping. With a secret: ``timestamp`` (seconds) and ``sign`` = Base64 of the
  HMAC-SHA256 keyed by ``"<timestamp>\\n<secret>"`` of an empty message (签名校验).
  Success is ``"code": 0`` in the answer's body, even when the HTTP status is 200.
* ``dingtalk`` -- a DingTalk custom robot's ``markdown`` message (``title``, ``text``).
  Square brackets from papers become full-width, so a title cannot make a link. With a
  secret: ``timestamp`` (milliseconds) and ``sign`` = URL-encoded Base64 of the
  HMAC-SHA256 keyed by the secret of ``"<timestamp>\\n<secret>"`` as query parameters
  (加签). Success is ``"errcode": 0``.

A revision after the first is an upgrade of a briefing already sent: every format says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any, Final
from urllib.parse import quote_plus, urlsplit, urlunsplit

from academichub.briefer.domain.sending import Outcome, Reply, WebhookRequest
from academichub.briefer.domain.site_links import SiteLinks
from academichub.contracts import Briefing, Radar
from academichub.store.delivery import Webhook, WebhookFormat

SLACK_SECTION: Final = 2900
SLACK_HEADER: Final = 150
THEMES_SHOWN: Final = 5
# Answer codes of Feishu (frequency limited) and DingTalk (sending too fast) that a later
# attempt may get past; every other non-zero code is a refusal.
_FEISHU_RETRY: Final = frozenset({11232})
_DINGTALK_RETRY: Final = frozenset({130101})

_WORDS: Final = {
    "zh": {
        "briefing": "简报",
        "window": "第 {n} 期",
        "papers": "{n} 篇论文",
        "updated": "（已由模型改写）",
        "themes": "主题",
        "connections": "交叉联系",
        "open": "查看完整简报",
    },
    "en": {
        "briefing": "Briefing",
        "window": "window {n}",
        "papers": "{n} papers",
        "updated": " (rewritten by the model)",
        "themes": "Themes",
        "connections": "Cross-field connections",
        "open": "Open the briefing",
    },
}


def _words(briefing: Briefing) -> dict[str, str]:
    return _WORDS[briefing.language]


def title_of(briefing: Briefing, radar: Radar, revision: int) -> str:
    w = _words(briefing)
    updated = w["updated"] if revision > 1 else ""
    window = w["window"].format(n=briefing.window)
    papers = w["papers"].format(n=len(briefing.paper_ids))
    return f"{radar.name} · {w['briefing']} {window} · {papers}{updated}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_for(
    webhook: Webhook,
    briefing: Briefing,
    revision: int,
    radar: Radar,
    links: SiteLinks,
    delivery_id: str,
    now: float,
) -> WebhookRequest:
    """The HTTP request posting ``briefing`` to ``webhook`` (``now``: Unix time)."""
    build: Callable[..., dict[str, Any]] = _BODIES[webhook.format]
    payload = build(briefing, revision, radar, links, delivery_id)
    url = webhook.url
    headers = {"Content-Type": "application/json", "X-AcademicHub-Delivery": delivery_id}
    secret = webhook.secret
    if secret and webhook.format == "feishu":
        stamp = str(int(now))
        key = f"{stamp}\n{secret}".encode()
        sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        payload = {"timestamp": stamp, "sign": sign, **payload}
    elif secret and webhook.format == "dingtalk":
        stamp = str(int(now * 1000))
        mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
        sign = quote_plus(base64.b64encode(mac.digest()).decode())
        url = _with_query(url, f"timestamp={stamp}&sign={sign}")
    body = json.dumps(payload, ensure_ascii=False).encode()
    if secret and webhook.format == "json":
        stamp = str(int(now))
        mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        headers["X-AcademicHub-Signature"] = f"t={stamp},sha256={mac.hexdigest()}"
    return WebhookRequest(url, body, headers)


def judge(format: WebhookFormat, reply: Reply) -> Outcome:
    """What a receiver's answer means for the delivery."""
    if reply.status == 0:
        return Outcome("retry" if reply.retryable else "refused", reply.error)
    status = f"HTTP {reply.status}"
    if 300 <= reply.status < 400:
        return Outcome("refused", f"{status}: redirects are not followed; give the final URL")
    if reply.status == 429 or reply.status >= 500:
        return Outcome("retry", status, reply.retry_after)
    if reply.status >= 400:
        return Outcome("refused", f"{status}: {_excerpt(reply.body)}")
    if format in ("feishu", "dingtalk"):
        return _judge_code(format, reply, status)
    return Outcome("sent", status)


def _judge_code(format: WebhookFormat, reply: Reply, status: str) -> Outcome:
    try:
        answer = json.loads(reply.body)
    except ValueError:
        return Outcome("refused", f"{status}, not JSON: {_excerpt(reply.body)}")
    key, retry = ("code", _FEISHU_RETRY) if format == "feishu" else ("errcode", _DINGTALK_RETRY)
    code = answer.get(key) if isinstance(answer, dict) else None
    if code == 0 or (format == "feishu" and code is None and answer.get("StatusCode") == 0):
        return Outcome("sent", f"{status}, {key} 0")
    message = answer.get("msg") or answer.get("errmsg") if isinstance(answer, dict) else None
    detail = f"{status}, {key} {code}: {message or _excerpt(reply.body)}"
    return Outcome("retry" if code in retry else "refused", detail)


def _excerpt(body: bytes) -> str:
    return _cut(" ".join(body.decode("utf-8", "replace").split()), 200)


def _with_query(url: str, extra: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# --- bodies ----------------------------------------------------------------------------


def _json_body(
    briefing: Briefing, revision: int, radar: Radar, links: SiteLinks, delivery_id: str
) -> dict[str, Any]:
    return {
        "event": "briefing",
        "delivery_id": delivery_id,
        "revision": revision,
        "updated": revision > 1,
        "title": title_of(briefing, radar, revision),
        "url": links.briefing(briefing.id),
        "radar": {"id": radar.id, "name": radar.name, "url": links.radar(radar.id)},
        "briefing": briefing.model_dump(mode="json"),
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_body(
    briefing: Briefing, revision: int, radar: Radar, links: SiteLinks, delivery_id: str
) -> dict[str, Any]:
    w = _words(briefing)
    title = title_of(briefing, radar, revision)
    url = links.briefing(briefing.id)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, SLACK_HEADER)}},
        _slack_section(briefing.overview),
    ]
    themes = [
        f"• *{_slack_escape(t.title)}* — {_slack_escape(t.synthesis)}" for t in briefing.themes
    ]
    if themes:
        shown = "\n".join(themes[:THEMES_SHOWN])
        blocks.append(_slack_section(f"*{w['themes']}*\n{shown}", escaped=True))
    links_found = [f"• {_slack_escape(c.finding)}" for c in briefing.connections]
    if links_found:
        blocks.append(_slack_section(f"*{w['connections']}*\n" + "\n".join(links_found), True))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{url}|{w['open']}>"}]}
    )
    return {"text": f"{title}: {url}", "blocks": blocks}


def _slack_section(text: str, escaped: bool = False) -> dict[str, Any]:
    shown = text if escaped else _slack_escape(text)
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(shown, SLACK_SECTION)}}


def _feishu_body(
    briefing: Briefing, revision: int, radar: Radar, links: SiteLinks, delivery_id: str
) -> dict[str, Any]:
    w = _words(briefing)
    lines: list[list[dict[str, str]]] = [[{"tag": "text", "text": briefing.overview}]]
    for theme in briefing.themes[:THEMES_SHOWN]:
        lines.append([{"tag": "text", "text": f"• {theme.title}：{theme.synthesis}"}])
    for connection in briefing.connections:
        lines.append([{"tag": "text", "text": f"↔ {connection.finding}"}])
    lines.append([{"tag": "a", "text": w["open"], "href": links.briefing(briefing.id)}])
    locale = "zh_cn" if briefing.language == "zh" else "en_us"
    post = {locale: {"title": title_of(briefing, radar, revision), "content": lines}}
    return {"msg_type": "post", "content": {"post": post}}


def _dingtalk_safe(text: str) -> str:
    return text.replace("[", "［").replace("]", "］")


def _dingtalk_body(
    briefing: Briefing, revision: int, radar: Radar, links: SiteLinks, delivery_id: str
) -> dict[str, Any]:
    w = _words(briefing)
    title = _dingtalk_safe(title_of(briefing, radar, revision))
    parts: list[str] = [f"### {title}", _dingtalk_safe(briefing.overview)]
    themes: Sequence[str] = [
        f"- **{_dingtalk_safe(t.title)}**：{_dingtalk_safe(t.synthesis)}"
        for t in briefing.themes[:THEMES_SHOWN]
    ]
    if themes:
        parts.append(f"#### {w['themes']}\n" + "\n".join(themes))
    if briefing.connections:
        found = "\n".join(f"- {_dingtalk_safe(c.finding)}" for c in briefing.connections)
        parts.append(f"#### {w['connections']}\n{found}")
    parts.append(f"[{w['open']}]({links.briefing(briefing.id)})")
    return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n\n".join(parts)}}


_BODIES: Final[dict[str, Callable[..., dict[str, Any]]]] = {
    "json": _json_body,
    "slack": _slack_body,
    "feishu": _feishu_body,
    "dingtalk": _dingtalk_body,
}
