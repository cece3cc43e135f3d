"""Text analysis shared by every compilation of the radar language.

Tokens are runs of letters/digits after Unicode NFKC and lower-casing; words are
stemmed with the Snowball English stemmer. The same functions feed the in-memory
matcher and the full-text index, so a term means the same thing everywhere.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

import snowballstemmer

# A token is a maximal run of Unicode letters or digits ("[^\W_]" = word chars minus "_").
_TOKEN_RE = re.compile(r"[^\W_]+")
_STEMMER = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """Lower-cased NFKC tokens, unstemmed (what prefixes are matched against)."""
    return _TOKEN_RE.findall(normalise(text))


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    # Interned: equal stems are one object, so set look-ups match by identity.
    return sys.intern(str(_STEMMER.stemWord(token)))


def analyze(text: str) -> list[str]:
    """Stemmed tokens in order (what words and phrases are matched against)."""
    return [stem(t) for t in tokenize(text)]


def fold_name(text: str) -> list[str]:
    """Accent-folded, lower-cased name tokens: 'Rémy' and 'Remy' both give ['remy']."""
    decomposed = unicodedata.normalize("NFKD", normalise(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TOKEN_RE.findall(stripped)
