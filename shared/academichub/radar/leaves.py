"""The leaves of the radar query language, and what each kind means: the one place every
reading of a query consults.

A leaf is read the same way by the reference evaluator, the radar index, the tantivy and
Elasticsearch compilers, the highlighter and scoring, because each of them asks its leaf
instead of saying it again. Each leaf class says:

* :meth:`~Word.readings` -- how it reads a paper: for each field it can fire in
  (``title``, ``abstract``, ``author``, ``cat``, ``source``, ``type``), the
  :class:`Probe` s that make it fire there (any of them). A probe is one test on one
  *stream* of the analysed paper (:meth:`academichub.radar.document.PaperDocument.stream`):
  a ``term`` the stream holds, a ``phrase`` of consecutive tokens inside one of its values,
  or a ``prefix`` that one of its tokens starts with. The full-text indices hold the same
  streams under the same names, so a compiler turns each probe into one query of its
  engine and knows nothing else about leaves; :func:`spans` is the same for Python;
* :meth:`~Word.term` -- the term it reports when it fires (the "why" of a match), which
  :func:`leaf_of` reads back (scoring, highlighting the fired terms);
* :meth:`~Word.key` -- the index key (:mod:`academichub.radar.keys`) whose *state* in a
  paper (held in the title: 1, in the abstract: 2, elsewhere: 3, not at all: 0; see
  :mod:`academichub.radar.view`) is exactly the leaf's state, so the radar index answers
  the leaf with two set look-ups; None where no key says it exactly;
* :meth:`~Word.clauses` -- keys a matching paper must hold (each a clause on its own),
  each with a guess of how common it is: what the index anchors and guards radars on
  (:mod:`academichub.radar.anchors`), i.e. the leaf's selectivity.

Leaves hold *analysed* values (:mod:`academichub.radar.analysis`), so every reading
compares like with like: :class:`Word` / :class:`Phrase` hold stems, :class:`Prefix` an
unstemmed token prefix of at least 3 characters, :class:`Author` name tokens,
:class:`Category`, :class:`Source`, :class:`AnnounceType` exact lower-cased values
(``cat:cs.*`` is a Category with ``group=True`` and value ``cs.``). ``raw`` is the value
as the user typed it.

The streams: ``title``/``abstract`` the stems in order, ``title_raw``/``abstract_raw`` the
unstemmed tokens, ``author`` the forms of each author's name (:func:`name_forms`, one value
per form), ``cat`` the lower-cased categories, ``source`` and ``type`` (one value each,
none for a paper without an announce type).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, Final, Literal

from academichub.contracts import MatchedTerm
from academichub.radar.keys import Key, pair_key, tagged_key
from academichub.radar.selectivity import WordFrequency, prefix_frequency

if TYPE_CHECKING:
    from academichub.radar.document import PaperDocument

__all__ = [
    "AnnounceType",
    "Author",
    "Category",
    "Clause",
    "Leaf",
    "Op",
    "Phrase",
    "Prefix",
    "Probe",
    "Reading",
    "Source",
    "Stream",
    "TextField",
    "Word",
    "fired_fields",
    "leaf_of",
    "name_forms",
    "spans",
    "state",
    "text_fields",
]

TextField = Literal["text", "title", "abstract"]
Stream = Literal[
    "title",
    "abstract",
    "title_raw",
    "abstract_raw",
    "author",
    "cat",
    "source",
    "type",
]
Op = Literal["term", "phrase", "prefix"]
Clause = tuple[Key, float]  # a key every match holds, and how common it is guessed to be

# Guesses of how often a key occurs, until the index has measured it.
_PAIR_SHARE: Final = 0.25  # two stems side by side are much rarer than either
_NAME_WORD: Final = 0.002  # a word of some author's name
_INITIAL: Final = 0.05  # a one-letter word of a name: an initial, common
_CATEGORY: Final = 0.1  # the big categories each hold several percent of arXiv
_CATEGORY_GROUP: Final = 0.4  # cs.* about a third
_SOURCE: Final = 0.4
_SOURCE_GROUP: Final = 0.3
_TYPE: Final = 0.4


@dataclass(frozen=True, slots=True)
class Probe:
    """One test on one stream of an analysed paper."""

    stream: Stream
    op: Op
    values: tuple[str, ...]  # one term or prefix; the tokens of a phrase (never empty)


@dataclass(frozen=True, slots=True)
class Reading:
    """A leaf fires in ``field`` when one of ``probes`` holds."""

    field: str
    probes: tuple[Probe, ...]


def text_fields(field: TextField) -> tuple[Literal["title", "abstract"], ...]:
    return ("title", "abstract") if field == "text" else (field,)


_PREFIX_STREAMS: Final[dict[str, Stream]] = {"title": "title_raw", "abstract": "abstract_raw"}


@dataclass(frozen=True, slots=True)
class Word:
    """A stem in the title or abstract (``field``)."""

    field: TextField
    token: str
    raw: str

    def readings(self) -> tuple[Reading, ...]:
        return tuple(
            Reading(f, (Probe(f, "term", (self.token,)),)) for f in text_fields(self.field)
        )

    def term(self) -> str:
        return self.token

    def key(self) -> Key:
        return self.token

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [(self.token, word(self.token))]


@dataclass(frozen=True, slots=True)
class Phrase:
    """Stems side by side, inside the title or inside the abstract."""

    field: TextField
    tokens: tuple[str, ...]
    raw: str

    def __post_init__(self) -> None:
        if len(self.tokens) < 2:
            raise ValueError(f"a phrase has at least two tokens, not {self.tokens!r}")

    def readings(self) -> tuple[Reading, ...]:
        return tuple(
            Reading(f, (Probe(f, "phrase", self.tokens),)) for f in text_fields(self.field)
        )

    def term(self) -> str:
        return " ".join(self.tokens)

    def key(self) -> Key | None:
        # Two stems are one pair key; a longer run is more than any of its pairs.
        return pair_key(*self.tokens) if len(self.tokens) == 2 else None

    def clauses(self, word: WordFrequency) -> list[Clause]:
        # Each pair: "function field" is rare even though both words are everywhere.
        return [
            (pair_key(a, b), _PAIR_SHARE * min(word(a), word(b)))
            for a, b in itertools.pairwise(self.tokens)
        ]


@dataclass(frozen=True, slots=True)
class Prefix:
    """An unstemmed token of the title or abstract starting with ``prefix``."""

    field: TextField
    prefix: str
    raw: str

    def readings(self) -> tuple[Reading, ...]:
        return tuple(
            Reading(f, (Probe(_PREFIX_STREAMS[f], "prefix", (self.prefix,)),))
            for f in text_fields(self.field)
        )

    def term(self) -> str:
        return f"{self.prefix}*"

    def key(self) -> Key:
        return tagged_key("prefix", self.prefix)

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [(self.key(), prefix_frequency(self.prefix))]


@dataclass(frozen=True, slots=True)
class Author:
    """Names, in either order. One word: an author one of whose name words it is
    (``author:zhang`` finds "Zhang Cheng" and "Wei Zhang"). More: an author whose name
    holds the words side by side as typed, or with the family name moved, the last word
    first or the first word last (``author:"Zhang Cheng"`` finds "Zhang Cheng" and "Cheng
    Zhang"). Each name is also read with its given names as initials, either end being
    the family name (:func:`name_forms`), so a one-letter word matches an initial:
    ``author:"Y LeCun"`` and ``author:"LeCun Y"`` find "Yann LeCun" and "LeCun, Y."."""

    tokens: tuple[str, ...]
    raw: str

    def __post_init__(self) -> None:
        if not self.tokens:
            raise ValueError("an author leaf needs at least one name token")

    def orders(self) -> tuple[tuple[str, ...], ...]:
        """The word orders a name may hold the query's words in, each once."""
        words = self.tokens
        return tuple(dict.fromkeys((words, words[-1:] + words[:-1], words[1:] + words[:1])))

    def readings(self) -> tuple[Reading, ...]:
        probes = tuple(
            Probe("author", "phrase" if len(order) > 1 else "term", order)
            for order in self.orders()
        )
        return (Reading("author", probes),)

    def term(self) -> str:
        return " ".join(self.tokens)

    def key(self) -> Key | None:
        # One word is any word of a name: exactly what the index's author keys hold.
        return tagged_key("author", self.tokens[0]) if len(self.tokens) == 1 else None

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [
            (tagged_key("author", token), _INITIAL if len(token) == 1 else _NAME_WORD)
            for token in dict.fromkeys(self.tokens)
        ]


def name_forms(name: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """How an author's name is read: its words, then with the given names as initials,
    the family name last (``y lecun``) or first (``zhang c``); each form once."""
    if len(name) < 2:
        return (name,) if name else ()
    family_last = (*(word[0] for word in name[:-1]), name[-1])
    family_first = (name[0], *(word[0] for word in name[1:]))
    return tuple(dict.fromkeys((name, family_last, family_first)))


@dataclass(frozen=True, slots=True)
class Category:
    """A category, exactly, or (``group``) every category starting with ``value``."""

    value: str
    group: bool
    raw: str

    def readings(self) -> tuple[Reading, ...]:
        return (Reading("cat", (Probe("cat", _exact_or_group(self.group), (self.value,)),)),)

    def term(self) -> str:
        return f"{self.value}*" if self.group else self.value

    def key(self) -> Key:
        # A group is keyed by its head: the index gathers every head of a paper's categories.
        return tagged_key("cat*" if self.group else "cat", self.value)

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [(self.key(), _CATEGORY_GROUP if self.group else _CATEGORY)]


@dataclass(frozen=True, slots=True)
class Source:
    """The paper's source, exactly, or (``group``) starting with ``value``."""

    value: str
    group: bool
    raw: str

    def readings(self) -> tuple[Reading, ...]:
        return (Reading("source", (Probe("source", _exact_or_group(self.group), (self.value,)),)),)

    def term(self) -> str:
        return f"{self.value}*" if self.group else self.value

    def key(self) -> Key:
        return tagged_key("source*" if self.group else "source", self.value)

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [(self.key(), _SOURCE_GROUP if self.group else _SOURCE)]


@dataclass(frozen=True, slots=True)
class AnnounceType:
    """The paper's announce type (a journal paper has none)."""

    value: str
    raw: str

    def readings(self) -> tuple[Reading, ...]:
        return (Reading("type", (Probe("type", "term", (self.value,)),)),)

    def term(self) -> str:
        return self.value

    def key(self) -> Key:
        return tagged_key("type", self.value)

    def clauses(self, word: WordFrequency) -> list[Clause]:
        return [(self.key(), _TYPE)]


Leaf = Word | Phrase | Prefix | Author | Category | Source | AnnounceType


def _exact_or_group(group: bool) -> Op:
    return "prefix" if group else "term"


# --- reading a paper --------------------------------------------------------------------

# A leaf's state: bit 1 where it holds in the title, bit 2 in the abstract; a leaf of any
# other field holds "everywhere" (both bits) or not at all.
_FIELD_BITS: Final = {"title": 1, "abstract": 2}
_ELSEWHERE: Final = 3


def spans(probe: Probe, tokens: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Where ``probe`` holds in one value of its stream: (first, last) token, in order.

    The scans run in C (``compress``/``map``): highlighting runs this over every abstract
    shown, and most tokens are not hits."""
    every = range(len(tokens))
    first = probe.values[0]
    if probe.op == "prefix":
        starts = compress(every, map(operator.methodcaller("startswith", first), tokens))
        return ((i, i) for i in starts)
    starts = compress(every, map(first.__eq__, tokens))
    if probe.op == "term":
        return ((i, i) for i in starts)
    run = probe.values
    n = len(run)
    return ((i, i + n - 1) for i in starts if tuple(tokens[i : i + n]) == run)


def holds(probe: Probe, doc: PaperDocument) -> bool:
    return any(next(spans(probe, value), None) for value in doc.stream(probe.stream))


def state(leaf: Leaf, doc: PaperDocument) -> int:
    """Where ``leaf`` holds in ``doc`` (the bits above; 0: nowhere)."""
    found = 0
    for reading in leaf.readings():
        if any(holds(probe, doc) for probe in reading.probes):
            found |= _FIELD_BITS.get(reading.field, _ELSEWHERE)
    return found


def fired_fields(leaf: Leaf, found: int) -> list[str]:
    """The fields ``leaf`` fires in, in order, for the state ``found``."""
    return [field for field, bit in _reported(leaf) if found & bit]


# Which fields a leaf's readings name depends on its kind and text field only: worked out
# once per those (the radar index asks on every first sight of a query's outcome).
_REPORTED: Final[dict[tuple[type, str | None], tuple[tuple[str, int], ...]]] = {}


def _reported(leaf: Leaf) -> tuple[tuple[str, int], ...]:
    """The fields ``leaf`` reads, in order, with their state bits."""
    kind = (type(leaf), leaf.field if isinstance(leaf, Word | Phrase | Prefix) else None)
    found = _REPORTED.get(kind)
    if found is None:
        found = _REPORTED[kind] = tuple(
            (r.field, _FIELD_BITS.get(r.field, _ELSEWHERE)) for r in leaf.readings()
        )
    return found


# --- the reported term, read back ----------------------------------------------------------


def leaf_of(term: MatchedTerm) -> Leaf:
    """The leaf that reports ``term`` (``raw`` is the term itself): the inverse of each
    leaf's :meth:`~Word.term` in its field."""
    field, value = term.field, term.term
    if field in _FIELD_BITS:
        where: TextField = "title" if field == "title" else "abstract"
        if value.endswith("*"):
            return Prefix(where, value[:-1], value)
        tokens = tuple(value.split(" "))
        return Phrase(where, tokens, value) if len(tokens) > 1 else Word(where, value, value)
    group = value.endswith("*")
    head = value.removesuffix("*")
    if field == "author":
        return Author(tuple(value.split(" ")), value)
    if field == "cat":
        return Category(head, group, value)
    if field == "source":
        return Source(head, group, value)
    if field == "type":
        return AnnounceType(value, value)
    raise ValueError(f"no leaf reports terms in the field {field!r}")
