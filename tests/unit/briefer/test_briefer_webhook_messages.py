"""Webhook message formats, their signatures and answers; webhook address rules;
unsubscribe tokens; digest periods."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from academichub.briefer.domain.digest_periods import carried_since, due_close, latest_close
from academichub.briefer.domain.sending import Reply
from academichub.briefer.domain.site_links import SiteLinks
from academichub.briefer.domain.webhook_messages import judge, request_for
from academichub.briefer.http_webhooks import retry_after_seconds
from academichub.contracts import Briefing, BriefingSchedule, Connection, Theme
from academichub.delivery.addresses import check_webhook_url, refusal
from academichub.delivery.unsubscribe import unsubscribe_token, unsubscribed_user
from academichub.store.delivery import Webhook
from tests.unit.briefer.briefer_samples import T0, pid, radar

LINKS = SiteLinks("https://hub.example.org")
NOW = 1_781_000_000.5
HOSTILE = "<!channel> <https://evil.example|click> & [link](https://evil.example)"
BRIEFING = Briefing(
    id="r1.w3",
    radar_id="r1",
    window=3,
    language="zh",
    provider="extractive",
    overview=HOSTILE,
    themes=(Theme(title="表面码", synthesis="We show codes.", paper_ids=(pid(1),)),),
    connections=(Connection(finding="A link", fields=("quant-ph", "cs"), paper_ids=(pid(1),)),),
    paper_ids=(pid(1),),
    window_opened_at=T0,
    window_closed_at=T0,
    created_at=T0,
)


def hook(fmt: str, secret: str | None = None, url: str = "https://hooks.example.org/x") -> Webhook:
    return Webhook.model_validate(
        {"radar_id": "r1", "url": url, "format": fmt, "secret": secret, "updated_at": T0}
    )


def body(fmt: str, secret: str | None = None, revision: int = 1) -> tuple[dict[str, object], str]:
    request = request_for(
        hook(fmt, secret), BRIEFING, revision, radar(), LINKS, "webhook:r1.w3:r1", NOW
    )
    assert request.headers["X-AcademicHub-Delivery"] == "webhook:r1.w3:r1"
    return json.loads(request.body), request.url


def test_slack_text_cannot_link_or_ping() -> None:
    payload, _ = body("slack")
    sections = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;" in sections
    assert "<!channel>" not in sections
    assert "<https://hub.example.org/briefings/r1.w3|" in sections  # our own link only
    assert payload["blocks"][0]["type"] == "header"  # type: ignore[index]
    assert str(payload["text"]).endswith("https://hub.example.org/briefings/r1.w3")


def test_feishu_post_and_its_signature() -> None:
    payload, _ = body("feishu", secret="s3cret")
    post = payload["content"]["post"]["zh_cn"]  # type: ignore[index]
    assert post["title"].startswith("Error correction · 简报 第 3 期")
    assert post["content"][0] == [{"tag": "text", "text": HOSTILE}]
    assert post["content"][-1][0]["tag"] == "a"
    stamp = str(int(NOW))
    expected = base64.b64encode(
        hmac.new(f"{stamp}\ns3cret".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert (payload["timestamp"], payload["sign"]) == (stamp, expected)


def test_dingtalk_markdown_and_its_signed_url() -> None:
    payload, url = body("dingtalk", secret="SECabc")
    text = payload["markdown"]["text"]  # type: ignore[index]
    assert "[link](https://evil.example)" not in text  # brackets made full-width
    assert "［link］(https://evil.example)" in text
    query = parse_qs(urlsplit(url).query)
    stamp = query["timestamp"][0]
    assert stamp == str(int(NOW * 1000))
    mac = hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert unquote_plus(query["sign"][0]) == base64.b64encode(mac).decode()


def test_generic_json_carries_the_briefing_and_an_hmac() -> None:
    request = request_for(hook("json", "k"), BRIEFING, 2, radar(), LINKS, "webhook:r1.w3:r2", NOW)
    payload = json.loads(request.body)
    assert payload["briefing"] == BRIEFING.model_dump(mode="json")
    assert (payload["revision"], payload["updated"]) == (2, True)
    stamp = str(int(NOW))
    mac = hmac.new(b"k", stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-AcademicHub-Signature"] == f"t={stamp},sha256={mac}"


@pytest.mark.parametrize(
    ("fmt", "reply", "kind"),
    [
        ("json", Reply(204), "sent"),
        ("slack", Reply(429, retry_after=7), "retry"),
        ("slack", Reply(503), "retry"),
        ("slack", Reply(404, b"no_service"), "refused"),
        ("json", Reply(301), "refused"),
        ("json", Reply(0, error="timed out"), "retry"),
        ("json", Reply(0, error="10.0.0.1 is private", retryable=False), "refused"),
        ("feishu", Reply(200, b'{"code":0,"msg":"success"}'), "sent"),
        ("feishu", Reply(200, b'{"code":19021,"msg":"sign match fail"}'), "refused"),
        ("feishu", Reply(200, b'{"code":11232,"msg":"frequency limited"}'), "retry"),
        ("dingtalk", Reply(200, b'{"errcode":0,"errmsg":"ok"}'), "sent"),
        ("dingtalk", Reply(200, b'{"errcode":310000,"errmsg":"sign not match"}'), "refused"),
        ("dingtalk", Reply(200, b'{"errcode":130101,"errmsg":"send too fast"}'), "retry"),
        ("dingtalk", Reply(200, b"<html>"), "refused"),
    ],
)
def test_answers_are_judged_by_format(fmt: str, reply: Reply, kind: str) -> None:
    outcome = judge(fmt, reply)  # type: ignore[arg-type]
    assert outcome.kind == kind, outcome
    if reply.retry_after:
        assert outcome.retry_after == reply.retry_after


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Fri, 12 Jun 2026 08:01:30 GMT", now) == 90
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("10.1.2.3", "not a public"),
        ("172.16.0.1", "not a public"),
        ("192.168.1.1", "not a public"),
        ("100.64.0.1", "not a public"),
        ("169.254.169.254", "not a public"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.1", "not a public"),
        ("2002:0a00:0001::1", "not a public"),  # 6to4 of 10.0.0.1
        ("fc00::1", "not a public"),
        ("224.0.0.1", "not a public"),
        ("0.0.0.0", "not a public"),
    ],
)
def test_only_public_addresses_may_be_reached(address: str, why: str | None) -> None:
    found = refusal(ipaddress.ip_address(address), allow_loopback=False)
    assert (found is None) if why is None else (found is not None and why in found)


def test_loopback_only_when_allowed() -> None:
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) is not None
    assert check_webhook_url("http://127.0.0.1:8080/hook", allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "needs a URL"),
        ("ftp://example.org/x", "https://"),
        ("http://hooks.slack.com/x", "https://"),
        ("https://user:pw@example.org/x", "user name or password"),
        ("https://10.0.0.1/x", "not a public"),
        ("https://[::1]/x", "loopback"),
        ("https://localhost/x", "this machine"),
        ("http://127.0.0.1:8080/x", "https://"),
        ("https://example.org:99999/x", "not a URL"),
        ("https://example.org/" + "a" * 2000, "longer than"),
    ],
)
def test_webhook_urls_are_checked(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_webhook_url(url, allow_loopback=False)


def test_unsubscribe_tokens_name_their_user_only_with_our_key() -> None:
    key = b"k" * 32
    token = unsubscribe_token(key, "u_123")
    assert unsubscribed_user(key, token) == "u_123"
    assert unsubscribed_user(b"x" * 32, token) is None
    head, _, tail = token.partition(".")
    forged = unsubscribe_token(key, "u_999").partition(".")[0] + "." + tail
    assert unsubscribed_user(key, forged) is None
    assert unsubscribed_user(key, "garbage") is None
    assert unsubscribed_user(key, head + ".!!!") is None


def test_digest_periods_follow_the_wall_clock_of_the_zone() -> None:
    daily = BriefingSchedule(kind="daily", hour=7, timezone="Europe/Berlin")
    # The night of 29 March 2026 loses an hour in Berlin: 07:00 is 05:00 UTC after it.
    before = dt.datetime(2026, 3, 28, 6, 0, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 29, 5, 30, tzinfo=dt.UTC)
    assert latest_close(daily, before) == dt.datetime(2026, 3, 28, 6, 0, tzinfo=dt.UTC)
    assert latest_close(daily, after) == dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)
    weekly = BriefingSchedule(kind="weekly", hour=9, weekday=4, timezone="UTC")
    friday = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)  # a Friday
    assert latest_close(weekly, friday + dt.timedelta(days=6)) == friday
    assert due_close(weekly, friday - dt.timedelta(days=1), friday) == friday
    assert due_close(weekly, friday, friday + dt.timedelta(days=1)) is None
    assert carried_since(weekly, friday + dt.timedelta(days=2)) == friday
