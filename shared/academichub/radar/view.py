"""A paper as the radar index reads it: the sets a key's *state* is read from.

A key's state in a paper (:mod:`academichub.radar.leaves`) is where the paper holds it:
in the title (1), the abstract (2), both (3) or neither (0); a key of another kind
(author token, category, source, announce type) is held everywhere (3) or not at all.
:func:`key_sets` lists the sets it is read from and :func:`sets_at` where a key's pair of
sets starts, so the index reads any key's state with two membership tests.

Prefixes are answered from a :class:`PrefixRegistry`: a paper's prefix keys are those of
the registered prefixes its tokens start with, so every prefix a query reads must be
registered before papers are viewed (the index does this).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from itertools import compress
from typing import Final, TypeVar

from academichub.radar.document import PaperDocument
from academichub.radar.keys import Key, TaggedKind, kind_of, tagged_key
from academichub.radar.parser import MIN_PREFIX

__all__ = [
    "KeySets",
    "PairRegistry",
    "PaperView",
    "PrefixRegistry",
    "key_sets",
    "paper_keys",
    "sets_at",
]

K = TypeVar("K")

KeySets = tuple[Set[Key], ...]

# A paper's tokens repeat across papers: remembering which registered prefixes a token
# starts with saves walking it again. Forgotten whenever the registered prefixes change.
_TOKEN_CACHE_LIMIT: Final = 200_000
_PREFIX_TAG: Final = tagged_key("prefix", "")


class PrefixRegistry:
    """The prefix keys (``tagged_key("prefix", p)``, ``p`` of 3+ characters) the
    installed queries read, counted per use."""

    def __init__(self) -> None:
        self._uses: dict[str, int] = {}  # by the prefix itself
        self._paths: dict[str, int] = {}  # every p[:k], k >= MIN_PREFIX: a trie as a dict
        self._by_token = _KeysByToken(self._walk)

    def __bool__(self) -> bool:
        return bool(self._uses)

    def add(self, key: str) -> None:
        prefix = key.removeprefix(_PREFIX_TAG)
        if prefix not in self._uses:
            self._by_token.clear()
        self._uses[prefix] = self._uses.get(prefix, 0) + 1
        for k in range(MIN_PREFIX, len(prefix) + 1):
            self._paths[prefix[:k]] = self._paths.get(prefix[:k], 0) + 1

    def discard(self, key: str) -> None:
        prefix = key.removeprefix(_PREFIX_TAG)
        if _decrement(self._uses, prefix):
            self._by_token.clear()
        for k in range(MIN_PREFIX, len(prefix) + 1):
            _decrement(self._paths, prefix[:k])

    def present_in(self, tokens: Iterable[str]) -> set[str]:
        """The keys of the registered prefixes that some token starts with."""
        if not self._uses:
            return set()
        cache = self._by_token
        if len(cache) > _TOKEN_CACHE_LIMIT:
            cache.clear()
        # Looked up in C; a token seen for the first time is walked by __missing__.
        return set(itertools.chain.from_iterable(map(cache.__getitem__, tokens)))

    def _walk(self, token: str) -> tuple[str, ...]:
        # Follow the token down the trie; stop where no registered prefix continues.
        heads = []
        for k in range(MIN_PREFIX, len(token) + 1):
            head = token[:k]
            if head not in self._paths:
                break
            if head in self._uses:
                heads.append(tagged_key("prefix", head))
        return tuple(heads)


class _KeysByToken(dict[str, tuple[str, ...]]):
    """Token -> keys of the registered prefixes it starts with, walked on first sight."""

    def __init__(self, walk: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._walk = walk

    def __missing__(self, token: str) -> tuple[str, ...]:
        heads = self[token] = self._walk(token)
        return heads


def _decrement(counts: dict[K, int], key: K) -> bool:
    """Count one use less; True when the key is gone."""
    if counts[key] > 1:
        counts[key] -= 1
        return False
    del counts[key]
    return True


class PairRegistry:
    """The pairs of consecutive stems the installed queries read or may be anchored on
    (``pair_key``), counted per use. A paper has a pair per word, the radars use a few
    of them: a paper's pairs are only those registered here."""

    def __init__(self) -> None:
        self._uses: dict[tuple[str, str], int] = {}
        self._firsts: dict[str, int] = {}  # the first stems of the pairs, counted

    def add(self, pair: tuple[str, str]) -> None:
        self._uses[pair] = self._uses.get(pair, 0) + 1
        self._firsts[pair[0]] = self._firsts.get(pair[0], 0) + 1

    def discard(self, pair: tuple[str, str]) -> None:
        _decrement(self._uses, pair)
        _decrement(self._firsts, pair[0])

    def present_in(self, stems: Sequence[str]) -> set[tuple[str, str]]:
        """The registered pairs that ``stems`` holds side by side."""
        if not self._uses:
            return set()
        uses = self._uses
        # Only where a registered pair can start (found in C); most stems start none.
        starts = compress(range(len(stems) - 1), map(self._firsts.__contains__, stems))
        return {pair for i in starts if (pair := (stems[i], stems[i + 1])) in uses}


class PaperView:
    """One paper's key sets, built once per paper and shared by all radars."""

    __slots__ = (
        "abstract_pairs",
        "abstract_prefixes",
        "abstract_set",
        "doc",
        "title_pairs",
        "title_prefixes",
        "title_set",
    )

    def __init__(self, doc: PaperDocument, prefixes: PrefixRegistry, pairs: PairRegistry) -> None:
        self.doc = doc
        self.title_set = frozenset(doc.title)
        self.abstract_set = frozenset(doc.abstract)
        # Consecutive stem pairs: a two-word phrase's key, and a longer one's anchors.
        self.title_pairs = pairs.present_in(doc.title)
        self.abstract_pairs = pairs.present_in(doc.abstract)
        self.title_prefixes = prefixes.present_in(doc.title_raw)
        self.abstract_prefixes = prefixes.present_in(doc.abstract_raw)


# Where a key's title and abstract sets are in key_sets(): the title at the offset, the
# abstract after it. Keys of other kinds are looked up in the paper's key set twice, so
# a key held is state 3.
_WORD_SETS: Final = 0
_PAIR_SETS: Final = 2
_PREFIX_SETS: Final = 4
_KEY_SETS: Final = 6
_SETS_BY_KIND: Final = {"word": _WORD_SETS, "pair": _PAIR_SETS, "prefix": _PREFIX_SETS}


def key_sets(view: PaperView, keys: Set[Key]) -> KeySets:
    """The sets a key's state is read from (``keys``: every key of the paper, as the
    index gathers them)."""
    return (
        view.title_set,
        view.abstract_set,
        view.title_pairs,
        view.abstract_pairs,
        view.title_prefixes,
        view.abstract_prefixes,
        keys,
        keys,
    )


def sets_at(key: Key) -> int:
    """The offset in :func:`key_sets` of the two sets ``key``'s state is read from."""
    return _SETS_BY_KIND.get(kind_of(key), _KEY_SETS)


def paper_keys(view: PaperView, kinds: Mapping[str, int]) -> set[Key]:
    """The keys of the paper in ``view``: stems always, the other kinds where ``kinds``
    counts a use (a paper gathers only what some radar reads)."""
    doc = view.doc
    keys: set[Key] = set(view.title_set)
    keys.update(view.abstract_set)
    if kinds.get("pair"):
        keys.update(view.title_pairs)
        keys.update(view.abstract_pairs)
    if kinds.get("prefix"):
        keys.update(view.title_prefixes)
        keys.update(view.abstract_prefixes)
    if kinds.get("author"):
        # Each word once (a name's forms repeat its words), each key made once per word.
        keys.update(map(_author_key, set(itertools.chain.from_iterable(doc.author_forms))))
    if kinds.get("cat"):
        keys.update(map(_category_key, doc.categories))
    if kinds.get("cat*"):
        for category in doc.categories:
            keys.update(_head_keys("cat*", category))
    if kinds.get("source"):
        keys.add(tagged_key("source", doc.source))
    if kinds.get("source*"):
        keys.update(_head_keys("source*", doc.source))
    if kinds.get("type") and doc.announce_type is not None:
        keys.add(tagged_key("type", doc.announce_type))
    return keys


# Names and categories repeat from paper to paper: their keys are made once.
_author_key: Final = functools.lru_cache(maxsize=65_536)(functools.partial(tagged_key, "author"))
_category_key: Final = functools.lru_cache(maxsize=4096)(functools.partial(tagged_key, "cat"))


@functools.lru_cache(maxsize=4096)
def _head_keys(kind: TaggedKind, value: str) -> tuple[str, ...]:
    """The keys of every non-empty head of a category or source (``cs.LG``: ``c``,
    ``cs``, ``cs.``, ...): what a group (``cat:cs.*``) is keyed by."""
    return tuple(tagged_key(kind, value[:k]) for k in range(1, len(value) + 1))
