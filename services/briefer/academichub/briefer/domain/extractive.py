"""The extractive briefer: a briefing from the window's papers, without a model.

Deterministic (same papers, vectors and statistics in, same briefing out) and honest
about what it is: the sentences it quotes are the abstracts' own, in their language; the
framing (overview, titles, syntheses, reasons) is written in the radar's language.

1. **Vectors.** One vector per paper (:mod:`.vectors`): the embedding of the paper when
   one is given, TF-IDF over the window otherwise. The briefing says which.
2. **Themes by meaning.** Papers are grouped by average-linkage clustering of their
   vectors, cut where the silhouette is best (:mod:`.clustering`); papers that join no
   group are listed together as "other papers", said to be so. Each theme is named by its
   most distinctive keyphrases (:mod:`.keyphrases`): noun phrases held by at least two of
   its papers, scored by how many of them hold it, how rare it is in the whole store
   (:mod:`.corpus`) and how rarely the rest of the window uses it; multi-word phrases
   first. Its synthesis is one sentence quoting its best papers' contribution sentences
   (:mod:`.contribution`); its papers are ranked by the radar's score.
3. **Connections.** Two papers of different top-level fields (arXiv archives, bioRxiv
   or medRxiv subjects, journals: :func:`.fields.paper_field`) are connected when their
   vectors are at least the space's :attr:`~.vectors.WindowVectors.link_similarity` apart
   *and* they share a named concept: a keyphrase both use that is not common in the store
   nor in most of the window. Papers of either field close to the pair and sharing the
   concept join it (four at most). None is better than a trivial one.
4. **TL;DRs.** Each paper's contribution sentence, cut cleanly, math intact.
5. **Notable papers.** The best match, the closest cross-field pair's paper, the paper
   most central to the largest theme, then the next best matches — each with a reason.

:func:`plan_window` computes 1-5 as data (:class:`WindowPlan`); :func:`render` writes it
in a language; :func:`summarise` does both. A model briefing gets the same plan to
refine (:mod:`.synthesis`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from academichub.briefer.domain.citations import hold_to_window
from academichub.briefer.domain.clustering import cluster
from academichub.briefer.domain.contribution import claim, clip_clean, tldr
from academichub.briefer.domain.corpus import CorpusCounts, Key, window_counts
from academichub.briefer.domain.draft import BriefingParts
from academichub.briefer.domain.field_names import field_name
from academichub.briefer.domain.fields import paper_field, paper_fields, primary_category
from academichub.briefer.domain.keyphrases import PaperPhrases
from academichub.briefer.domain.tex import plain_outside_math
from academichub.briefer.domain.text import clean_text, clip
from academichub.briefer.domain.vectors import TFIDF_SPACE, WindowVectors, tfidf_vectors
from academichub.contracts import Connection, NotablePaper, Paper, PaperTldr, Theme
from academichub.contracts.events import Language

__all__ = [
    "MAX_CONNECTIONS",
    "MAX_THEMES",
    "PlannedConnection",
    "PlannedTheme",
    "WindowPlan",
    "candidate_keys",
    "group_papers",
    "paper_tldrs",
    "plan_window",
    "render",
    "summarise",
]

MAX_THEMES = 6
MAX_CONNECTIONS = 3
MAX_NOTABLE = 3
CONNECTION_PAPERS = 4
NAME_PHRASES = 2
MAX_LOOKUPS = 400  # candidate phrases looked up in the store per window
TITLE_CHARS = 110
CLAIM_CHARS = 150
# A phrase in more of the store than this share names a field, not a finding ("black
# hole" is in about 3% of arXiv, "Bose-Einstein condensate" in well under 1%).
COMMON_IN_STORE = 0.02
# Below this many papers a corpus says nothing about how common a phrase is.
STORE_MINIMUM = 200
# A phrase in more of the window than this share is the radar's own subject.
COMMON_IN_WINDOW = 0.5


# Words that are adjectives by their ending ("exotic", "metastable", "hydrodynamic",
# "strange"): alone, they name no concept.
_ADJECTIVE_ENDINGS = (
    "ic",
    "al",
    "ous",
    "ive",
    "able",
    "ible",
    "ant",
    "ent",
    "ar",
    "ful",
    "ile",
    "nge",
    "less",
)


@dataclass(frozen=True)
class PlannedTheme:
    paper_ids: tuple[str, ...]  # best score first
    keyphrases: tuple[str, ...]  # the name: most distinctive first
    fields: tuple[str, ...]  # primary categories, most papers first
    other: bool = False  # papers that joined no theme
    representative: tuple[str, ...] = ()  # closest to the theme's other papers first


@dataclass(frozen=True)
class PlannedConnection:
    paper_ids: tuple[str, ...]
    fields: tuple[str, ...]  # top-level fields, in the order of the papers
    concept: str  # the shared keyphrase
    similarity: float  # mean cosine between papers of different fields


@dataclass(frozen=True)
class WindowPlan:
    papers: tuple[Paper, ...]  # best match first
    themes: tuple[PlannedTheme, ...]
    connections: tuple[PlannedConnection, ...]
    notable: tuple[tuple[str, str, tuple[str, ...]], ...]  # (paper id, reason kind, args)
    tldrs: Mapping[str, str]
    scores: Mapping[str, float]
    space: str  # the vectors' model, or "tf-idf"
    statistics: str  # where phrase frequencies came from: "store", "window", ...


# --- analysis ---------------------------------------------------------------------------


class _Window:
    def __init__(
        self,
        papers: Sequence[Paper],
        vectors: WindowVectors,
        corpus: CorpusCounts | None,
    ) -> None:
        self.papers = list(papers)
        self.vectors = vectors
        self.sims = vectors.similarities().astype(np.float64)
        self.phrases = [PaperPhrases.of(p) for p in self.papers]
        self.window_df: Counter[Key] = Counter()
        for found in self.phrases:
            self.window_df.update(found.counts.keys())
        self.corpus = corpus or window_counts(self.papers, list(self.window_df))
        self.fields = [paper_field(p) for p in self.papers]

    def holders(self, key: Key, among: Sequence[int]) -> list[int]:
        return [i for i in among if key in self.phrases[i].counts]

    def idf(self, key: Key) -> float:
        df = max(self.corpus.frequency(key), self.window_df[key])
        n = max(self.corpus.documents, len(self.papers))
        return math.log((n + 1) / (df + 1)) + 1.0

    def store_share(self, key: Key) -> float:
        """The share of the store's papers holding ``key``; 0 when the store is too small
        to say (a new install, the window counted as its own corpus)."""
        if self.corpus.documents < STORE_MINIMUM:
            return 0.0
        df = max(self.corpus.frequency(key), self.window_df[key])
        return df / self.corpus.documents

    def rare_word(self, key: Key) -> bool:
        """Whether a single word is known to be rare enough in the store to name
        something on its own ("graphene" yes; "errors", "group" no)."""
        return (
            self.corpus.documents >= STORE_MINIMUM
            and key in self.corpus.frequencies  # not looked up: not known to be rare
            and self.store_share(key) <= COMMON_IN_STORE / 10
            and not self.surface(key).lower().endswith(_ADJECTIVE_ENDINGS)
        )

    def field_vocabulary(self, key: Key, field: str) -> bool:
        """Whether ``key`` is common among the window's papers of ``field`` (three or
        more of them, and a third hold it): that field's everyday vocabulary here."""
        own = [i for i, f in enumerate(self.fields) if f == field]
        return len(own) >= 3 and 3 * len(self.holders(key, own)) >= len(own)

    def surface(self, key: Key) -> str:
        forms: Counter[str] = Counter()
        for found in self.phrases:
            forms.update(found.surfaces.get(key, Counter()))
        if not forms:
            return " ".join(key)
        return sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def candidate_keys(papers: Sequence[Paper]) -> list[Key]:
    """The phrases whose store frequency the briefing of ``papers`` may use: those two or
    more papers share, then each paper's most frequent own ones, at most
    :data:`MAX_LOOKUPS`."""
    phrases = [PaperPhrases.of(p) for p in papers]
    df: Counter[Key] = Counter()
    for found in phrases:
        df.update(found.counts.keys())
    # Phrases before single words (names and concepts are phrases first), then by how
    # many papers share them.
    shared = sorted((k for k, n in df.items() if n >= 2), key=lambda k: (len(k) == 1, -df[k], k))
    own: list[Key] = []
    for found in phrases:
        ranked = sorted(found.counts, key=lambda k: (-found.counts[k] * len(k), k))
        own.extend(ranked[:5])
    return list(dict.fromkeys([*shared, *own]))[:MAX_LOOKUPS]


# --- names ------------------------------------------------------------------------------


def _overlaps(key: Key, taken: Sequence[Key]) -> bool:
    words = set(key)
    return any(words & set(other) for other in taken)


def _name(w: _Window, members: Sequence[int], limit: int = NAME_PHRASES) -> list[Key]:
    """The most distinctive phrases of ``members``: held by two or more of them (one,
    for a single paper), rare in the store and in the rest of the window."""
    inside = set(members)
    others = [i for i in range(len(w.papers)) if i not in inside]
    need = 2 if len(members) >= 2 else 1
    scored: list[tuple[float, Key]] = []
    keys = {k for i in members for k in w.phrases[i].counts}
    for key in keys:
        held = w.holders(key, members)
        if len(held) < need or (len(key) == 1 and not w.rare_word(key)):
            continue
        cover = len(held) / len(members)
        titled = sum(1 for i in held if key in w.phrases[i].in_title) / len(members)
        outside = len(w.holders(key, others)) / len(others) if others else 0.0
        length = 1.0 + 0.3 * (len(key) - 1) if len(key) > 1 else 0.45
        score = (cover + 0.5 * titled) * w.idf(key) * length * (1.0 - 0.8 * outside)
        scored.append((score, key))
    scored.sort(key=lambda sk: (-sk[0], sk[1]))
    chosen: list[Key] = []
    for _, key in scored:
        if not _overlaps(key, chosen):
            chosen.append(key)
        if len(chosen) >= limit:
            break
    if not chosen and need == 2:
        return _name(w, members[:1], limit)  # nothing shared: the lead paper's own
    return chosen


# --- themes -----------------------------------------------------------------------------


def _ranked(members: Sequence[int], w: _Window, scores: Mapping[str, float]) -> list[int]:
    # The radar's score orders; window order (best match first) breaks ties.
    return sorted(members, key=lambda i: (-scores.get(w.papers[i].id, 0.0), i))


def _categories(w: _Window, members: Sequence[int]) -> tuple[str, ...]:
    counts = Counter(primary_category(w.papers[i]) for i in members)
    return tuple(c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _themes(w: _Window, scores: Mapping[str, float], max_themes: int) -> list[PlannedTheme]:
    found = cluster(w.vectors.matrix, max_groups=max_themes)
    groups = [list(g) for g in found.groups]
    loners = list(found.loners)
    if len(groups) > max_themes:  # the smallest groups join the other papers
        for g in groups[max_themes:]:
            loners.extend(g)
        groups = groups[:max_themes]
    themes: list[PlannedTheme] = []
    for g in groups:
        ranked = _ranked(g, w, scores)
        central = sorted(g, key=lambda i: (-float(w.sims[i, g].mean()), i))
        themes.append(
            PlannedTheme(
                paper_ids=tuple(w.papers[i].id for i in ranked),
                keyphrases=tuple(w.surface(k) for k in _name(w, ranked)),
                fields=_categories(w, ranked),
                representative=tuple(w.papers[i].id for i in central),
            )
        )
    if loners:
        ranked = _ranked(loners, w, scores)
        themes.append(
            PlannedTheme(
                paper_ids=tuple(w.papers[i].id for i in ranked),
                keyphrases=(),
                fields=_categories(w, ranked),
                other=True,
            )
        )
    return themes


# --- connections ------------------------------------------------------------------------


def _concept(w: _Window, i: int, j: int) -> Key | None:
    """The named concept papers ``i`` and ``j`` share, or None."""
    shared = set(w.phrases[i].counts) & set(w.phrases[j].counts)
    common = {k for k in shared if w.store_share(k) > COMMON_IN_STORE}
    best: tuple[float, Key] | None = None
    n = len(w.papers)
    for key in shared:
        if key in common or any(_within(key, longer) for longer in common):
            continue  # "black hole", "dark matter": a field's vocabulary, not a link
        if n > 3 and w.window_df[key] > COMMON_IN_WINDOW * n:
            continue  # the radar's own subject links everything, hence nothing
        if len(key) == 1 and not w.rare_word(key):
            continue  # a single word must be known to be rare to name a concept ("graphene")
        if w.field_vocabulary(key, w.fields[i]) and w.field_vocabulary(key, w.fields[j]):
            continue  # "black hole" in astro-ph and gr-qc: both fields' own words
        score = w.idf(key) * (1.0 + 0.3 * (len(key) - 1))
        if best is None or (score, key) > best:
            best = (score, key)
    return best[1] if best else None


def _within(short: Key, long: Key) -> bool:
    """Whether ``short`` is a run of ``long`` ("rotating black" in "rotating black holes")."""
    return len(short) < len(long) and any(
        long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1)
    )


def _connections(w: _Window) -> list[PlannedConnection]:
    n = len(w.papers)
    link = w.vectors.link_similarity
    pairs = [
        (float(w.sims[i, j]), i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if w.fields[i] != w.fields[j] and w.sims[i, j] >= link
    ]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used: set[int] = set()
    found: list[PlannedConnection] = []
    for _, i, j in pairs:
        if i in used or j in used:
            continue
        key = _concept(w, i, j)
        if key is None:
            continue
        members = [i, j]
        for k in sorted(range(n), key=lambda k: -max(w.sims[k, i], w.sims[k, j])):
            if len(members) >= CONNECTION_PAPERS:
                break
            if k in members or k in used or key not in w.phrases[k].counts:
                continue
            if max(w.sims[k, i], w.sims[k, j]) >= link:
                members.append(k)
        cross = [
            float(w.sims[a, b])
            for x, a in enumerate(members)
            for b in members[x + 1 :]
            if w.fields[a] != w.fields[b]
        ]
        used.update(members)
        found.append(
            PlannedConnection(
                paper_ids=tuple(w.papers[m].id for m in members),
                fields=tuple(dict.fromkeys(w.fields[m] for m in members)),
                concept=w.surface(key),
                similarity=sum(cross) / len(cross),
            )
        )
        if len(found) >= MAX_CONNECTIONS:
            break
    return found


# --- notable papers ---------------------------------------------------------------------


def _notable(
    w: _Window,
    themes: Sequence[PlannedTheme],
    connections: Sequence[PlannedConnection],
    scores: Mapping[str, float],
) -> list[tuple[str, str, tuple[str, ...]]]:
    index = {p.id: i for i, p in enumerate(w.papers)}
    picked: dict[str, tuple[str, tuple[str, ...]]] = {}
    first = w.papers[0].id
    if scores:
        picked[first] = ("best", (f"{scores.get(first, 0.0):.2f}",))
    else:
        picked[first] = ("top", ())
    if connections:
        conn = connections[0]
        bridge = next((i for i in conn.paper_ids if i not in picked), None)
        if bridge is not None:
            other = next(
                i
                for i in conn.paper_ids
                if paper_field(w.papers[index[i]]) != paper_field(w.papers[index[bridge]])
            )
            picked[bridge] = ("bridge", (conn.concept, other))
    else:
        spans = [
            (len(paper_fields(p)), -i, p.id) for i, p in enumerate(w.papers) if p.id not in picked
        ]
        if spans and max(spans)[0] >= 2:
            paper = w.papers[index[max(spans)[2]]]
            picked[paper.id] = ("spans", tuple(paper.categories[:3]))
    real = [t for t in themes if not t.other and len(t.paper_ids) >= 3]
    if real and len(picked) < MAX_NOTABLE:
        theme = real[0]
        members = [index[i] for i in theme.paper_ids]
        central = max(
            (m for m in members if w.papers[m].id not in picked),
            key=lambda m: (float(w.sims[m, members].mean()), -m),
            default=None,
        )
        if central is not None:
            name = theme.keyphrases[0] if theme.keyphrases else ""
            picked[w.papers[central].id] = ("central", (name, str(len(members) - 1)))
    for paper in w.papers:
        if len(picked) >= min(MAX_NOTABLE, len(w.papers)):
            break
        if paper.id not in picked:
            picked[paper.id] = ("strong", (f"{scores.get(paper.id, 0.0):.2f}",) if scores else ())
    order = {p.id: i for i, p in enumerate(w.papers)}
    return [
        (pid, kind, args)
        for pid, (kind, args) in sorted(picked.items(), key=lambda kv: order[kv[0]])
    ]


# --- the plan ---------------------------------------------------------------------------


def plan_window(
    papers: Sequence[Paper],
    *,
    scores: Mapping[str, float] | None = None,
    vectors: WindowVectors | None = None,
    corpus: CorpusCounts | None = None,
    max_themes: int = MAX_THEMES,
) -> WindowPlan:
    """Themes, connections, notable papers and TL;DRs of ``papers`` (best match first).

    ``vectors`` (one row per paper, in order) default to TF-IDF over the window;
    ``corpus`` (store frequencies of :func:`candidate_keys`) to the window's own counts.
    """
    papers = list({p.id: p for p in papers}.values())
    if not papers:
        return WindowPlan((), (), (), (), {}, dict(scores or {}), TFIDF_SPACE, "window")
    if vectors is None or vectors.matrix.shape[0] != len(papers):
        vectors = tfidf_vectors(papers)
    w = _Window(papers, vectors, corpus)
    known = dict(scores or {})
    themes = _themes(w, known, max(1, max_themes))
    connections = _connections(w)
    return WindowPlan(
        papers=tuple(papers),
        themes=tuple(themes),
        connections=tuple(connections),
        notable=tuple(_notable(w, themes, connections, known)),
        tldrs={p.id: tldr(p) for p in papers},
        scores=known,
        space=vectors.space,
        statistics=w.corpus.source,
    )


# --- writing it -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Writer:
    language: Language
    papers: Mapping[str, Paper]

    @property
    def zh(self) -> bool:
        return self.language == "zh"

    def join(self, items: Sequence[str]) -> str:
        items = list(items)
        if self.zh:
            return "、".join(items)
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} and {items[-1]}"

    def title(self, paper_id: str) -> str:
        text = clip(plain_outside_math(clean_text(self.papers[paper_id].title)), TITLE_CHARS)
        return f"《{text}》" if self.zh else f"“{text}”"

    def field(self, code: str) -> str:
        return field_name(code, self.language)

    def keyphrases(self, phrases: Sequence[str]) -> str:
        # English keyphrases in a Chinese briefing say what they are.
        return f"{self.join(phrases)}（英文关键词）" if self.zh else self.join(phrases)

    def theme_title(self, theme: PlannedTheme) -> str:
        fields = self._major_fields(theme)
        if theme.other:
            return "其他论文" if self.zh else "Other papers"
        label = " / ".join(self.field(c) for c in fields)
        if not theme.keyphrases:
            return label
        sep = "：" if self.zh else ": "
        return f"{label}{sep}{self.keyphrases(theme.keyphrases)}"

    def _major_fields(self, theme: PlannedTheme) -> list[str]:
        counts = Counter(primary_category(self.papers[i]) for i in theme.paper_ids)
        total = sum(counts.values())
        # A category that brought one paper of seven is not what the theme is about.
        major = [c for c in theme.fields if 3 * counts[c] >= total]
        return (major or list(theme.fields))[:2]

    def clause(self, paper_id: str, tldrs: Mapping[str, str]) -> str:
        """The paper's title and what it contributes, in its own words."""
        if self.zh:
            return f"{self.title(paper_id)}：“{clip_clean(tldrs[paper_id], CLAIM_CHARS)}”"
        said = claim(self.papers[paper_id], CLAIM_CHARS)
        if said is not None:
            return f"{self.title(paper_id)} {said}"
        return f"{self.title(paper_id)} (“{clip_clean(tldrs[paper_id], CLAIM_CHARS)}”)"

    def synthesis(self, theme: PlannedTheme, tldrs: Mapping[str, str]) -> str:
        """One sentence: the theme's name and its two most representative papers'
        contributions in their own words (:attr:`PlannedTheme.representative`)."""
        n = len(theme.paper_ids)
        if theme.other:
            shown = [self.title(i) for i in theme.paper_ids[:4]]
            rest = n - len(shown)
            if self.zh:
                more = f"等 {n} 篇" if rest else f"共 {n} 篇"
                return f"{'、'.join(shown)}{more}论文各有其题，未与本期其他论文归为一类。"
            tail = f" and {rest} more" if rest else ""
            if n == 1:
                return f"1 paper on a topic of its own: {shown[0]}."
            return f"{n} papers on topics of their own: {', '.join(shown)}{tail}."
        quoted = [self.clause(i, tldrs) for i in (theme.representative or theme.paper_ids)[:2]]
        rest = n - len(quoted)
        if self.zh:
            head = f"{n} 篇论文"
            if theme.keyphrases:
                head += f"围绕 {self.keyphrases(theme.keyphrases)}"
            more = f"；另有 {rest} 篇" if rest else ""
            return f"{head}：{'；'.join(quoted)}{more}。"
        noun = "paper" if n == 1 else "papers"
        head = f"{n} {noun}"
        if theme.keyphrases:
            head += f" on {self.join(theme.keyphrases)}"
        more = f"; and {rest} more" if rest else ""
        return f"{head}: {'; '.join(quoted)}{more}."

    def finding(self, conn: PlannedConnection) -> str:
        sides: dict[str, list[str]] = {}
        for paper_id in conn.paper_ids:
            sides.setdefault(paper_field(self.papers[paper_id]), []).append(paper_id)
        if self.zh:
            parts = [
                f"{self._side_name(ids)}的{'、'.join(f'{self.title(i)}（{i}）' for i in ids)}"
                for ids in sides.values()
            ]
            return (
                f"{self._and(parts)}都研究 {conn.concept}（英文关键词），"
                f"摘要语义相似度 {conn.similarity:.2f}。"
            )
        parts = []
        for ids in sides.values():
            cited = ", ".join(f"{self.title(i)} ({i}){self._claim_tail(i)}" for i in ids)
            parts.append(f"in {self._side_name(ids)}, {cited}")
        return (
            f"Both sides work on {conn.concept}: {'; '.join(parts)} "
            f"(abstract similarity {conn.similarity:.2f})."
        )

    def _and(self, items: Sequence[str]) -> str:
        # 甲、乙与丙
        return items[0] if len(items) == 1 else f"{'、'.join(items[:-1])}与{items[-1]}"

    def _side_name(self, ids: Sequence[str]) -> str:
        # The papers' own categories ("Chemical Physics"), not only their archive.
        names = dict.fromkeys(self.field(primary_category(self.papers[i])) for i in ids)
        return ("、" if self.zh else " and ").join(names)

    def _claim_tail(self, paper_id: str) -> str:
        said = claim(self.papers[paper_id], 110)
        return f" {said}" if said else ""

    def reason(self, kind: str, args: Sequence[str], plan: WindowPlan, paper_id: str) -> str:
        said = clip_clean(plan.tldrs[paper_id], 140)
        if self.zh:
            return f"{self._reason_zh(kind, args)}；原文：“{said}”"
        return f"{self._reason_en(kind, args)}: “{said}”"

    def _reason_zh(self, kind: str, args: Sequence[str]) -> str:
        if kind == "best":
            return f"与该雷达匹配度最高（得分 {args[0]}）"
        if kind == "bridge":
            return f"跨领域关联的一端：与{self.title(args[1])}都研究 {args[0]}（英文关键词）"
        if kind == "spans":
            return f"横跨多个领域（{'、'.join(dict.fromkeys(self.field(c) for c in args))}）"
        if kind == "central":
            return f"最能代表主题 {args[0]}（英文关键词），与该主题其余 {args[1]} 篇最接近"
        if kind == "strong":
            return f"匹配度较高（得分 {args[0]}）" if args else "匹配度较高"
        return "排名第一"

    def _reason_en(self, kind: str, args: Sequence[str]) -> str:
        if kind == "best":
            return f"Best match for this radar (score {args[0]})"
        if kind == "bridge":
            return f"One side of a cross-field connection on {args[0]}, with {self.title(args[1])}"
        if kind == "spans":
            names = dict.fromkeys(self.field(c) for c in args)
            return f"Spans several fields ({', '.join(names)})"
        if kind == "central":
            return (
                f"Most representative of the theme on {args[0]}, "
                f"closest to its other {args[1]} papers"
            )
        if kind == "strong":
            return f"Strong match (score {args[0]})" if args else "Strong match"
        return "Top-ranked"

    def overview(self, plan: WindowPlan) -> str:
        n = len(plan.papers)
        counts = Counter(primary_category(p) for p in plan.papers)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        shown, rest = ordered[:4], len(ordered) - 4
        real = [t for t in plan.themes if not t.other]
        names = [t.keyphrases[0] for t in real[:3] if t.keyphrases]
        links = len(plan.connections)
        tfidf = plan.space == TFIDF_SPACE
        if self.zh:
            fields = "、".join(f"{self.field(c)}（{k} 篇）" for c, k in shown)
            text = f"本期共 {n} 篇论文，来自{fields}" + (
                f"等 {len(ordered)} 个类别。" if rest > 0 else "。"
            )
            if real:
                text += f"归纳为 {len(real)} 个主题"
                text += f"，主要涉及 {self.keyphrases(names)}。" if names else "。"
            text += f"发现 {links} 条跨领域关联。" if links else "未发现足够接近的跨领域关联。"
            how = (
                "因暂无语义向量，主题按词频（TF-IDF）聚类"
                if tfidf
                else f"主题按 {plan.space} 语义向量聚类"
            )
            return (
                text + f"本简报由摘要抽取生成，未使用大语言模型；{how}；"
                "摘录句子与关键词保留英文原文。"
            )
        noun = "paper" if n == 1 else "papers"
        fields = ", ".join(f"{self.field(c)} ({k})" for c, k in shown)
        more = f" and {rest} more {'category' if rest == 1 else 'categories'}" if rest > 0 else ""
        text = f"{n} {noun} across {fields}{more}."
        if real:
            text += f" {len(real)} {'theme' if len(real) == 1 else 'themes'}"
            text += f", led by {self.join(names)}." if names else "."
        if links:
            text += f" {links} cross-field {'connection' if links == 1 else 'connections'}."
        else:
            text += " No cross-field connection close enough to report."
        how = (
            "themes grouped by shared vocabulary (TF-IDF), as no embeddings were available"
            if tfidf
            else f"themes grouped by {plan.space} embeddings"
        )
        return text + f" Extracted from the abstracts without a language model; {how}."


def render(plan: WindowPlan, language: Language) -> BriefingParts:
    """``plan`` written in ``language``."""
    if not plan.papers:
        empty = "本期没有可用的论文。" if language == "zh" else "No papers are available."
        return BriefingParts(overview=empty)
    writer = _Writer(language, {p.id: p for p in plan.papers})
    themes = tuple(
        Theme(
            title=writer.theme_title(t),
            synthesis=writer.synthesis(t, plan.tldrs),
            paper_ids=t.paper_ids,
        )
        for t in plan.themes
    )
    connections = tuple(
        Connection(finding=writer.finding(c), fields=c.fields, paper_ids=c.paper_ids)
        for c in plan.connections
    )
    notable = tuple(
        NotablePaper(paper_id=pid, reason=writer.reason(kind, args, plan, pid))
        for pid, kind, args in plan.notable
    )
    tldrs = tuple(PaperTldr(paper_id=p.id, tldr=plan.tldrs[p.id]) for p in plan.papers)
    parts = BriefingParts(
        overview=writer.overview(plan),
        themes=themes,
        connections=connections,
        notable=notable,
        tldrs=tldrs,
    )
    # Quoted abstracts may name other papers ("as shown in arXiv:0801.0001"): the prose
    # rule every briefing is held to applies here too, so the plan's own text is clean.
    return hold_to_window(parts, [p.id for p in plan.papers]).parts


def summarise(
    papers: Sequence[Paper],
    *,
    language: Language,
    scores: Mapping[str, float] | None = None,
    vectors: WindowVectors | None = None,
    corpus: CorpusCounts | None = None,
) -> BriefingParts:
    """The extractive briefing of ``papers`` (best match first) in ``language``.

    Every citation is one of ``papers``; each paper gets a TL;DR.
    """
    if not papers:
        return render(WindowPlan((), (), (), (), {}, {}, TFIDF_SPACE, "window"), language)
    plan = plan_window(papers, scores=scores, vectors=vectors, corpus=corpus)
    return render(plan, language)


def group_papers(plan: WindowPlan, *, language: Language, max_groups: int) -> list[Theme]:
    """The plan's themes as extractive themes, at most ``max_groups`` (the last ones
    merged into one), for staged model briefings: one group per theme the model writes."""
    rendered = list(render(plan, language).themes)
    if len(rendered) <= max_groups:
        return rendered
    keep, rest = rendered[: max_groups - 1], rendered[max_groups - 1 :]
    merged = Theme(
        title="其他论文" if language == "zh" else "Other papers",
        synthesis=" ".join(t.synthesis for t in rest),
        paper_ids=tuple(i for t in rest for i in t.paper_ids),
    )
    return [*keep, merged]


def paper_tldrs(papers: Sequence[Paper]) -> dict[str, str]:
    """Each paper's extractive TL;DR (its contribution sentence), by paper id."""
    return {p.id: tldr(p) for p in papers}
