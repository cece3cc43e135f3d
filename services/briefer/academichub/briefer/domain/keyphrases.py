"""Keyphrases: the noun phrases a paper is about, and the words that never name anything.

A theme or a connection is named by what its papers are about: "surface code decoders",
"lattice surgery", "dark matter halos" — not by filler that happens to be frequent
("explain", "expected", "factor", "results", "naturally"). Without a part-of-speech
tagger (no model weights may be downloaded, and a tagger's gain on abstracts is small
next to these rules) candidates are found by shallow chunking:

1. TeX is made plain outside math and math is cut out (:mod:`.tex`); punctuation,
   brackets and math break phrases.
2. A *content word* is a word of letters (digits allowed beside letters: "2D") of two
   or more characters that is none of :data:`STOP_WORDS`, :data:`REPORTING_VERBS`,
   :data:`VERBS`, :data:`GENERIC_WORDS`, and no adverb in "-ly" (a few nouns such as
   "anomaly" excepted).
3. A candidate is a run of one to four adjacent content words whose last word (the head)
   is no participle ("-ed", and "-ing" except the nouns in :data:`ING_NOUNS`:
   "machine learning", "boson sampling"). The word after a subject pronoun ("we train",
   "they measure") is a verb whatever the lists say, and starts no phrase.

A phrase's identity (:attr:`Keyphrase.key`) is its stemmed tokens, as the radar language
analyses a phrase query, so its document frequency in the store is one phrase search away
(:mod:`.corpus`); its :attr:`~Keyphrase.surface` is the form the window's abstracts use
most.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from academichub.briefer.domain.tex import without_math
from academichub.contracts import Paper
from academichub.radar.analysis import stem, tokenize

__all__ = [
    "GENERIC_WORDS",
    "ING_NOUNS",
    "REPORTING_VERBS",
    "STOP_WORDS",
    "VERBS",
    "Keyphrase",
    "PaperPhrases",
    "filler_words",
    "is_filler",
    "phrase_key",
    "phrases_in",
]

MAX_WORDS: Final = 4

STOP_WORDS: Final = frozenset(
    """
    a about above across after again against all almost along already also although always
    am among an and another any anyone anything are around as at be because been before
    being below beneath beside besides between beyond both but by can cannot could did do
    does doing done down due during each either else enough etc even ever every everything
    for from further had has have having he her here hereby herein hence his how however i
    if in inside into is it its itself just least less lest many may me might more most
    much must my neither no nor not now of off often on once one ones only onto or other
    others otherwise our ours ourselves out over own per perhaps quite rather same several
    shall she should since so some something such than that the their theirs them
    themselves then there thereby therefore these they this those though through
    throughout thus to together too toward towards under underlying unless unlike until up
    upon us very via was we well were what whatever when whenever where whereas whether
    which while who whom whose why will with within without would yet you your
    using used use uses based thereof whereby whilst amongst onto vs versus i.e e.g
    first second third fourth fifth firstly secondly finally zero two three four five six
    seven eight nine ten hundred thousand million billion dozen
    """.split()  # noqa: SIM905
)

# Verbs by which papers report what they do: they frame a claim, they never name a topic.
REPORTING_VERBS: Final = frozenset(
    """
    show shows shown showed showing demonstrate demonstrates demonstrated demonstrating
    propose proposes proposed proposing present presents presented presenting report
    reports reported reporting find finds found finding explain explains explained
    explaining describe describes described describing discuss discusses discussed
    discussing argue argues argued arguing suggest suggests suggested suggesting indicate
    indicates indicated indicating reveal reveals revealed revealing claim claims claimed
    observe observes observed observing note notes noted noting conclude concludes
    concluded confirm confirms confirmed establish establishes established prove proves
    proved proven derive derives derived deriving obtain obtains obtained obtaining
    introduce introduces introduced introducing investigate investigates investigated
    investigating examine examines examined examining explore explores explored exploring
    analyze analyzes analyzed analyse analyses analysed analyzing analysing consider
    considers considered considering evaluate evaluates evaluated evaluating compute
    computes computed calculate calculates calculated estimate estimates estimated
    provide provides provided providing address addresses addressed study studies studied
    studying highlight highlights highlighted outline outlines outlined review reviews
    reviewed summarize summarizes summarized summarise summarises summarised focus focuses
    focused focusing aim aims aimed develop develops developed developing employ employs
    employed exploit exploits exploited apply applies applied applying
    """.split()  # noqa: SIM905
)

# Other verbs frequent in abstracts that are never a topic's name.
VERBS: Final = frozenset(
    """
    allow allows allowed allowing enable enables enabled enabling lead leads leading led
    yield yields yielded require requires required requiring remain remains remained
    rely relies relied depend depends depended arise arises arose arising occur occurs
    occurred occurring become becomes became becoming give gives gave given giving take
    takes took taken taking make makes made making include includes included including
    contain contains contained exhibit exhibits exhibited exhibiting achieve achieves
    achieved achieving improve improves improved improving reduce reduces reduced reducing
    increase increases increased increasing decrease decreases decreased decreasing help
    helps helped seem seems seemed appear appears appeared tend tends tended exist exists
    existed consist consists consisted correspond corresponds corresponding involve involves
    involved involving emerge emerges emerged offer offers offered serve serves served lie
    lies hold holds held get gets got obtainable affect affects affected perform performs
    performed performing compare compares compared comparing agree agrees agreed predict
    predicts predicted capture captures captured determine determines determined remains
    characterize characterizes characterized characterise characterises characterised
    identify identifies identified identifying ensure ensures ensured construct constructs
    constructed design designs designed implement implements implemented investigate
    extend extends extended generalize generalizes generalized generalise generalised
    outperform outperforms outperformed surpass surpasses surpassed exceed exceeds exceeded
    support supports supported produce produces produced induce induces induced mitigate
    mitigates mitigated enhance enhances enhanced explain attempt attempts attempted try
    tries tried seek seeks sought need needs needed want wants call calls called known
    say says said see sees seen look looks looked turn turns turned keep keeps kept let
    lets put puts set sets setting begin begins began start starts started
    expect expects expected expecting train trains trained combine combines combined
    transfer transfers transferred assemble assembles assembled
    """.split()  # noqa: SIM905
)

# Nouns and adjectives that name no topic: "results", "paper", "factor", "novel approach".
GENERIC_WORDS: Final = frozenset(
    """
    paper papers article articles work works study result results finding findings method
    methods methodology methodologies approach approaches technique techniques framework
    frameworks factor factors aspect aspects way ways example examples case cases issue
    issues task tasks question questions fact facts kind kinds type types term terms part
    parts role roles context respect investigation investigations discussion overview
    introduction conclusion conclusions contribution contributions implication
    implications feature features insight insights evidence understanding development
    developments progress attention interest importance presence existence absence
    possibility possibilities ability need lack amount amounts variety manner means purpose
    purposes goal goals idea ideas notion notions thing things situation situations detail
    details instance instances regard addition
    novel new recent recently various different important significant significantly
    certain particular main key previous previously further additional several numerous
    many few possible promising interesting remarkable notable crucial essential major
    good better best great greater extensive comprehensive detailed rich typical usual
    same similar other existing proposed resulting corresponding respective relevant
    appropriate suitable efficient robust accurate precise approximate alternative
    original able unable likely unlikely clear clearly directly explicit explicitly
    """.split()  # noqa: SIM905
)

# Kept out of the list on purpose: words that look generic but are half of a concept's
# name — "general relativity", "effective field theory", "chemical potential", "critical
# point", "specific heat", "strong coupling", "large deviations", "winding number",
# "inverse problem", "complex networks", "central charge", "natural language".

# "-ing" words that are nouns and may end a phrase ("machine learning").
ING_NOUNS: Final = frozenset(
    """
    learning computing sensing scattering tunneling tunnelling imaging sampling coupling
    mixing encoding decoding pumping cooling trapping squeezing ranking clustering
    forecasting modeling modelling screening sequencing signaling signalling splicing
    folding binding docking editing processing reasoning planning training tuning matching
    labeling labelling monitoring pruning filtering smoothing rendering scheduling routing
    caching hashing lensing heating doping pairing spacing bonding wetting melting
    networking programming engineering manufacturing printing timing ordering breaking
    hopping splitting shielding dephasing damping driving spreading
    """.split()  # noqa: SIM905
)

# "-ly" words that are nouns, not adverbs.
_LY_NOUNS: Final = frozenset(
    [
        "anomaly",
        "anomaly",
        "family",
        "assembly",
        "supply",
        "monopoly",
        "butterfly",
        "italy",
        "reply",
        "poly",
        "jelly",
    ]
)
_NOT_PARTICIPLES: Final = frozenset(
    ["speed", "seed", "feed", "bed", "red", "shed", "embed", "hundred", "need"]
)

_SUBJECTS: Final = frozenset(["we", "they", "it", "which", "who", "i"])
_WORD_RE: Final = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_GAP_RE: Final = re.compile(r"\s*")


def is_filler(word: str) -> bool:
    """Whether ``word`` (any case) names nothing: a stop word, a reporting or other
    common verb, a generic noun or adjective, or an adverb."""
    w = word.lower()
    return (
        w in STOP_WORDS
        or w in REPORTING_VERBS
        or w in VERBS
        or w in GENERIC_WORDS
        or (w.endswith("ly") and w not in _LY_NOUNS)
    )


def filler_words(phrase: str) -> list[str]:
    """The words of ``phrase`` that name nothing: filler words (:func:`is_filler`), and
    compounds whose head is filler or that hold a stop word ("well-known",
    "state-of-the-art"); "first-order" and "two-dimensional" name something."""
    return [word for word in phrase.split() if not _content(word)]


def _content(word: str) -> bool:
    tokens = tokenize(word)
    if not tokens or len(word) < 2 or word.isdigit():
        return False
    if not any(c.isalpha() for c in word) or all(len(t) == 1 for t in tokens):
        return False
    if len(tokens) == 1:
        return not is_filler(tokens[0])
    # A compound ("first-order", "two-dimensional", "long-range") names something when its
    # head does and no stop word sits inside it ("state-of-the-art", "well-known" do not).
    return not is_filler(tokens[-1]) and not any(t in STOP_WORDS for t in tokens[1:-1])


def _head_ok(word: str) -> bool:
    if word.lower().endswith(("'s", "’s")):
        return False  # "Sklyanin's" is half a phrase
    w = word.lower().rsplit("-", 1)[-1]
    if w.endswith("ed") and len(w) > 4 and w not in _NOT_PARTICIPLES:
        return False
    return not (w.endswith("ing") and len(w) > 5 and w not in ING_NOUNS)


def phrase_key(text: str) -> tuple[str, ...]:
    """The identity of a phrase: its stemmed tokens (``"Surface codes"`` → surface, code)."""
    return tuple(stem(t) for t in tokenize(text))


def _display(word: str, sentence_start: bool) -> str:
    # Acronyms and names keep their capitals ("GHZ", "Ising"); a capital that only
    # starts a sentence or a title word is dropped.
    if any(c.isupper() for c in word[1:]):
        return word
    if word[:1].isupper() and not sentence_start:
        return word
    return word.lower()


def _chunks(text: str, *, title: bool) -> Iterator[list[str]]:
    """Runs of words with nothing but spaces between them, as displayed."""
    plain = without_math(text)
    run: list[str] = []
    end = 0
    sentence_start = True
    for m in _WORD_RE.finditer(plain):
        gap = plain[end : m.start()]
        if run and not _GAP_RE.fullmatch(gap):
            yield run
            run = []
            sentence_start = any(c in ".!?:" for c in gap)
        word = m.group(0)
        # In a title every word is capitalised: only acronyms keep their capitals.
        run.append(word if any(c.isupper() for c in word[1:]) else word.lower())
        if not title:
            run[-1] = _display(word, sentence_start and len(run) == 1)
        end = m.end()
    if run:
        yield run


def phrases_in(text: str, *, title: bool = False) -> Iterator[tuple[tuple[str, ...], str]]:
    """Candidate keyphrases of ``text`` as (key, surface), one per occurrence."""
    for chunk in _chunks(text, title=title):
        start = 0
        while start < len(chunk):
            if not _content(chunk[start]) or (start > 0 and chunk[start - 1].lower() in _SUBJECTS):
                start += 1
                continue
            stop = start + 1
            while stop < len(chunk) and _content(chunk[stop]):
                stop += 1
            words = chunk[start:stop]
            for i in range(len(words)):
                for j in range(i + 1, min(len(words), i + MAX_WORDS) + 1):
                    span = words[i:j]
                    if _head_ok(span[-1]):
                        surface = " ".join(span)
                        yield phrase_key(surface), surface
            start = stop


@dataclass(frozen=True)
class Keyphrase:
    key: tuple[str, ...]
    surface: str

    @property
    def words(self) -> int:
        return len(self.key)


@dataclass
class PaperPhrases:
    """The candidate keyphrases of one paper: counts (a title occurrence counts double)
    and the surfaces seen, by key."""

    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)
    surfaces: dict[tuple[str, ...], Counter[str]] = field(default_factory=dict)
    in_title: set[tuple[str, ...]] = field(default_factory=set)

    @classmethod
    def of(cls, paper: Paper) -> PaperPhrases:
        found = cls()
        for key, surface in phrases_in(paper.title, title=True):
            found.counts[key] += 2
            found.in_title.add(key)
            # Title forms are lower-cased guesses: they count less than the abstract's.
            found.surfaces.setdefault(key, Counter())[surface] += 1
        for key, surface in phrases_in(paper.abstract):
            found.counts[key] += 1
            found.surfaces.setdefault(key, Counter())[surface] += 2
        return found
