"""The words of the web pages in Chinese (the default, like the original site) and English.

One catalogue, one entry per message with both languages, so a message cannot exist in
one language only (a test reads every ``t("…")`` in the templates and checks it is here).
Feed text is never translated: only our own words are.
"""

from __future__ import annotations

from typing import Final, Literal

from academichub.gateway.domain.delivery_words import DELIVERY_MESSAGES

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
    "site.blurb": (
        "AcademicHub 汇聚顶级期刊与预印本平台的实时文献。定制您的专属科研雷达，"
        "利用大语言模型自动生成交叉领域文献分析简报。",
        "AcademicHub gathers the latest papers from leading journals and preprint servers "
        "as they appear. Set up your own research radar, and let a large language model "
        "write cross-disciplinary literature briefings for you.",
    ),
    "nav.home": ("每日论文", "Daily papers"),
    "nav.radars": ("科研雷达", "Research radars"),
    "nav.sources": ("数据源", "Sources"),
    "nav.docs": ("API 文档", "API docs"),
    "docs.back": ("返回 AcademicHub", "Back to AcademicHub"),
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
    "home.found": ("找到 {total} 篇论文", "{total} papers match"),
    "home.total": ("共 {total} 篇论文，最新在前", "{total} papers, newest first"),
    "home.none_match": ("没有匹配的论文。", "No papers match this query."),
    "home.empty": (
        "暂无论文：采集服务尚未存入任何论文。",
        "No papers yet: the ingestor has not stored any.",
    ),
    "home.filters": ("筛选", "Filters"),
    "home.dates": ("按日期筛选", "Filter by date"),
    "home.too_deep": (
        "结果太多，只能翻到第 {pages} 页；请缩小查询或日期范围。",
        "Results are paged only to page {pages}; narrow the query or the dates.",
    ),
    "hint.cjk": (
        "收录的论文标题和摘要都是英文，中文关键词无法匹配：请改用英文，例如把“量子纠错”写成 "
        '"quantum error correction"。',
        "Titles and abstracts are in English, so Chinese words match nothing: search in "
        'English, e.g. "quantum error correction".',
    ),
    "hint.stop_words": (
        "查询只有 the、of、and 这类常见虚词，几乎每篇论文都有，请加入有实义的关键词。",
        "The query holds only words like the, of, and, which nearly every paper has: add "
        "words that carry meaning.",
    ),
    "hint.dates": (
        "{start} 至 {end} 之间没有论文；库中最新的论文发布于 {newest}。",
        "No papers between {start} and {end}; the newest stored paper is from {newest}.",
    ),
    "hint.clear_dates": ("去掉日期范围", "Remove the dates"),
    "hint.filters": (
        "所选的来源或分类下没有命中。",
        "Nothing matches within the chosen sources or categories.",
    ),
    "hint.broaden": (
        "可以试试：用 OR 连接同义词（qubit OR qubits）、用前缀（quant*）、或减少关键词。",
        "Try: join synonyms with OR (qubit OR qubits), a prefix (quant*), or fewer words.",
    ),
    "home.sources": ("来源", "Sources"),
    "home.categories": ("分类", "Categories"),
    "home.all": ("全部", "All"),
    "home.clear": ("清除筛选", "Clear filters"),
    "home.prev": ("← 上一页", "← Previous"),
    "home.next": ("下一页 →", "Next →"),
    "home.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "home.beyond": (
        "第 {page} 页超出范围：结果只有 {pages} 页。",
        "There is no page {page}: the results have {pages} pages.",
    ),
    "home.last_page": ("前往最后一页（第 {pages} 页）", "Go to the last page ({pages})"),
    # papers
    "paper.authors": ("作者", "Authors"),
    "paper.et_al": ("等", "et al."),
    "paper.versions": ("版本", "Versions"),
    "paper.similar": ("相似论文", "Similar papers"),
    "paper.similarity": ("相似度 {value}", "similarity {value}"),
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
    "radars.semantic": ("按语义", "By meaning"),
    "radars.seeds": ("种子论文", "Seed papers"),
    "radars.seeds_help": (
        "每行一个：论文 id、arXiv 编号、DOI 或链接；也可粘贴 Zotero 导出的 BibTeX 或 RIS。",
        "One a line: paper ids, arXiv ids, DOIs or links; or paste a BibTeX or RIS export "
        "from Zotero.",
    ),
    "radars.interest": ("兴趣描述", "Described interest"),
    "radars.interest_help": (
        "用一两句话描述你关注的方向（英文效果最好）。",
        "Say in a sentence or two what you follow (English works best).",
    ),
    "radars.per_day": ("大约每天几篇", "About how many papers a day"),
    "radars.meaning_line": (
        "按语义匹配：约每天 {per_day} 篇",
        "Matched by meaning: about {per_day} a day",
    ),
    "radars.threshold": ("阈值 {value}", "threshold {value}"),
    "radars.no_threshold": ("论文还不够多：暂时全部命中", "too few papers yet: all match for now"),
    "radars.ranked_by": ("已按你的 {n} 次评价排序", "Ranked by your {n} ratings"),
    "radars.learning_reset": ("重置学习", "Reset what it learned"),
    "radars.nearest": (
        "最接近的种子：{paper}（相似度 {value}）",
        "nearest seed: {paper} (similarity {value})",
    ),
    "radars.score_similarity": ("相似度 {value}", "similarity {value}"),
    "radars.score_learned": ("匹配概率 {value}", "chance of a 👍 {value}"),
    "radars.backfill_running": (
        "正在检索最近 {days} 天的论文，几秒后即可看到命中……",
        "Looking through the papers of the last {days} days; matches appear in a few seconds…",
    ),
    "radars.backfill_done": (
        "保存时已检索 {first} 至 {last} 的论文：命中 {papers} 篇；新论文到达时继续加入。",
        "When saved, the papers of {first} to {last} were searched: {papers} matched; "
        "new papers are added as they arrive.",
    ),
    "radars.found_on_creation": ("保存时找到", "found on saving"),
    "radars.new_match": ("新", "new"),
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
    "radars.counter": ("{n} / {limit} 字符", "{n} / {limit} characters"),
    "radars.reading": ("系统理解为：", "Read as:"),
    "radars.save_blocked": (
        "查询有语法错误，改正后才能保存。",
        "The query has a syntax error; fix it to save.",
    ),
    "radars.today": ("今天 {n} 篇", "{n} today"),
    "radars.week": ("本周 {n} 篇", "{n} this week"),
    "radars.last_briefing": ("上一期简报：{date}", "Last briefing: {date}"),
    "radars.no_briefing_yet": ("还没有简报", "No briefing yet"),
    "radars.latest_briefing": ("最新简报", "Latest briefing"),
    "radars.read_briefing": ("阅读完整简报 →", "Read the whole briefing →"),
    "radars.older_briefings": ("往期简报", "Earlier briefings"),
    "radars.matches_total": ("（共 {total} 篇，最新在前）", "({total}, newest first)"),
    "radars.matches_capped": (
        "命中很多：这里按时间列出得分最高的 {n} 篇。",
        "Many matches: this lists the best {n} by time.",
    ),
    "radars.matched_at": ("命中于 {when}", "matched {when}"),
    "radars.delete_confirm_title": ("删除雷达“{name}”？", "Delete the radar “{name}”?"),
    "radars.delete_confirm_body": (
        "它的命中、简报和订阅链接将一并删除，无法恢复。",
        "Its matches, briefings and feed link go with it; this cannot be undone.",
    ),
    "radars.delete_yes": ("确认删除", "Delete it"),
    "radars.delete_no": ("取消", "Cancel"),
    # the query syntax panel
    "help.title": ("查询语法速查", "Query syntax"),
    "help.and": ("两个词都要出现（空格即“且”）", "both words (a space means AND)"),
    "help.or": ("出现任意一个", "either word"),
    "help.not": ("含 qubit 但不含 decoding", "qubit but not decoding"),
    "help.phrase": ("完整短语，词序一致", "the exact phrase"),
    "help.prefix": (
        "以 quant 开头的词（quantum、quantization…）",
        "words starting with quant (quantum, quantization…)",
    ),
    "help.group": ("括号分组：排除对整组生效", "brackets group: NOT applies to the whole group"),
    "help.fields": ("限定字段：标题、作者", "fields: title, author"),
    "help.cat": (
        "arXiv 分类（cs.* 为整组）与来源",
        "arXiv categories (cs.* for the group) and sources",
    ),
    "help.case": (
        "AND、OR、NOT 必须大写；小写的 and/or/not 会被当作普通词搜索。"
        "NOT 优先于 AND，AND 优先于 OR。",
        "AND, OR and NOT must be in capitals; lower-case and/or/not are searched as words. "
        "NOT binds tighter than AND, AND tighter than OR.",
    ),
    # the briefing schedule
    "schedule.title": ("简报时间", "When briefings come"),
    "schedule.kind": ("频率", "Frequency"),
    "schedule.daily": ("每天", "Daily"),
    "schedule.weekly": ("每周", "Weekly"),
    "schedule.every_n": ("每 N 篇新命中", "Every N new matches"),
    "schedule.weekday": ("星期", "Day"),
    "schedule.hour": ("时间", "Hour"),
    "schedule.timezone": ("时区", "Time zone"),
    "schedule.n": ("篇数 N", "N papers"),
    "schedule.daily_words": ("每天 {hour}（{zone}）", "Daily at {hour} ({zone})"),
    "schedule.weekly_words": ("每{day} {hour}（{zone}）", "Every {day} at {hour} ({zone})"),
    "schedule.every_n_words": ("每 {n} 篇新命中一期", "Every {n} new matches"),
    "schedule.next_at": ("下一期：{when}（{zone}）", "Next briefing: {when} ({zone})"),
    "schedule.next_after_match": (
        "下一期：{when}（{zone}），届时需有新命中",
        "Next briefing: {when} ({zone}), if new matches arrive by then",
    ),
    "schedule.next_after_papers": (
        "下一期：再有 {n} 篇新命中时",
        "Next briefing: after {n} more matches",
    ),
    "schedule.next_due": ("下一期：正在生成", "Next briefing: being written now"),
    "weekday.0": ("周一", "Monday"),
    "weekday.1": ("周二", "Tuesday"),
    "weekday.2": ("周三", "Wednesday"),
    "weekday.3": ("周四", "Thursday"),
    "weekday.4": ("周五", "Friday"),
    "weekday.5": ("周六", "Saturday"),
    "weekday.6": ("周日", "Sunday"),
    # form checks (radar_form.py)
    "form.required": ("必须填写", "required"),
    "form.too_long": (
        "共 {length} 个字符，上限为 {limit}；未作任何保存，请删减后再保存",
        "{length} characters, the limit is {limit}; nothing was saved — shorten it and save",
    ),
    "form.choose": ("请从选项中选择", "choose one of the options"),
    "form.between": ("应为 {low} 到 {high} 之间的整数", "a whole number from {low} to {high}"),
    "form.rate": ("应为大于 0、不超过 {high} 的数", "a number above 0, at most {high}"),
    "form.query_or_meaning": (
        "请填写查询，或种子论文、兴趣描述",
        "give a query, or seed papers or a described interest",
    ),
    "form.zone": (
        "“{zone}” 不是时区名，请写如 Asia/Shanghai 或 UTC",
        "“{zone}” is not a time zone; write e.g. Asia/Shanghai or UTC",
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
    "sources.papers": ("论文数", "Papers"),
    "sources.newest": ("最新论文日期", "Newest paper"),
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
    "sources.next_poll": ("下次抓取", "Next poll"),
    "sources.last_failed": (
        "最近一次抓取失败（{when}）；详情见日志或 /api/sources",
        "last poll failed ({when}); details in the logs or /api/sources",
    ),
    "sources.offline": (
        "本系统正在回放随项目附带的离线录制数据（arXiv 订阅源的录制），而不是实时抓取："
        "论文和日期来自录制时刻。",
        "This system is replaying the offline recordings bundled with the project (recorded "
        "arXiv feeds), not polling live: papers and dates are those of the recording.",
    ),
    "sources.recorded": ("离线录制", "recording"),
    "sources.never": ("尚未抓取", "not polled yet"),
    "sources.never_offline": ("离线模式下不抓取", "not polled while offline"),
    "sources.never_help": (
        "“尚未抓取”表示采集服务启动后还没有轮到这个来源：每个来源按自己的间隔抓取，"
        "第一次抓取后这里会显示结果。",
        "“Not polled yet” means the ingestor has not reached this source since it "
        "started: each source is polled on its own interval, and its result shows here "
        "after the first poll.",
    ),
    "sources.never_help_offline": (
        "离线模式只回放附带的录制数据，其他来源不会被抓取；联网运行时它们会按计划抓取。",
        "Offline, only the bundled recordings are replayed and the other sources are not "
        "polled; when run online they are polled on their schedules.",
    ),
    "sources.items_n": ("{n} 条", "{n} items"),
    "sources.stale": ("订阅源停滞，已通过 API 补齐", "feed stale, recovered via the API"),
    # errors: a headline and a sentence per status
    "error.title": ("出错了", "Something went wrong"),
    "error.home": ("回到首页", "Back to the home page"),
    "error.back": ("返回上一页", "Go back"),
    "error.401.title": ("需要登录", "Sign-in needed"),
    "error.401.body": (
        "此操作需要登录或有效的 API 密钥。",
        "This needs a sign-in or a valid API key.",
    ),
    "error.403.title": ("无法执行", "Not allowed"),
    "error.403.body": (
        "表单已过期或来自其他网站，请刷新页面后重试。",
        "The form expired or came from another site; reload the page and try again.",
    ),
    "error.404.title": ("找不到页面", "Page not found"),
    "error.404.body": (
        "{path} 不存在，或你无权查看。",
        "There is nothing at {path}, or it is not yours to see.",
    ),
    "error.405.title": ("不支持的请求方式", "Method not allowed"),
    "error.405.body": (
        "{path} 不接受 {method} 请求（可用：{allow}）。",
        "{path} does not accept {method} (it accepts {allow}).",
    ),
    "error.409.title": ("修改冲突", "Conflicting change"),
    "error.409.body": (
        "内容在你保存时被修改了，请刷新后重试。",
        "It changed while you saved; reload and try again.",
    ),
    "error.413.title": ("内容过大", "Request too large"),
    "error.413.body": (
        "提交的内容超过 {limit} 字节上限，未作任何保存。",
        "What was sent is over the {limit}-byte limit; nothing was saved.",
    ),
    "error.414.title": ("网址过长", "Address too long"),
    "error.414.body": (
        "网址长 {size} 字节，上限为 {limit} 字节；请缩短查询。",
        "The address is {size} bytes; at most {limit} are accepted. Shorten the query.",
    ),
    "error.422.title": ("请求有误", "Invalid request"),
    "error.422.body": ("请求中有无效的值。", "The request holds a value that is not valid."),
    "error.429.title": ("请求过于频繁", "Too many requests"),
    "error.429.body": (
        "请求过于频繁，请在 {seconds} 秒后重试。",
        "Too many requests; try again in {seconds} s.",
    ),
    "error.500.title": ("服务器内部错误", "Internal error"),
    "error.500.body": (
        "服务出现意外错误，已记录日志；请稍后重试。",
        "The gateway failed unexpectedly; the error is logged. Try again later.",
    ),
    "error.503.title": ("服务暂不可用", "Briefly unavailable"),
    "error.503.body": (
        "所需的服务暂时无法访问，请稍后重试。",
        "A service this needs is briefly unavailable; try again shortly.",
    ),
    # what was wrong with an input (see problems.py)
    "problem.line": ("{field}：{wanted}", "{field}: {wanted}"),
    "problem.invalid": ("值无效", "not a valid value"),
    "problem.missing": ("必须填写", "required"),
    "problem.integer": ("应为整数", "must be a whole number"),
    "problem.number": ("应为数字", "must be a number"),
    "problem.boolean": ("应为 true 或 false", "must be true or false"),
    "problem.date": ("应为日期，格式 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "problem.datetime": (
        "应为带时区的时间，如 2026-06-12T09:00:00Z",
        "must be a time with its zone, e.g. 2026-06-12T09:00:00Z",
    ),
    "problem.at_least": ("应不小于 {ge}", "must be at least {ge}"),
    "problem.more_than": ("应大于 {gt}", "must be more than {gt}"),
    "problem.at_most": ("应不大于 {le}", "must be at most {le}"),
    "problem.less_than": ("应小于 {lt}", "must be less than {lt}"),
    "problem.too_short": ("至少 {min_length} 个字符", "must have at least {min_length} characters"),
    "problem.too_long": (
        "最多 {max_length} 个字符，未作任何保存",
        "must have at most {max_length} characters; nothing was saved",
    ),
    "problem.pattern": ("格式不对", "is not in the expected form"),
    "problem.one_of": ("应为 {expected} 之一", "must be one of {expected}"),
    "problem.unknown_field": ("不认识的字段", "is not a field this accepts"),
    "problem.after": ("不能晚于截止日期", "must not be after the end date"),
    "problem.cursor": (
        "不是本站给出的翻页标记，请去掉后重新开始",
        "is not a cursor this site issued; start again without it",
    ),
    "problem.too_deep": ("超过可翻页的深度，请缩小查询范围", "goes deeper than results are paged"),
    "field.page": ("页码", "Page"),
    "field.from": ("起始日期", "From"),
    "field.to": ("截止日期", "To"),
    # query errors (query_text.py): "第 N 个字符处" + what was wrong
    "qerr.at": ("第 {position} 个字符处{what}", "At character {position}: {what}"),
    "qerr.after_minus": (
        "应为紧跟在 '-' 后的检索词（写成 -词、-\"短语\" 或 -(组)，中间不加空格）",
        "a search term right after '-'",
    ),
    "qerr.close_quote": (
        "应为 '\"'，用来结束第 {opened} 个字符处开始的短语",
        "'\"' to close the phrase opened at character {opened}",
    ),
    "qerr.unknown_field": (
        "的字段 '{field}' 不存在；可用字段：title:、abstract:、author:、cat:、source:、type:"
        "（若要按原文搜索，请加引号）",
        "unknown field '{field}'",
    ),
    "qerr.field_value": (
        "应为 '{field}:' 后的值（冒号后不加空格）",
        "a value right after '{field}:'",
    ),
    "qerr.empty": ("应为检索词：查询是空的", "a search term: the query is empty"),
    "qerr.term": ("应为检索词", "a search term"),
    "qerr.operator_alone": (
        "应为检索词；若要搜索这个词本身，请用小写：{word}",
        "a search term; to search for the word itself, write it in lower case: {word}",
    ),
    "qerr.stray_paren": (
        "的 ')' 没有对应的 '('；请删除它或补上 '('",
        "a ')' with no '(' before it",
    ),
    "qerr.too_deep": (
        "的括号和否定嵌套超过 {depth} 层；请简化查询",
        "brackets and negations nested more than {depth} deep",
    ),
    "qerr.close_paren": (
        "应为 ')'，用来闭合第 {opened} 个字符处的 '('",
        "')' to close the '(' at character {opened}",
    ),
    "qerr.star_inside": ("的 '*' 只能放在词尾（如 quant*）", "'*' only at the end of a word"),
    "qerr.prefix_chars": ("的 '*' 前只能是字母或数字", "only letters or digits before '*'"),
    "qerr.prefix_short": (
        "的前缀太短：'*' 前至少需要 {n} 个字母或数字",
        "at least {n} letters or digits before '*'",
    ),
    "qerr.empty_phrase": ("的引号内是空的，至少需要一个词", "an empty phrase"),
    "qerr.no_letters": ("应为含字母或数字的词", "a word with letters or digits"),
    "qerr.author_prefix": (
        '：作者名不能用前缀，请写姓（author:lecun）或全名（author:"Yann LeCun"）',
        "an author name without '*'",
    ),
    "qerr.author_missing": ("应为 'author:' 后的作者名", "an author name after 'author:'"),
    "qerr.announce_type": (
        "的公告类型不存在，应为 new、cross、replace、replace-cross 之一",
        "one of new, cross, replace, replace-cross",
    ),
    "qerr.star_value": ("的 '*' 只能放在值的末尾（如 cat:cs.*）", "'*' only at the end"),
    "qerr.category": ("应为分类，如 quant-ph 或 cs.*", "a category such as quant-ph or cs.*"),
    "qerr.source": (
        "的来源不存在，应为 arxiv、medrxiv、biorxiv、journal:名称 或 journal:*",
        "one of arxiv, medrxiv, biorxiv, journal:<name>, journal:*",
    ),
    "qerr.other": ("应为：{expected}", "expected {expected}"),
    # query warnings (query_text.py)
    "qwarn.lowercase": (
        "小写的 “{word}” 被当作普通词来搜索；若要表示逻辑运算，请写大写 {upper}。",
        "Lower-case “{word}” is searched as a word; write {upper} in capitals for the operator.",
    ),
    "qwarn.not_binds": (
        "NOT 只作用于紧邻的部分：这里读作 {part}。若要从全部结果中排除，请写 {suggestion}。",
        "NOT applies only to its neighbour: this part reads {part}. To exclude from every "
        "result, write {suggestion}.",
    ),
}

# Headlines and sentences exist for these statuses; any other reads as a generic error.
# Delivery's words live beside its pages' code; one table serves every page.
MESSAGES.update(DELIVERY_MESSAGES)

_STATUSES = (401, 403, 404, 405, 409, 413, 414, 422, 429, 500, 503)


class Translator:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._column = LANGUAGES.index(lang)

    def __call__(self, key: str, **values: object) -> str:
        """The message in this language, ``{name}`` placeholders filled (values are
        escaped by the template, since the result is not marked safe)."""
        return MESSAGES[key][self._column].format(**values)

    def status_headline(self, status: int) -> str:
        return self(f"error.{status}.title") if status in _STATUSES else self("error.title")

    def status_sentence(self, status: int, **values: object) -> str:
        """What the status means here, filled with ``values``; a sentence whose value is
        missing falls back to the plain one (never a half-filled template)."""
        if status not in _STATUSES:
            return self("error.title")
        try:
            return self(f"error.{status}.body", **values)
        except KeyError:
            return self("error.422.body") if status == 422 else self(f"error.{status}.title")


def pick_language(value: str | None) -> Lang:
    return "en" if value == "en" else DEFAULT_LANG
