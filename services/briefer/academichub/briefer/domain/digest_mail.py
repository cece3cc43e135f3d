"""A user's digest as an email: every new briefing of their radars in one message.

Pure (the standard library's :mod:`email` builds the message; Jinja2 renders it): the
delivery loop gives the briefings, their radars and the links. The message is
``multipart/alternative``: plain text first, then HTML, both UTF-8. Everything that
came from a feed (titles, overviews, themes) is untrusted: the HTML template escapes
every value (autoescape), and no header carries it. The chrome is in the user's language;
each briefing is in its radar's. It carries a stable ``Message-ID`` (every attempt of one
digest has the same), ``List-Unsubscribe`` with ``List-Unsubscribe-Post`` (RFC 8058
one-click unsubscribe, which mail clients show as a button) and ``Auto-Submitted``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import jinja2

from academichub.briefer.domain.site_links import SiteLinks
from academichub.contracts import Briefing, Radar
from academichub.store.delivery import DigestPreference, message_id

THEMES_SHOWN: Final = 4
# The briefer's templates folder, beside the domain package.
_TEMPLATES: Final = Path(__file__).parent.parent / "templates"

WORDS: Final = {
    "zh": {
        "daily": "每日",
        "weekly": "每周",
        "subject": "AcademicHub {cadence}简报：{n} 份新简报（{date}）",
        "intro": "{name}，您好！以下是您的科研雷达自上次摘要以来的 {n} 份新简报。",
        "window": "第 {n} 期",
        "papers": "{n} 篇论文",
        "themes": "主题",
        "connections": "交叉联系",
        "open": "查看完整简报",
        "radar": "打开雷达",
        "more": "另有 {n} 份简报未在此列出，请在网站上查看。",
        "why": "您收到这封邮件，是因为您在 AcademicHub 订阅了{cadence}摘要。",
        "settings": "更改摘要设置",
        "unsubscribe": "退订摘要",
    },
    "en": {
        "daily": "daily",
        "weekly": "weekly",
        "subject": "AcademicHub {cadence} digest: {n} new briefings ({date})",
        "intro": "Hello {name}, here are the {n} new briefings of your research radars "
        "since your last digest.",
        "window": "window {n}",
        "papers": "{n} papers",
        "themes": "Themes",
        "connections": "Cross-field connections",
        "open": "Open the briefing",
        "radar": "Open the radar",
        "more": "{n} more briefings are not listed here; read them on the site.",
        "why": "You receive this because you subscribed to the {cadence} digest on AcademicHub.",
        "settings": "Change digest settings",
        "unsubscribe": "Unsubscribe",
    },
}


@dataclass(frozen=True)
class DigestContent:
    """What one digest carries: its briefings (newest first) and their radars."""

    briefings: Sequence[Briefing]
    radars: dict[str, Radar]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        # The HTML is escaped always; the text part is plain text, never markup.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_ENV: Final = _environment()


def compose_digest(
    *,
    preference: DigestPreference,
    name: str,
    content: DigestContent,
    period_end: dt.datetime,
    links: SiteLinks,
    unsubscribe_url: str,
    mail_from: str,
    delivery_id: str,
    shown: int,
) -> EmailMessage:
    """The digest message; ``shown`` bounds the briefings written out (the rest are
    counted and left to the site)."""
    words = WORDS[preference.language]
    cadence = words[preference.cadence] if preference.cadence != "off" else ""
    zone = ZoneInfo(preference.timezone)
    local_end = period_end.astimezone(zone)
    count = len(content.briefings)
    listed = list(content.briefings[:shown])
    context: dict[str, Any] = {
        "w": words,
        "intro": words["intro"].format(name=name, n=count),
        "groups": _groups(listed, content.radars, links, zone),
        "more": words["more"].format(n=count - len(listed)) if count > len(listed) else "",
        "why": words["why"].format(cadence=cadence),
        "settings_url": links.digest_settings(),
        "unsubscribe_url": unsubscribe_url,
        "lang": "zh-CN" if preference.language == "zh" else "en",
    }
    message = EmailMessage()
    message["Subject"] = words["subject"].format(
        cadence=cadence, n=count, date=local_end.date().isoformat()
    )
    message["From"] = mail_from
    message["To"] = preference.email
    message["Date"] = email.utils.format_datetime(period_end.astimezone(dt.UTC))
    message["Message-ID"] = message_id(delivery_id, mail_from.rpartition("@")[2])
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["X-AcademicHub-Delivery"] = delivery_id
    message.set_content(_ENV.get_template("digest.txt").render(context), charset="utf-8")
    message.add_alternative(
        _ENV.get_template("digest.html").render(context), subtype="html", charset="utf-8"
    )
    return message


def _groups(
    briefings: Sequence[Briefing], radars: dict[str, Radar], links: SiteLinks, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Briefings grouped by radar, radars in the order of their newest briefing."""
    groups: dict[str, dict[str, Any]] = {}
    for b in briefings:
        radar = radars.get(b.radar_id)
        group = groups.setdefault(
            b.radar_id,
            {
                "name": radar.name if radar else b.radar_id,
                "url": links.radar(b.radar_id),
                "briefings": [],
            },
        )
        w = WORDS[b.language]
        group["briefings"].append(
            {
                "heading": f"{w['window'].format(n=b.window)} · "
                f"{b.window_closed_at.astimezone(zone).date().isoformat()} · "
                f"{w['papers'].format(n=len(b.paper_ids))}",
                "overview": b.overview,
                "themes": [(t.title, t.synthesis) for t in b.themes[:THEMES_SHOWN]],
                "connections": [c.finding for c in b.connections],
                "url": links.briefing(b.id),
                "w": w,
                "lang": "zh-CN" if b.language == "zh" else "en",
            }
        )
    return list(groups.values())
