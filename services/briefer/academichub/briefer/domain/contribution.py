"""What a paper contributes, in its own words: the sentence of its abstract that says so.

Abstracts open with background ("Quantum computers are a promising technology.") and
say what the paper does later ("We show that…", "Here we propose…", "This paper
presents…"). :func:`contribution` finds that sentence:

1. a sentence that states the contribution — "we"/"this paper"/"our results" followed by
   a reporting verb (:data:`_CLAIM_RE`) — wins, the earliest one first;
2. otherwise the sentence with a weaker cue ("outperforms", "achieves", "we"), then any
   sentence that is not background (:data:`_BACKGROUND`), the opening one last;
3. a sentence too short to say anything is joined by the next one.

:func:`tldr` cuts it cleanly: a leading "In this paper," goes, TeX outside math becomes
plain text, math is never cut through, and a sentence over the limit ends at a clause
boundary (";", ", which", ", and") or a word, with an ellipsis. :func:`claim` turns it
into a clause a theme synthesis can quote ("shows that lattice surgery…").

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from academichub.briefer.domain.tex import plain_outside_math
from academichub.briefer.domain.text import clean_text, split_sentences
from academichub.contracts import Paper
from academichub.radar.analysis import tokenize
from academichub.tex import math_runs

__all__ = ["Contribution", "claim", "clip_clean", "contribution", "tldr"]

TLDR_CHARS: Final = 320
_MIN_TOKENS: Final = 7

_VERBS: Final = (
    "show|prove|propose|present|introduce|develop|demonstrate|report|find|establish|derive|"
    "obtain|construct|design|provide|identify|reveal|achieve|argue|compute|calculate|"
    "measure|observe|study|investigate|analy[sz]e|explore|examine|describe|discuss|"
    "consider|formulate|build|train|release|apply|extend|generali[sz]e|characteri[sz]e|"
    "determine|predict|perform|implement|discover|use|employ|test|evaluate|estimate"
)
# "We show", "Here, we propose", "In this work we present", "This paper develops",
# "Our results demonstrate", "We experimentally demonstrate".
_CLAIM_RE: Final = re.compile(
    r"^(?:(?:here|in this (?:paper|work|letter|article|study|note|manuscript)|finally|"
    r"moreover|furthermore|in addition|to this end|specifically|in particular|thus|"
    r"therefore|as a result|consequently)\s*,?\s*)?"
    r"(?:(?P<we>we)(?:\s+\w+ly)?\s+(?P<verb>(?:" + _VERBS + r")(?:e?s|ed)?)\b"
    r"|(?P<this>this (?:paper|work|letter|article|study|note|manuscript))\s+"
    r"(?P<verb2>(?:" + _VERBS + r")(?:e?s|ed)?)\b"
    r"|(?P<our>our (?:results?|findings?|analysis|method|approach|model|simulations?|"
    r"experiments?|data|measurements?|calculations?))\s+(?P<verb3>\w+)\b)",
    re.IGNORECASE,
)
_LEAD_RE: Final = re.compile(
    r"^(?:here|in this (?:paper|work|letter|article|study|note|manuscript))\s*,?\s*",
    re.IGNORECASE,
)
_WEAK_CUES: Final = (
    "outperform",
    "achieves",
    "improves",
    "we ",
    "our ",
    "results show",
    "results indicate",
    "enables",
    "reveals",
)
_BACKGROUND: Final = (
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
    "a long-standing",
    "a major challenge",
    "future work",
    "however,",
    "recently",
)
# Clause boundaries a long sentence may end at, best first.
_CLAUSE_RE: Final = re.compile(r"; |, which |, where |, while |, whereas | — | -- |, and |: |, ")
# Third person of the claim verbs, for quoting a paper in a synthesis.
_IRREGULAR: Final = {"study": "studies", "apply": "applies", "use": "uses", "find": "finds"}


# Claims that say what is new; "we use", "we study" say what was done, and lose to them.
_STRONG: Final = re.compile(
    r"(?:show|prove|propose|present|introduce|develop|demonstrate|report|find|found|"
    r"establish|derive|construct|design|discover|achieve|reveal|identify|obtain)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Contribution:
    sentence: str  # as in the abstract
    strength: int  # 3: a stated claim ("we show"), 2: a weaker cue, 1: neither, 0: none


def _strength(sentence: str, index: int) -> int:
    lowered = sentence.lower()
    m = _CLAIM_RE.match(sentence)
    if m is not None:
        verb = m.group("verb") or m.group("verb2") or ""
        return 3 if m.group("our") or _STRONG.match(verb) else 2
    if any(cue in lowered for cue in _WEAK_CUES):
        return 2
    if index == 0 or any(cue in lowered for cue in _BACKGROUND):
        return 0
    return 1


def contribution(paper: Paper) -> Contribution:
    """The sentence of ``paper``'s abstract that says what it contributes."""
    sentences = split_sentences(paper.abstract)
    if not sentences:
        return Contribution(clean_text(paper.title), 0)
    best, strength = 0, -1
    for i, sentence in enumerate(sentences):
        s = _strength(sentence, i)
        if s == 3 and len(tokenize(sentence)) >= 4:
            best, strength = i, s
            break  # the first stated claim
        if s > strength:
            best, strength = i, s
    chosen = sentences[best]
    if len(tokenize(chosen)) < _MIN_TOKENS and best + 1 < len(sentences):
        chosen = f"{chosen} {sentences[best + 1]}"
    return Contribution(chosen, max(strength, 0))


def clip_clean(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, never cut inside math: at the last
    clause boundary past half the limit, else at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    # Positions inside math may not end the cut.
    math_spans: list[tuple[int, int]] = []
    at = 0
    for math, run in math_runs(text):
        if math:
            math_spans.append((at, at + len(run)))
        at += len(run)

    def outside(pos: int) -> bool:
        return all(not (start < pos < end) for start, end in math_spans)

    head = text[: limit - 1]
    for m in reversed(list(_CLAUSE_RE.finditer(head))):
        if m.start() >= limit // 2 and outside(m.start()):
            return head[: m.start()].rstrip(" ,;:") + "…"
    for pos in range(len(head), limit // 3, -1):
        if head[pos - 1] == " " and outside(pos - 1):
            return head[: pos - 1].rstrip(" ,;:-") + "…"
    # One long math run from early on: end before it rather than inside it.
    first = next((s for s, _ in math_spans if s < limit), len(head))
    return head[:first].rstrip(" ,;:-") + "…" if first > 0 else head + "…"


def tldr(paper: Paper, limit: int = TLDR_CHARS) -> str:
    """``paper``'s TL;DR: its contribution sentence, plain outside math, cut cleanly."""
    sentence = contribution(paper).sentence
    stripped = _LEAD_RE.sub("", sentence)
    if stripped != sentence and stripped[:1].islower():
        stripped = stripped[0].upper() + stripped[1:]
    text = plain_outside_math(clean_text(stripped))
    return clip_clean(text, limit)


def _third_person(verb: str) -> str:
    lowered = verb.lower()
    if lowered.endswith(("ed", "es")) or (lowered.endswith("s") and not lowered.endswith("ss")):
        return lowered
    if lowered in _IRREGULAR:
        return _IRREGULAR[lowered]
    if lowered.endswith(("sh", "ch", "x", "ss", "z")):
        return lowered + "es"
    if lowered.endswith("y") and lowered[-2:-1] not in "aeiou":
        return lowered[:-1] + "ies"
    return lowered + "s"


def claim(paper: Paper, limit: int = 160) -> str | None:
    """``paper``'s contribution as a clause that can follow its title ("shows that X",
    "proposes Y"), or None when its abstract states no claim in the first person."""
    sentence = contribution(paper).sentence
    m = _CLAIM_RE.match(sentence)
    if m is None or m.group("our"):
        return None
    verb = m.group("verb") or m.group("verb2")
    rest = sentence[m.end() :].strip().rstrip(".")
    if not rest or not rest[0].isalnum() or rest.lower().startswith(("and ", "or ", "it ")):
        return None  # "we show, in the case…": the clause does not read on its own
    text = f"{_third_person(verb)} {rest}"
    return clip_clean(plain_outside_math(clean_text(text)), limit)
