"""FROZEN: the extractive briefer as it was before issue 18, kept for the quality report.

``academichub bench briefing`` prints this briefer beside today's, on the same windows,
so the report shows what changed. It is a copy of ``academichub.briefer.domain.extractive`` at
commit 34fba39 (main before issue 18), unchanged but for this docstring and
:func:`named_themes` at the end, which returns the names its themes were titled with
(the same computation ``_themes`` makes). Nothing outside :mod:`academichub.bench` may
import it (an import-linter contract holds that); do not fix it: it is the baseline.

The original docstring follows.

The extractive summariser: a briefing from the window's papers, without a model.

Deterministic (same papers in, same briefing out) and honest about what it is: its
sentences are quoted from the abstracts, in the abstracts' language; only the framing
(overview, theme syntheses, reasons) is written in the radar's language.

How it works, all against the window itself (no corpus statistics are needed):

1. **Terms.** Title and abstract are tokenised and stemmed as the radar language does;
   stop words and academic boilerplate are dropped. Terms are words and runs of two or
   three adjacent content words ("graph neural network"). A term's weight in a paper is
   its damped frequency (title counts double) times its inverse document frequency
   within the window. A paper's *salient* terms are its top weighted ones (what sets it
   apart); its *topical* terms are its top weighted ones among terms another paper of
   the window also has (what it shares).
2. **TL;DRs.** Each sentence of an abstract is scored by the weight of the paper's terms
   it contains per (square-rooted) token, with a bonus for contribution cues ("we show",
   "outperforms") and a penalty for background cues ("despite", "has attracted") and
   for the opening sentence. The best sentence is the TL;DR — usually not the first,
   which tends to be background.
3. **Themes.** Papers are grouped by primary category. A category with more than
   :data:`SPLIT_ABOVE` papers (a radar's home field, typically) is split around its
   shared topical terms; a lone paper joins the group it shares most topical terms with.
   Papers of a split category that share no topic with the others stay together as
   that category's "other papers", said to be so (not titled by terms they do not
   share). Beyond :data:`MAX_THEMES`, the smallest groups are gathered under "other
   topics". Each real theme is titled by its shared terms.
4. **Connections.** A term that is among the main topical terms of papers in different
   top-level fields is a cross-domain connection citing papers on every side.
5. **Notable papers.** The best match, the paper spanning most fields, the paper most
   connected to the rest of the window, then the next best matches — each with a reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from academichub.briefer.domain.draft import BriefingParts
from academichub.briefer.domain.fields import paper_field, paper_fields, primary_category
from academichub.briefer.domain.text import clean_text, clip, split_sentences
from academichub.contracts import Connection, NotablePaper, Paper, PaperTldr, Theme
from academichub.contracts.events import Language
from academichub.radar.analysis import stem, tokenize

MAX_THEMES = 6
MAX_CONNECTIONS = 3
MAX_NOTABLE = 3
SALIENT_PER_PAPER = 10
TOPICAL_PER_PAPER = 15
CONNECTION_TERMS = 6  # a paper joins a connection only through one of its main topics
SPLIT_ABOVE = 4  # a category with more papers is split into themes by shared terms
TLDR_CHARS = 320
TITLE_CHARS = 120

# A word block reads better than a 300-item literal.
_STOPWORDS = frozenset(
    """
    a about above across after again against all almost along also although always am among
    an and another any are around as at be because been before being below between both but
    by can cannot could did do does doing done down due during each either else enough etc
    even ever every for from further had has have having here hence how however if in into
    is it its itself just least less many may might more most much must neither no nor not
    now of off often on once one only onto or other others otherwise our ours out over own
    per perhaps rather same several shall should since so some such than that the their
    theirs them then there thereby therefore these they this those though through thus to
    too toward towards under until up upon us very via was we well were what whatever when
    whenever where whereas whether which while who whom whose why will with within without
    would yet you your
    paper papers article work works study studies studied propose proposes proposed
    present presents presented show shows shown showed demonstrate demonstrates demonstrated
    introduce introduces introduced report reports reported find finds found result results
    approach approaches method methods methodology technique techniques framework novel new
    based using use used uses first second third finally furthermore moreover additionally
    significant significantly respectively various different several important existing
    recent recently previous previously current currently state art well known given
    provide provides provided obtain obtains obtained achieve achieves achieved particular
    particularly including include includes specific general generally considered consider
    considers allow allows allowing enable enables enabling make makes made
    exhibit exhibits leading lead leads key main large small high low higher lower better
    best two three four five six many number numbers case cases problem problems issue
    issues task tasks setting settings able potential strong way ways term terms type types
    mathcal mathbb mathrm mathbf frac left right sqrt textit textbf emph cdot sim approx
    leq geq langle rangle rm bf
    derive derives derived application applications investigate investigates investigated
    explore explores explored discuss discusses discussed describe describes described
    examine examines examined exploring investigating describing discussing examining deriving
    """.split()  # noqa: SIM905
)

# Phrases that announce a paper's contribution rather than its background.
_CUES = (
    "we show",
    "we prove",
    "we demonstrate",
    "we find",
    "we propose",
    "we present",
    "we introduce",
    "we develop",
    "we report",
    "we establish",
    "we derive",
    "our results",
    "results show",
    "outperform",
    "achieves",
    "improves",
    "reveals",
    "enables",
)
_CUE_BONUS = 1.3
# Phrases that set the scene rather than say what the paper does.
_BACKGROUND = (
    "despite",
    "has been",
    "have been",
    "remains",
    "remain ",
    "is crucial",
    "are crucial",
    "plays a",
    "play a",
    "in recent years",
    "has attracted",
    "have attracted",
    "has emerged",
    "have emerged",
    "is essential",
    "are essential",
    "is a key",
    "is an important",
    "are important",
    "is one of",
    "inevitably",
    "a long-standing",
    "a major challenge",
    "a central",
)
_BACKGROUND_PENALTY = 0.6
_OPENING_PENALTY = 0.85  # an abstract's first sentence is usually background
_MIN_SENTENCE_TOKENS = 5


@dataclass
class _Analysed:
    paper: Paper
    category: str
    top_field: str
    counts: Counter[str]
    weights: dict[str, float] = field(default_factory=dict)
    salient: tuple[str, ...] = ()  # what sets the paper apart (for display, TL;DRs)
    topical: tuple[str, ...] = ()  # its top terms shared with other papers (for grouping)


@dataclass
class _Group:
    members: list[int]  # indexes into the ranked paper list
    categories: Counter[str]
    other: bool = False  # no shared topic: a category's residual, or the catch-all


def _content_terms(text: str, surfaces: dict[str, Counter[str]] | None = None) -> list[str]:
    """Terms of ``text``: stemmed words and runs of two or three adjacent content words
    ("surface code", "graph neural network"), optionally noting their surface forms."""
    terms: list[str] = []
    run: list[tuple[str, str]] = []  # the current run of adjacent content words
    for token in tokenize(text):
        if token in _STOPWORDS or len(token) < 3 or token.isdigit():
            run = []
            continue
        run = [*run[-2:], (token, stem(token))]
        for size in range(1, len(run) + 1):
            gram = run[-size:]
            term = " ".join(st for _, st in gram)
            terms.append(term)
            if surfaces is not None:
                surfaces.setdefault(term, Counter())[" ".join(t for t, _ in gram)] += 1
    return terms


class _Window:
    """The window's papers with their term statistics."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.surfaces: dict[str, Counter[str]] = {}
        self.papers: list[_Analysed] = []
        for paper in papers:
            counts: Counter[str] = Counter()
            title_terms = _content_terms(paper.title, self.surfaces)
            counts.update(title_terms)
            counts.update(title_terms)  # title terms count double: they name the subject
            counts.update(_content_terms(paper.abstract, self.surfaces))
            self.papers.append(
                _Analysed(paper, primary_category(paper), paper_field(paper), counts)
            )
        self.df: Counter[str] = Counter()
        for analysed in self.papers:
            self.df.update(analysed.counts.keys())
        n = len(self.papers)
        for analysed in self.papers:
            for term, tf in analysed.counts.items():
                idf = math.log((1 + n) / (1 + self.df[term])) + 1.0
                # A phrase is more specific than a word: it names a topic, not a theme.
                phrase = 1.0 + 0.5 * term.count(" ")
                analysed.weights[term] = (1.0 + math.log(tf)) * idf * phrase
            ranked = sorted(analysed.weights, key=lambda t: (-analysed.weights[t], t))
            analysed.salient = tuple(_without_redundant(ranked)[:SALIENT_PER_PAPER])
            shared = [t for t in ranked if self.df[t] >= 2]
            analysed.topical = tuple(_without_redundant(shared)[:TOPICAL_PER_PAPER])

    def surface(self, term: str) -> str:
        forms = self.surfaces.get(term)
        if not forms:
            return term
        return sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _without_redundant(ranked: list[str]) -> list[str]:
    """Drop a term ranked below a longer one that contains it (keep "error correction",
    not also "correction"), so a few salient slots say more."""
    kept: list[str] = []
    for term in ranked:
        padded = f" {term} "
        if not any(padded in f" {longer} " for longer in kept if len(longer) > len(term)):
            kept.append(term)
    return kept


# --- TL;DRs -----------------------------------------------------------------------------


def _sentence_score(sentence: str, weights: Mapping[str, float]) -> float:
    tokens = tokenize(sentence)
    if len(tokens) < _MIN_SENTENCE_TOKENS:
        return 0.0
    terms = set(_content_terms(sentence))
    score = sum(weights.get(t, 0.0) for t in terms) / math.sqrt(len(tokens))
    lowered = sentence.lower()
    if any(cue in lowered for cue in _CUES):
        score *= _CUE_BONUS
    elif any(cue in lowered for cue in _BACKGROUND):
        score *= _BACKGROUND_PENALTY
    return score


def _tldr(analysed: _Analysed) -> str:
    sentences = split_sentences(analysed.paper.abstract)
    if not sentences:
        return clip(clean_text(analysed.paper.title), TLDR_CHARS)
    scored = [
        (_sentence_score(s, analysed.weights) * (_OPENING_PENALTY if i == 0 else 1.0), i)
        for i, s in enumerate(sentences)
    ]
    # Best score first; on a tie the later sentence, since openings tend to be background.
    order = sorted(scored, key=lambda si: (-si[0], -si[1]))
    best = order[0][1]
    chosen = [best]
    if len(tokenize(sentences[best])) < 12 and len(order) > 1 and order[1][0] > 0:
        chosen.append(order[1][1])  # a very short best sentence says too little alone
    return clip(" ".join(sentences[i] for i in sorted(chosen)), TLDR_CHARS)


# --- themes -----------------------------------------------------------------------------


def _overlap(a: _Analysed, terms: set[str]) -> int:
    # A shared bigram is stronger evidence of a shared topic than a shared word.
    return sum(2 if " " in t else 1 for t in a.topical if t in terms)


def _group_terms(window: _Window, group: _Group) -> set[str]:
    return {t for i in group.members for t in window.papers[i].topical}


def _split_by_terms(
    window: _Window, members: list[int], max_themes: int = MAX_THEMES
) -> tuple[list[list[int]], list[int]]:
    """Split a large same-category group into clusters around shared salient terms,
    and the papers left over (the residual, which shares no topic).

    Greedy cover: repeatedly take the term held by most unassigned papers (a bigram
    before a word, then the heavier term) and make its holders a cluster. Terms held by
    most of the group (the radar's own subject, usually) do not separate anything and
    are skipped.
    """
    unassigned = list(members)
    clusters: list[list[int]] = []
    broad = 0.6 * len(members)
    while len(unassigned) >= 2 and len(clusters) < max_themes:
        holders: dict[str, list[int]] = {}
        for i in unassigned:
            for term in window.papers[i].topical:
                holders.setdefault(term, []).append(i)
        usable = [t for t, held in holders.items() if 2 <= len(held) <= broad]
        if not usable:
            break
        seed = min(
            usable,
            key=lambda t: (
                -len(holders[t]),
                -(" " in t),
                -sum(window.papers[i].weights[t] for i in holders[t]),
                t,
            ),
        )
        clusters.append(sorted(holders[seed]))
        unassigned = [i for i in unassigned if i not in holders[seed]]
    return clusters, unassigned


def _build_groups(window: _Window, max_themes: int = MAX_THEMES) -> list[_Group]:
    by_category: dict[str, list[int]] = {}
    for i, analysed in enumerate(window.papers):
        by_category.setdefault(analysed.category, []).append(i)
    groups: list[_Group] = []
    for category, members in by_category.items():
        if len(members) <= SPLIT_ABOVE:
            groups.append(_Group(members, Counter({category: len(members)})))
            continue
        clusters, residual = _split_by_terms(window, members, max_themes)
        groups.extend(_Group(part, Counter({category: len(part)})) for part in clusters)
        if len(residual) == 1:
            groups.append(_Group(residual, Counter({category: 1})))  # a lone paper
        elif residual:
            # Papers sharing no topic are not a theme: say so instead of inventing one.
            groups.append(_Group(residual, Counter({category: len(residual)}), other=True))

    # Lone papers join the group (of any size) they share most salient terms with;
    # a lone paper keeps its own group when nothing is shared strongly enough.
    for lone in [g for g in groups if len(g.members) == 1]:
        if lone not in groups or len(lone.members) != 1:
            continue  # already absorbed another lone paper
        paper = window.papers[lone.members[0]]
        best: tuple[int, int, int] | None = None
        target: _Group | None = None
        for other in groups:
            if other is lone or other.other:
                continue
            shared = _overlap(paper, _group_terms(window, other))
            key = (shared, len(other.members), -min(other.members))
            if shared >= 2 and (best is None or key > best):
                best, target = key, other
        if target is not None:
            target.members.append(lone.members[0])
            target.members.sort()
            target.categories.update(lone.categories)
            groups.remove(lone)

    # Real themes first, largest first; papers without a shared topic last.
    groups.sort(key=lambda g: (g.other, -len(g.members), min(g.members)))
    if len(groups) > max_themes:
        rest = groups[max_themes - 1 :]
        other = _Group(sorted(i for g in rest for i in g.members), Counter(), other=True)
        for g in rest:
            other.categories.update(g.categories)
        groups = [*groups[: max_themes - 1], other]
    return groups


def _distinct(terms: Sequence[str], limit: int, taken: Sequence[str] = ()) -> list[str]:
    """Up to ``limit`` terms sharing no word with an earlier one (or with ``taken``):
    "self adjoint" and "adjoint time" say the same thing twice in a title."""
    words = {w for t in taken for w in t.split(" ")}
    kept: list[str] = []
    for term in terms:
        parts = set(term.split(" "))
        if parts & words:
            continue
        kept.append(term)
        words |= parts
        if len(kept) >= limit:
            break
    return kept


def _shared_terms(window: _Window, group: _Group, limit: int) -> list[str]:
    members = [window.papers[i] for i in group.members]
    presence: Counter[str] = Counter()
    weight: dict[str, float] = {}
    for analysed in members:
        for term in analysed.topical if len(members) > 1 else analysed.salient:
            presence[term] += 1
            weight[term] = weight.get(term, 0.0) + analysed.weights[term]
    threshold = 2 if len(members) > 1 else 1
    shared = [t for t in presence if presence[t] >= threshold]
    if not shared:
        shared = list(presence)
    shared.sort(key=lambda t: (-presence[t], -weight[t], t))
    return _distinct(shared, limit)


@dataclass(frozen=True)
class _Phrases:
    """The framing sentences, per radar language."""

    language: Language

    def join(self, items: Sequence[str]) -> str:
        items = list(items)
        if self.language == "zh":
            return "、".join(items)
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} and {items[-1]}"

    def quote(self, title: str) -> str:
        title = clip(clean_text(title), TITLE_CHARS)
        return f"《{title}》" if self.language == "zh" else f"“{title}”"

    def label(self, categories: Counter[str], other: bool) -> str:
        names = [c for c, _ in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))]
        if other and len(names) == 1:
            return f"{names[0]}：其他论文" if self.language == "zh" else f"{names[0]}: other papers"
        if other:
            return "其他主题" if self.language == "zh" else "Other topics"
        # A field that brought one paper of seven is not what the theme is about.
        total = sum(categories.values())
        major = [c for c in names if 3 * categories[c] >= total]
        return " / ".join((major or names)[:2])

    def theme_title(self, label: str, terms: Sequence[str]) -> str:
        if not terms:
            return label
        sep = "：" if self.language == "zh" else ": "
        return f"{label}{sep}{self.join(terms)}"

    def synthesis(
        self, count: int, shared: Sequence[str], focus: Sequence[str], *, other: bool = False
    ) -> str:
        if self.language == "zh":
            if other:
                head = f"另有 {count} 篇论文，分属本期其他较小的主题。"
            elif shared:
                head = f"{count} 篇论文共同涉及 {self.join(shared)}。"
            else:
                head = f"{count} 篇论文。"
            return head + "；".join(focus) + ("。" if focus else "")
        noun = "paper" if count == 1 else "papers"
        if other:
            head = f"{count} more {noun} on smaller topics of their own."
        elif shared:
            head = f"{count} {noun} on {self.join(shared)}."
        else:
            head = f"{count} {noun}."
        return head + (" " + "; ".join(focus) + "." if focus else "")

    def focus(self, title: str, terms: Sequence[str]) -> str:
        if self.language == "zh":
            return f"{self.quote(title)}侧重 {self.join(terms)}" if terms else self.quote(title)
        return f"{self.quote(title)} on {self.join(terms)}" if terms else self.quote(title)

    def more(self, count: int) -> str:
        return f"另有 {count} 篇" if self.language == "zh" else f"and {count} more"


def _themes(window: _Window, phrases: _Phrases, max_themes: int = MAX_THEMES) -> list[Theme]:
    themes: list[Theme] = []
    for group in _build_groups(window, max_themes):
        shared = [] if group.other else _shared_terms(window, group, 3)
        focus: list[str] = []
        shown = group.members[:4]
        for i in shown:
            analysed = window.papers[i]
            own = _distinct(analysed.salient, 2, taken=shared)
            focus.append(phrases.focus(analysed.paper.title, [window.surface(t) for t in own]))
        if len(group.members) > len(shown):
            focus.append(phrases.more(len(group.members) - len(shown)))
        surfaces = [window.surface(t) for t in shared]
        themes.append(
            Theme(
                title=phrases.theme_title(phrases.label(group.categories, group.other), surfaces),
                synthesis=phrases.synthesis(len(group.members), surfaces, focus, other=group.other),
                paper_ids=tuple(window.papers[i].paper.id for i in group.members),
            )
        )
    return themes


# --- connections ------------------------------------------------------------------------


def _connections(window: _Window, phrases: _Phrases) -> list[Connection]:
    n = len(window.papers)
    candidates: list[tuple[tuple[int, int, int, float, str], str, dict[str, list[int]]]] = []
    terms = sorted({t for a in window.papers for t in a.topical[:CONNECTION_TERMS]})
    for term in terms:
        sides: dict[str, list[int]] = {}
        for i, analysed in enumerate(window.papers):
            if term in analysed.topical[:CONNECTION_TERMS]:
                sides.setdefault(analysed.top_field, []).append(i)
        if len(sides) < 2:
            continue
        holders = sum(len(v) for v in sides.values())
        weight = sum(window.papers[i].weights[term] for v in sides.values() for i in v)
        # A term in every paper is usually the radar's own query: true but uninformative.
        informative = 0 if (holders == n and n > 2) else 1
        key = (informative, 1 if " " in term else 0, len(sides), weight, term)
        candidates.append((key, term, sides))
    candidates.sort(key=lambda c: (tuple(-x for x in c[0][:4]), c[0][4]))

    found: list[Connection] = []
    seen: set[frozenset[int]] = set()
    words: set[str] = set()
    for _, term, sides in candidates:
        members = frozenset(i for v in sides.values() for i in v)
        # The same papers again, or a variant of a term already used, says nothing new.
        if members in seen or words & set(term.split(" ")):
            continue
        seen.add(members)
        words |= set(term.split(" "))
        fields = sorted(sides)
        cited: list[str] = []
        parts: list[str] = []
        for name in fields:
            ids = [window.papers[i].paper.id for i in sides[name][:3]]
            cited.extend(ids)
            parts.append(f"{name} ({', '.join(ids)})")
        surface = window.surface(term)
        if phrases.language == "zh":
            finding = f"“{surface}”同时出现在{'、'.join(parts)}的研究中，可能存在跨领域关联。"
        else:
            finding = f"“{surface}” links work in {phrases.join(parts)}."
        found.append(Connection(finding=finding, fields=tuple(fields), paper_ids=tuple(cited)))
        if len(found) >= MAX_CONNECTIONS:
            break
    return found


# --- notable papers -----------------------------------------------------------------------


def _shares(a: _Analysed, b: _Analysed) -> bool:
    # One shared word is often chance; two shared topical terms is a shared subject.
    return len(set(a.topical) & set(b.topical)) >= 2


def _notable(window: _Window, scores: Mapping[str, float], phrases: _Phrases) -> list[NotablePaper]:
    papers = window.papers
    if not papers:
        return []
    zh = phrases.language == "zh"
    picked: dict[int, str] = {}

    def score_of(i: int) -> float:
        return scores.get(papers[i].paper.id, 0.0)

    def terms_of(i: int, k: int = 2) -> str:
        return phrases.join([window.surface(t) for t in _distinct(papers[i].salient, k)])

    # 1. The best match (papers arrive best first).
    top = 0
    if scores:
        picked[top] = (
            f"与该雷达匹配度最高（得分 {score_of(top):.2f}），聚焦 {terms_of(top)}"
            if zh
            else f"Best match for this radar (score {score_of(top):.2f}), on {terms_of(top)}"
        )
    else:
        picked[top] = f"排名第一，聚焦 {terms_of(top)}" if zh else f"Top-ranked, on {terms_of(top)}"

    # 2. The paper spanning the most top-level fields (a cross-listed bridge).
    spans = [(len(paper_fields(a.paper)), -i, i) for i, a in enumerate(papers) if i not in picked]
    if spans:
        width, _, i = max(spans)
        if width >= 2:
            cats = phrases.join(list(papers[i].paper.categories[:3]))
            picked[i] = f"横跨多个领域（{cats}）" if zh else f"Spans several fields ({cats})"

    # 3. The paper sharing salient terms with most other papers of the window.
    if len(picked) < MAX_NOTABLE:
        links = [
            (sum(1 for j, b in enumerate(papers) if j != i and _shares(a, b)), -i)
            for i, a in enumerate(papers)
            if i not in picked
        ]
        linked, minus_i = max(links, default=(0, 0))
        if linked >= 2:
            i = -minus_i
            picked[i] = (
                f"与本期另外 {linked} 篇论文共享关键词，是本期的枢纽"
                if zh
                else f"Shares key terms with {linked} other papers in this window"
            )

    # 4. Fill with the next best matches.
    for i in range(len(papers)):
        if len(picked) >= min(MAX_NOTABLE, len(papers)):
            break
        if i not in picked:
            picked[i] = (
                f"匹配度较高，聚焦 {terms_of(i)}" if zh else f"Strong match, on {terms_of(i)}"
            )
    return [NotablePaper(paper_id=papers[i].paper.id, reason=picked[i]) for i in sorted(picked)]


# --- overview -----------------------------------------------------------------------------


def _overview(window: _Window, themes: Sequence[Theme], connections: int, lang: Language) -> str:
    n = len(window.papers)
    by_category = Counter(a.category for a in window.papers)
    ordered = sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ordered[:5]
    rest = len(ordered) - len(shown)
    theme_names = [t.title for t in themes[:3]]
    if lang == "zh":
        fields = "、".join(f"{c}（{k} 篇）" for c, k in shown) + (
            f"等 {len(ordered)} 个类别" if rest else ""
        )
        text = f"本期共 {n} 篇论文，涉及 {fields}。"
        if theme_names:
            text += "主要主题：" + "；".join(theme_names) + "。"
        if connections:
            text += f"发现 {connections} 条跨领域关联。"
        return text + "本简报由摘要抽取生成，未使用大语言模型；摘录句子保留原文语言。"
    noun = "paper" if n == 1 else "papers"
    fields = ", ".join(f"{c} ({k})" for c, k in shown) + (f" and {rest} more" if rest else "")
    text = f"{n} {noun} across {fields}."
    if theme_names:
        text += " Main themes: " + "; ".join(theme_names) + "."
    if connections:
        plural = "connection" if connections == 1 else "connections"
        text += f" {connections} cross-domain {plural} found."
    return text + " Extracted from the abstracts without a language model."


def summarise(
    papers: Sequence[Paper],
    *,
    language: Language,
    scores: Mapping[str, float] | None = None,
) -> BriefingParts:
    """The extractive briefing of ``papers`` (best match first) in ``language``.

    Every citation is one of ``papers``; each paper gets a TL;DR.
    """
    if not papers:
        empty = "本期没有可用的论文。" if language == "zh" else "No papers are available."
        return BriefingParts(overview=empty)
    window = _Window(papers)
    phrases = _Phrases(language)
    themes = _themes(window, phrases)
    connections = _connections(window, phrases)
    notable = _notable(window, scores or {}, phrases)
    tldrs = [PaperTldr(paper_id=a.paper.id, tldr=_tldr(a)) for a in window.papers]
    return BriefingParts(
        overview=_overview(window, themes, len(connections), language),
        themes=tuple(themes),
        connections=tuple(connections),
        notable=tuple(notable),
        tldrs=tuple(tldrs),
    )


def group_papers(
    papers: Sequence[Paper], *, language: Language, max_groups: int = MAX_THEMES
) -> list[Theme]:
    """The papers grouped by theme and field as the extractive briefing groups them, at
    most ``max_groups`` groups, each as its extractive theme (title, synthesis, ids).

    Staged model briefings use the groups to ask for one theme each, and fall back to
    the extractive theme of a group the model could not write.
    """
    if not papers:
        return []
    return _themes(_Window(papers), _Phrases(language), max(1, max_groups))


def paper_tldrs(papers: Sequence[Paper]) -> dict[str, str]:
    """Each paper's extractive TL;DR (its most informative sentences), by paper id."""
    if not papers:
        return {}
    return {a.paper.id: _tldr(a) for a in _Window(papers).papers}


def named_themes(papers: Sequence[Paper]) -> list[tuple[tuple[str, ...], list[str], bool]]:
    """Each theme's paper ids, the terms its title names it by, and whether it is a
    leftover group ("other papers", "other topics"), as :func:`summarise` builds them."""
    if not papers:
        return []
    window = _Window(papers)
    named: list[tuple[tuple[str, ...], list[str], bool]] = []
    for group in _build_groups(window, MAX_THEMES):
        shared = [] if group.other else _shared_terms(window, group, 3)
        ids = tuple(window.papers[i].paper.id for i in group.members)
        named.append((ids, [window.surface(t) for t in shared], group.other))
    return named
