"""The words of the web pages in Chinese (the default, like the original site) and English.

One catalogue, one entry per message with both languages, so a message cannot exist in
one language only (a test reads every ``t("…")`` in the templates and checks it is here).
Feed text is never translated: only our own words are.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # masthead and navigation
    # The brand stays as the original site has it, in both languages.
    "site.title": (
        "Academic Intelligence · Curated Daily",
        "Academic Intelligence · Curated Daily",
    ),
    "site.tagline": ("探索全球前沿学术脉络", "Exploring the frontiers of global research"),
    "nav.home": ("每日论文", "Daily papers"),
    "nav.radars": ("科研雷达", "Research radars"),
    "nav.sources": ("数据源", "Sources"),
    "nav.docs": ("API 文档", "API docs"),
    "nav.signin": ("登录", "Sign in"),
    "nav.signout": ("退出", "Sign out"),
    "nav.switch": ("English", "中文"),
    "nav.signed_in_as": ("当前用户：{name}", "Signed in as {name}"),
    # home
    "home.search": ("搜索", "Search"),
    "home.placeholder": (
        '搜索：例如 "quantum error correction" AND cat:quant-ph',
        'Search: e.g. "quantum error correction" AND cat:quant-ph',
    ),
    "home.query_error": ("查询语法错误", "Query error"),
    "home.expected": ("此处应为：{expected}", "Expected here: {expected}"),
    "home.found": ("找到 {total} 篇论文", "{total} papers match"),
    "home.total": ("共 {total} 篇论文，最新在前", "{total} papers, newest first"),
    "home.none_match": ("没有匹配的论文。", "No papers match this query."),
    "home.empty": (
        "暂无论文：采集服务尚未存入任何论文。",
        "No papers yet: the ingestor has not stored any.",
    ),
    "home.filters": ("筛选", "Filters"),
    "home.sources": ("来源", "Sources"),
    "home.categories": ("分类", "Categories"),
    "home.all": ("全部", "All"),
    "home.clear": ("清除筛选", "Clear filters"),
    "home.prev": ("← 上一页", "← Previous"),
    "home.next": ("下一页 →", "Next →"),
    "home.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    # papers
    "paper.authors": ("作者", "Authors"),
    "paper.versions": ("版本", "Versions"),
    "paper.links": ("链接", "Links"),
    "paper.abstract_page": ("摘要页", "Abstract page"),
    "paper.pdf": ("PDF", "PDF"),
    "paper.doi": ("DOI", "DOI"),
    "paper.journal": ("期刊", "Journal"),
    # sign in
    "signin.title": ("使用 API 密钥登录", "Sign in with your API key"),
    "signin.help": (
        "管理员用 academichub users create 为你创建账号，密钥只显示一次。",
        "An admin creates your account with academichub users create; the key is shown once.",
    ),
    "signin.key": ("API 密钥", "API key"),
    "signin.submit": ("登录", "Sign in"),
    "signin.failed": ("密钥无效或已吊销。", "That key is unknown or revoked."),
    # radars
    "radars.title": ("我的科研雷达", "My research radars"),
    "radars.none": ("还没有雷达：在下方创建第一个。", "No radars yet: create your first below."),
    "radars.create": ("新建雷达", "New radar"),
    "radars.name": ("名称", "Name"),
    "radars.query": ("查询", "Query"),
    "radars.language": ("简报语言", "Briefing language"),
    "radars.save": ("保存", "Save"),
    "radars.owner": ("所有者", "Owner"),
    "radars.revision": ("修订 {revision}", "Revision {revision}"),
    "radars.preview": (
        "预览：过去 30 天每天会命中多少篇",
        "Preview: papers caught per day, last 30 days",
    ),
    "radars.preview_total": ("共 {total} 篇", "{total} papers in all"),
    "radars.preview_idle": ("输入查询即可预览。", "Type a query to preview it."),
    "radars.edit": ("编辑雷达", "Edit radar"),
    "radars.delete": ("删除雷达", "Delete radar"),
    "radars.matches": ("命中论文", "Matches"),
    "radars.no_matches": (
        "暂无命中：匹配服务会在新论文到达时加入。",
        "No matches yet: the matcher adds them as papers arrive.",
    ),
    "radars.why": ("命中词", "Why"),
    "radars.briefings": ("简报", "Briefings"),
    "radars.no_briefings": ("暂无简报。", "No briefings yet."),
    "radars.briefing_window": ("第 {window} 期", "Issue {window}"),
    "radars.feed": ("订阅与导出", "Feed and export"),
    "radars.feed_issue": ("生成 Atom 订阅链接", "Create an Atom feed link"),
    "radars.feed_revoke": ("吊销订阅链接", "Revoke the feed link"),
    "radars.feed_active": (
        "已有订阅链接（为安全起见只显示一次）。",
        "A feed link exists (shown only once, for safety).",
    ),
    "radars.feed_new": ("新订阅链接：", "New feed link:"),
    "radars.export": ("导出 BibTeX", "Export BibTeX"),
    "radars.up": ("有用", "Useful"),
    "radars.down": ("无关", "Not relevant"),
    "radars.unannounced": (
        "已保存，但未能通知匹配服务；它会在下次重新加载时读取。",
        "Saved, but the matcher could not be told; it picks the change up when it reloads.",
    ),
    # briefings
    "briefing.overview": ("概述", "Overview"),
    "briefing.themes": ("主题", "Themes"),
    "briefing.connections": ("跨领域关联", "Cross-domain connections"),
    "briefing.notable": ("值得关注", "Notable papers"),
    "briefing.tldrs": ("一句话总结", "In one sentence"),
    "briefing.papers": ("本期论文", "Papers in this issue"),
    "briefing.omitted": ("因篇幅省略", "Left out for length"),
    "briefing.degraded": ("简报降级生成：{reason}", "Briefing made in degraded mode: {reason}"),
    "briefing.back": ("返回雷达", "Back to the radar"),
    # sources
    "sources.title": ("数据源新鲜度", "Source freshness"),
    "sources.name": ("来源", "Source"),
    "sources.status": ("状态", "Status"),
    "sources.announce_date": ("最近公告日", "Last announce date"),
    "sources.papers": ("论文数", "Papers"),
    "sources.newest": ("最新论文日期", "Newest paper"),
    "sources.etag": ("条件请求", "Conditional polls"),
    "sources.fresh": ("最新", "Fresh"),
    "sources.behind": ("落后", "Behind"),
    "sources.unknown": ("未知", "Unknown"),
    "sources.missed": ("错过 {n} 次公告", "{n} announcements missed"),
    "sources.next": (
        "arXiv 下一次公告：{when}（美东时间 20:00），列表日期 {day}",
        "Next arXiv announcement: {when} (20:00 US Eastern), listing of {day}",
    ),
    "sources.latest": ("最近一次公告：列表日期 {day}", "Latest announcement: listing of {day}"),
    "sources.calendar": (
        "arXiv 周日至周四晚公告，周五、周六及节假日不公告。",
        "arXiv announces Sunday to Thursday evenings; none on Fridays, Saturdays or holidays.",
    ),
    "sources.last_success": ("最近成功抓取", "Last success"),
    "sources.items": ("上次条目数", "Items last poll"),
    "sources.next_poll": ("下次抓取", "Next poll"),
    "sources.last_error": ("最近错误", "Last error"),
    "sources.stale": ("订阅源停滞，已通过 API 补齐", "feed stale, recovered via the API"),
    "sources.yes": ("是", "yes"),
    "sources.no": ("否", "no"),
    # errors
    "error.title": ("出错了", "Something went wrong"),
    "error.home": ("回到首页", "Back to the home page"),
}


class Translator:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._column = LANGUAGES.index(lang)

    def __call__(self, key: str, **values: object) -> str:
        """The message in this language, ``{name}`` placeholders filled (values are
        escaped by the template, since the result is not marked safe)."""
        return MESSAGES[key][self._column].format(**values)


def pick_language(value: str | None) -> Lang:
    return "en" if value == "en" else DEFAULT_LANG
