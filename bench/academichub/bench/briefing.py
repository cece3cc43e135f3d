"""``academichub bench briefing``: are extractive briefings worth opening? Old vs new.

Over the recorded feeds bundled with the ingestor and, in a source checkout, the feed
fixtures (``tests/fixtures/feeds``), both parsed by the ingestor's own code, it briefs
the same windows with two extractive briefers and prints their figures side by side:

- **old** — the extractive briefer before issue 18, frozen in
  :mod:`academichub.bench.briefing_old` (reachable from the bench only);
- **new** — :mod:`academichub.briefer.domain.extractive` as the service runs it with the
  embedding port configured: MiniLM vectors of the window's papers, phrase frequencies
  of the whole corpus (:class:`~academichub.briefer.domain.corpus.CountedPhraseStatistics`,
  the same counts a store holding these papers gives);
- in the table only, **new, TF-IDF** — the new briefer on its fallback (no embeddings).

Windows, as radars would collect them (generated with fixed rules, best score first,
at most :data:`WINDOW_PAPERS` papers): the bundled quant-ph day as it came; one radar
per primary category with at least 20 papers (``cat:X``); one per frequent multi-word
keyphrase of the corpus (``"phrase"``, the phrases most papers use); and radars joining
two such phrases from different fields (``"a" OR "b"``), where connections can exist.

Figures (papers compared in one vector space for both briefers: the embedded
all-MiniLM-L6-v2, cosine of unit vectors, vectors cached under ``var/cache/embeddings``):

- ``within_theme_similarity``: for every paper in a theme of two or more papers that the
  briefer presents as a theme (a briefer's leftover group, "other papers", is not one),
  its mean cosine to the theme's other papers; averaged over those papers, so each
  paper counts once (a theme-weighted mean would favour many tiny themes);
- ``across_theme_similarity``: for the same papers, the mean cosine to the papers of the
  window's other themes; averaged likewise;
- ``generic_theme_name_share``: share of those themes whose name has a stop word, a
  reporting verb or a generic word (:func:`academichub.briefer.domain.keyphrases.filler_words`:
  the tested lists; a compound such as "first-order" counts by its head);
- ``cross_field_connections``: connections whose papers span two or more top-level
  fields, over all windows; ``connection_similarity``: their mean cosine between papers
  of different fields (null without connections);
- ``citations_outside_window``: cited ids, and ids named in text, outside the window
  (must be 0), in the English and the Chinese briefing;
- ``tex_chars_left``: characters of TeX commands outside math in any text of either
  briefing (must be 0).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np

from academichub.bench import briefing_old
from academichub.bench.corpus import recorded_papers
from academichub.bench.ingest import FIXTURE_FORMATS, default_fixtures_dir
from academichub.briefer.domain.citations import ids_in_text
from academichub.briefer.domain.corpus import CountedPhraseStatistics
from academichub.briefer.domain.draft import BriefingParts
from academichub.briefer.domain.extractive import candidate_keys, plan_window, render
from academichub.briefer.domain.fields import paper_field
from academichub.briefer.domain.keyphrases import PaperPhrases, filler_words
from academichub.briefer.domain.tex import tex_command_chars
from academichub.briefer.domain.vectors import MINILM_LINK_SIMILARITY, WindowVectors
from academichub.contracts import Paper
from academichub.contracts.events import Language
from academichub.embedding.port import Embedder, Vectors
from academichub.embedding.text import paper_text
from academichub.platform.blas import limit_blas_threads
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.radar.scoring import CorpusStats, score_document

DEFAULT_CACHE: Final = Path("var/cache/embeddings")
WINDOW_PAPERS: Final = 60
MIN_WINDOW: Final = 6
CATEGORY_RADARS_FROM: Final = 20  # papers a primary category needs to get a radar
PHRASE_RADARS: Final = 10
MIXED_RADARS: Final = 5
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh")
KEYS: Final = (
    "within_theme_similarity",
    "across_theme_similarity",
    "generic_theme_name_share",
    "cross_field_connections",
    "connection_similarity",
    "citations_outside_window",
    "tex_chars_left",
)


@dataclass(frozen=True)
class Window:
    radar: str  # the query that collected it
    papers: tuple[Paper, ...]  # best score first
    scores: dict[str, float]


@dataclass(frozen=True)
class Briefed:
    """One briefer's output for one window, as the report reads it."""

    themes: list[tuple[tuple[str, ...], list[str]]]  # presented themes: ids, name phrases
    connections: list[tuple[str, ...]]
    texts: list[str]  # every text field, both languages
    cited: list[str]  # every cited id and id named in text, both languages


@dataclass
class Figures:
    within: list[float] = field(default_factory=list)  # per paper in a theme
    across: list[float] = field(default_factory=list)  # per paper in a theme
    themes: int = 0
    papers: int = 0  # papers briefed
    themed: int = 0  # papers in a presented theme
    generic: int = 0
    unnamed: int = 0
    connections: int = 0
    cross_field: int = 0
    link_similarity: list[float] = field(default_factory=list)
    outside: int = 0
    tex: int = 0
    examples: list[str] = field(default_factory=list)  # generic names, for the reader

    def report(self, name: str) -> dict[str, object]:
        def mean(values: Sequence[float]) -> float | None:
            return round(float(np.mean(values)), 4) if values else None

        return {
            "briefer": name,
            "within_theme_similarity": mean(self.within),
            "across_theme_similarity": mean(self.across),
            "generic_theme_name_share": round(self.generic / self.themes, 4)
            if self.themes
            else None,
            "cross_field_connections": self.cross_field,
            "connection_similarity": mean(self.link_similarity),
            "citations_outside_window": self.outside,
            "tex_chars_left": self.tex,
        }


# --- the corpus and the windows -----------------------------------------------------------


def bench_papers(fixtures: Path | None) -> list[Paper]:
    """The recorded feeds, and the fixtures' feeds when a folder is given; one paper per id."""
    extra: list[tuple[str, Path]] = []
    if fixtures is not None:
        for folder, fmt in FIXTURE_FORMATS.items():
            extra.extend((fmt, path) for path in sorted((fixtures / folder).glob("*.*")))
    papers: dict[str, Paper] = {}
    for paper in recorded_papers(extra):
        if paper.abstract.strip():
            papers.setdefault(paper.id, paper)
    return list(papers.values())


def _collect(query: str, docs: Sequence[PaperDocument], stats: CorpusStats) -> Window:
    node = parse_query(query)
    hits: list[tuple[float, int, Paper]] = []
    for i, doc in enumerate(docs):
        fired = evaluate(node, doc)
        if fired is not None:
            hits.append((score_document(fired, doc, stats), i, doc.paper))
    hits.sort(key=lambda h: (-h[0], h[1]))
    top = hits[:WINDOW_PAPERS]
    best = top[0][0] if top and top[0][0] > 0 else 1.0
    return Window(query, tuple(p for _, _, p in top), {p.id: round(s / best, 4) for s, _, p in top})


def frequent_phrases(papers: Sequence[Paper], limit: int) -> list[tuple[str, str]]:
    """The multi-word keyphrases most papers use, each with the field most of its
    papers are in: (phrase, field)."""
    holders: Counter[tuple[str, ...]] = Counter()
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    fields: dict[tuple[str, ...], Counter[str]] = {}
    for paper in papers:
        found = PaperPhrases.of(paper)
        for key in found.counts:
            if len(key) < 2:
                continue
            holders[key] += 1
            surfaces.setdefault(key, Counter()).update(found.surfaces[key])
            fields.setdefault(key, Counter())[paper_field(paper)] += 1
    chosen: list[tuple[str, str]] = []
    taken: set[str] = set()
    for key, _ in sorted(holders.items(), key=lambda kv: (-kv[1], kv[0])):
        if set(key) & taken:
            continue  # "dark matter halo" after "dark matter" says the same
        taken.update(key)
        surface = surfaces[key].most_common(1)[0][0]
        chosen.append((surface, fields[key].most_common(1)[0][0]))
        if len(chosen) >= limit:
            break
    return chosen


def generated_windows(papers: Sequence[Paper], bundled_day: Sequence[Paper]) -> list[Window]:
    docs = [PaperDocument.from_paper(p) for p in papers]
    stats = CorpusStats.from_documents(docs)
    windows: list[Window] = []
    if bundled_day:
        day = list(bundled_day)[:WINDOW_PAPERS]
        windows.append(Window("the bundled quant-ph day", tuple(day), {}))
    categories = Counter(p.categories[0] for p in papers if p.categories)
    # A small corpus (--papers) still gets category radars for its larger categories.
    enough = max(MIN_WINDOW, min(CATEGORY_RADARS_FROM, len(papers) // 4))
    for category, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= enough:
            windows.append(_collect(f"cat:{category}", docs, stats))
    phrases = frequent_phrases(papers, PHRASE_RADARS)
    for phrase, _ in phrases:
        windows.append(_collect(f'"{phrase}"', docs, stats))
    mixed = 0
    for i, (a, field_a) in enumerate(phrases):
        for b, field_b in phrases[i + 1 :]:
            if field_a != field_b and mixed < MIXED_RADARS:
                windows.append(_collect(f'"{a}" OR "{b}"', docs, stats))
                mixed += 1
    return [w for w in windows if len(w.papers) >= MIN_WINDOW]


# --- the briefers -------------------------------------------------------------------------


def _texts(parts: BriefingParts) -> list[str]:
    texts = [parts.overview]
    texts += [x for t in parts.themes for x in (t.title, t.synthesis)]
    texts += [c.finding for c in parts.connections]
    texts += [n.reason for n in parts.notable]
    texts += [t.tldr for t in parts.tldrs]
    return texts


def _cited(parts: BriefingParts) -> list[str]:
    ids = [i for t in parts.themes for i in t.paper_ids]
    ids += [i for c in parts.connections for i in c.paper_ids]
    ids += [n.paper_id for n in parts.notable] + [t.paper_id for t in parts.tldrs]
    return ids + [i for text in _texts(parts) for i in ids_in_text(text)]


def brief_old(window: Window) -> Briefed:
    both = [
        briefing_old.summarise(window.papers, language=lang, scores=window.scores)
        for lang in LANGUAGES
    ]
    named = briefing_old.named_themes(window.papers)
    return Briefed(
        themes=[(ids, names) for ids, names, other in named if not other],
        connections=[c.paper_ids for c in both[0].connections],
        texts=[t for parts in both for t in _texts(parts)],
        cited=[i for parts in both for i in _cited(parts)],
    )


def brief_new(
    window: Window, vectors: WindowVectors | None, statistics: CountedPhraseStatistics
) -> Briefed:
    counts = statistics.counts(candidate_keys(window.papers))
    plan = plan_window(window.papers, scores=window.scores, vectors=vectors, corpus=counts)
    both = [render(plan, lang) for lang in LANGUAGES]
    return Briefed(
        themes=[(t.paper_ids, list(t.keyphrases)) for t in plan.themes if not t.other],
        connections=[c.paper_ids for c in plan.connections],
        texts=[t for parts in both for t in _texts(parts)],
        cited=[i for parts in both for i in _cited(parts)],
    )


def measure(window: Window, briefed: Briefed, vectors: Vectors, figures: Figures) -> None:
    """Add one window's figures; ``vectors`` are the window's papers' rows, in order."""
    row = {p.id: i for i, p in enumerate(window.papers)}
    sims = vectors @ vectors.T
    label: dict[int, int] = {}
    figures.papers += len(window.papers)
    for t, (ids, names) in enumerate(briefed.themes):
        members = [row[i] for i in ids if i in row]
        n = len(members)
        if n < 2:
            continue
        for m in members:
            label[m] = t
        figures.themed += n
        block = sims[np.ix_(members, members)]
        # Each paper's mean cosine to its theme-mates: every paper counts once, so a
        # briefer gains nothing by cutting pairs of near-duplicates out as themes.
        figures.within.extend(((block.sum(axis=1) - np.diag(block)) / (n - 1)).tolist())
        figures.themes += 1
        if not names:
            figures.unnamed += 1
        elif any(filler_words(name) for name in names):
            figures.generic += 1
            if len(figures.examples) < 6:
                figures.examples.append(" / ".join(names))
    across = [float(sims[a, b]) for a in label for b in label if a < b and label[a] != label[b]]
    if across:
        figures.across.append(float(np.mean(across)))
    fields = {p.id: paper_field(p) for p in window.papers}
    for ids in briefed.connections:
        figures.connections += 1
        sides = [i for i in ids if i in row]
        pairs = [
            float(sims[row[a], row[b]])
            for x, a in enumerate(sides)
            for b in sides[x + 1 :]
            if fields[a] != fields[b]
        ]
        if pairs:
            figures.cross_field += 1
            figures.link_similarity.append(float(np.mean(pairs)))
    inside = set(row)
    figures.outside += sum(1 for i in briefed.cited if i not in inside)
    figures.tex += sum(tex_command_chars(text) for text in briefed.texts)


# --- the run --------------------------------------------------------------------------------


def _embedder(cache: Path) -> Embedder:
    from academichub.embedding.cache import CachedEmbedder
    from academichub.embedding.minilm import MiniLMEmbedder

    return CachedEmbedder(MiniLMEmbedder.load(), cache)


def run(
    papers: Sequence[Paper],
    bundled_day: Sequence[Paper],
    embedder: Embedder,
    *,
    say: Callable[[str], None] = print,
) -> dict[str, Figures]:
    """Figures of the old, new and new-on-TF-IDF briefers over the generated windows."""
    started = time.perf_counter()
    everything = list({p.id: p for p in [*papers, *bundled_day]}.values())
    vectors = embedder.embed([paper_text(p) for p in everything])
    row = {p.id: i for i, p in enumerate(everything)}
    took = time.perf_counter() - started
    say(f"vectors: {embedder.model.name}, {len(everything)} papers in {took:.1f} s")
    statistics = CountedPhraseStatistics(everything)
    windows = generated_windows(papers, bundled_day)
    say(
        f"windows: {len(windows)} generated radars, {sum(len(w.papers) for w in windows)} "
        f"papers briefed (at most {WINDOW_PAPERS} a window): "
        + "; ".join(f"{w.radar} ({len(w.papers)})" for w in windows)
    )
    figures = {"old": Figures(), "new": Figures(), "new, TF-IDF": Figures()}
    for window in windows:
        own: Vectors = vectors[[row[p.id] for p in window.papers]]
        minilm = WindowVectors(embedder.model.name, own, MINILM_LINK_SIMILARITY)
        measure(window, brief_old(window), own, figures["old"])
        measure(window, brief_new(window, minilm, statistics), own, figures["new"])
        measure(window, brief_new(window, None, statistics), own, figures["new, TF-IDF"])
    say(f"briefed in {time.perf_counter() - started:.1f} s")
    return figures


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_table(figures: dict[str, Figures]) -> None:
    reports = {name: f.report(name) for name, f in figures.items()}
    names = list(reports)
    print()
    print(f"{'':<36}" + "".join(f"{n:>14}" for n in names))
    rows = [
        ("within-theme similarity", "within_theme_similarity"),
        ("across-theme similarity", "across_theme_similarity"),
        ("theme names with filler (share)", "generic_theme_name_share"),
        ("cross-field connections", "cross_field_connections"),
        ("  their similarity", "connection_similarity"),
        ("citations outside window (0)", "citations_outside_window"),
        ("TeX command chars left (0)", "tex_chars_left"),
    ]
    for title, key in rows:
        print(f"{title:<36}" + "".join(f"{_cell(reports[n][key]):>14}" for n in names))
    print(
        f"{'themes (unnamed)':<36}"
        + "".join(f"{f'{figures[n].themes} ({figures[n].unnamed})':>14}" for n in names)
    )
    print(
        f"{'papers in a theme (share)':<36}"
        + "".join(f"{figures[n].themed / max(1, figures[n].papers):>14.3f}" for n in names)
    )
    print(f"{'connections in all':<36}" + "".join(f"{figures[n].connections:>14}" for n in names))
    for name in names:
        if figures[name].examples:
            print(f"{name}: names with filler, e.g. " + "; ".join(figures[name].examples[:4]))


def _bundled_day() -> list[Paper]:
    """The bundled arXiv RSS day (quant-ph, 81 papers), as the ingestor parses it."""
    from academichub.ingestor.formats.registry import FORMATS
    from academichub.ingestor.replay import replay_feeds

    day: list[Paper] = []
    for feed in replay_feeds():
        if feed.format == "arxiv-rss":
            data = Path(feed.url.removeprefix("file://")).read_bytes()
            day.extend(FORMATS[feed.format](data).papers)
    return day


def run_bench_briefing(
    as_json: bool, cache: str | None, fixtures_dir: str | None, papers_path: str | None = None
) -> int:
    """Print the report; with ``papers_path`` (canonical paper lines) that file is the
    corpus and its first papers the bundled day, instead of the recorded feeds."""
    limit_blas_threads(1)
    say: Callable[[str], None] = (lambda _: None) if as_json else print
    if papers_path is not None:
        from academichub.contracts.paper_lines import load_papers

        papers, problems = load_papers(papers_path)
        for problem in problems:
            print(f"skipped {problem}", file=sys.stderr)
        if not papers:
            print(f"academichub bench briefing: no papers in {papers_path}", file=sys.stderr)
            return 2
        day = papers[:WINDOW_PAPERS]
        say(f"corpus: {len(papers)} papers from {papers_path}")
    else:
        fixtures = Path(fixtures_dir) if fixtures_dir else default_fixtures_dir()
        if fixtures is not None and not fixtures.is_dir():
            fixtures = None
        papers, day = bench_papers(fixtures), _bundled_day()
        where = f", fixtures: {fixtures}" if fixtures else ""
        say(f"corpus: {len(papers)} papers (recorded feeds{where})")
    figures = run(papers, day, _embedder(Path(cache) if cache else DEFAULT_CACHE), say=say)
    if as_json:
        for name in ("old", "new"):
            print(json.dumps(figures[name].report(name)))
        return 0
    print_table(figures)
    return 0
