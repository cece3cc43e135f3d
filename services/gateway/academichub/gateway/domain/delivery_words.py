"""The pages' words for delivery (digest settings, webhooks, unsubscribing), zh and en;
merged into :data:`academichub.gateway.domain.i18n.MESSAGES`."""

from __future__ import annotations

from typing import Final

DELIVERY_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.digest": ("邮件摘要", "Email digest"),
    "digest.title": ("邮件摘要", "Email digest"),
    "digest.intro": (
        "把您所有雷达的新简报汇总成一封邮件，按您所在时区的时间发送到 {email}。",
        "All your radars' new briefings in one email, at your hour in your time zone, "
        "sent to {email}.",
    ),
    "digest.cadence": ("频率", "How often"),
    "digest.off": ("不发送", "Off"),
    "digest.daily": ("每天", "Daily"),
    "digest.weekly": ("每周", "Weekly"),
    "digest.hour": ("时刻（0–23 点）", "Hour (0–23)"),
    "digest.weekday": ("每周的哪一天", "Day of the week"),
    "digest.timezone": ("时区", "Time zone"),
    "digest.language": ("邮件语言", "Language of the email"),
    "digest.save": ("保存", "Save"),
    "digest.saved": ("已保存。", "Saved."),
    "digest.next": ("下一封摘要：{when}", "Next digest: {when}"),
    "digest.email_off": (
        "本站尚未配置邮件发送（SMTP），摘要暂不会发出。",
        "This site has no mail server configured yet: digests are not sent until it has.",
    ),
    "unsubscribe.title": ("退订邮件摘要", "Unsubscribe from the digest"),
    "unsubscribe.confirm": (
        "点击下面的按钮即可停止接收 {email} 的邮件摘要，无需登录。",
        "Press the button to stop the digest sent to {email}. No sign-in needed.",
    ),
    "unsubscribe.button": ("退订", "Unsubscribe"),
    "unsubscribe.done": (
        "已退订：{email} 不会再收到摘要。可随时在“邮件摘要”页面重新订阅。",
        "Done: {email} gets no more digests. You can turn them on again on the Email digest page.",
    ),
    "unsubscribe.invalid": (
        "这个退订链接无效或已损坏。",
        "This unsubscribe link is not valid (it may have been cut short).",
    ),
    "webhook.title": ("Webhook 推送", "Webhook"),
    "webhook.intro": (
        "每份新简报都会推送到这个地址"
        "（Slack、飞书/Lark、钉钉的群机器人，或任意接收 JSON 的服务）。",
        "Each new briefing is posted to this address (a Slack, Feishu/Lark or DingTalk "
        "group robot, or any service that takes JSON).",
    ),
    "webhook.url": ("Webhook 地址（https://）", "Webhook URL (https://)"),
    "webhook.format": ("消息格式", "Message format"),
    "webhook.secret": (
        "签名密钥（可选：飞书签名校验、钉钉加签、JSON 的 HMAC）",
        "Signing secret (optional: Feishu signature, DingTalk 加签, HMAC of JSON)",
    ),
    "webhook.current": ("当前：{url}（{format}）", "Now: {url} ({format})"),
    "webhook.none": ("尚未设置 webhook。", "No webhook yet."),
    "webhook.save": ("保存 webhook", "Save webhook"),
    "webhook.remove": ("移除 webhook", "Remove webhook"),
    "webhook.manage": ("推送设置", "Delivery settings"),
    "delivery.title": ("推送状态", "Delivery"),
    "delivery.none": ("还没有推送记录。", "Nothing delivered yet."),
    "delivery.channel.email": ("邮件摘要", "Email digest"),
    "delivery.channel.webhook": ("Webhook", "Webhook"),
    "delivery.state.sending": ("发送中", "sending"),
    "delivery.state.retrying": ("等待重试（{when}）", "will retry ({when})"),
    "delivery.state.sent": ("已送达", "delivered"),
    "delivery.state.failed": ("失败", "failed"),
    "delivery.state.empty": ("无新内容", "nothing new"),
    "delivery.line": (
        "{channel}：{state} · {when} · 第 {attempts} 次尝试",
        "{channel}: {state} · {when} · attempt {attempts}",
    ),
    "form.webhook_url": ("地址有误：{why}", "Not a usable address: {why}"),
}
