"""Text analysis shared by every reading of the radar language.

The same functions feed the in-memory matcher, the tantivy and Elasticsearch indices
(which hold this module's output, pre-analysed) and the highlighter, so a term means the
same thing everywhere:

* :func:`normalise` -- case and accents folded: Unicode NFKD of the case-folded text with
  the combining marks removed, so ``Schrödinger``, ``Schrödinger`` and ``schrodinger``
  are one word, ``ﬁeld`` is ``field`` and ``Straße`` is ``strasse``;
* :func:`tokenize` -- the tokens: maximal runs of letters and digits of the normalised
  text; a possessive ``'s`` (or ``’s``) ending a token is dropped with its apostrophe
  (``Hamiltonian's`` is ``hamiltonian``);
* :func:`stem` -- a light, inflectional English stemmer: it folds plurals and nothing
  else, so technical words stay apart (``transformers`` is ``transformer``, never
  ``transform``). The rules, in order (a word of three letters or fewer is left alone):

  1. a known irregular plural becomes its singular (``matrices`` -> ``matrix``,
     ``spectra`` -> ``spectrum``, ``nuclei`` -> ``nucleus``; :data:`IRREGULAR_PLURALS`);
  2. a word not ending in ``s``, or ending in ``ss``, ``us`` or ``is``, is left alone
     (``class``, ``focus``, ``analysis``);
  3. ``-ies`` becomes ``-y`` (``galaxies`` -> ``galaxy``), except in a word of four
     letters or a known ``-ie`` noun, which only loses the ``s`` (``ties``, ``cookies``);
  4. ``-es`` after ``ss``, ``x``, ``ch``, ``sh``, ``zz`` or ``us``, and ``-oes``, lose the
     ``es`` (``processes``, ``boxes``, ``approaches``, ``viruses``, ``echoes``), except for
     known ``-che`` and ``-oe`` nouns, which only lose the ``s`` (``caches``, ``canoes``);
  5. any other final ``s`` is dropped (``qubits``, ``rotations``, ``phases``).

  ``word*`` (a prefix) remains the way to ask for every form of a word.
* :func:`analyze` -- the stems of a text in order (what words and phrases match).

Author names use the same normalisation and tokens, unstemmed.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import Final

__all__ = [
    "ANALYSIS_VERSION",
    "IRREGULAR_PLURALS",
    "TOKEN_RE",
    "analyze",
    "normalise",
    "stem",
    "tokenize",
]

# Which analysis this is: changed with any rule that changes tokens or stems, so stored
# full-text indices made with another are rebuilt (``academichub reindex``; the embedded
# index notices by itself). 1 was NFKC + Snowball English; 2 folds accents and plurals only.
ANALYSIS_VERSION: Final = 2

# A token is a maximal run of Unicode letters or digits ("[^\W_]" = word chars minus "_");
# a possessive "'s" right after one is matched too but is not part of it (group 1).
TOKEN_RE: Final = re.compile(r"([^\W_]+)(?:['’]s(?![^\W_]))?")

IRREGULAR_PLURALS: Final = {
    "matrices": "matrix",
    "vertices": "vertex",
    "indices": "index",
    "simplices": "simplex",
    "apices": "apex",
    "appendices": "appendix",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "syntheses": "synthesis",
    "theses": "thesis",
    "parentheses": "parenthesis",
    "diagnoses": "diagnosis",
    "crises": "crisis",
    "spectra": "spectrum",
    "quanta": "quantum",
    "maxima": "maximum",
    "minima": "minimum",
    "optima": "optimum",
    "extrema": "extremum",
    "momenta": "momentum",
    "strata": "stratum",
    "bacteria": "bacterium",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "nuclei": "nucleus",
    "radii": "radius",
    "foci": "focus",
    "loci": "locus",
    "fungi": "fungus",
    "stimuli": "stimulus",
    "genera": "genus",
    "corpora": "corpus",
    "formulae": "formula",
    "antennae": "antenna",
    "larvae": "larva",
    "nebulae": "nebula",
    "children": "child",
    "women": "woman",
    "mice": "mouse",
    "teeth": "tooth",
    "feet": "foot",
}
# Singulars in -ie, -che and -oe, whose plurals only lose the "s".
_IE_NOUNS: Final = frozenset(
    [
        "calorie",
        "cookie",
        "movie",
        "zombie",
        "prairie",
        "selfie",
        "rookie",
        "smoothie",
        "genie",
        "goalie",
        "pixie",
    ]
)
_CHE_NOUNS: Final = frozenset(
    ["cache", "niche", "avalanche", "headache", "psyche", "cliche", "moustache", "microniche"]
)
_OE_NOUNS: Final = frozenset(
    ["shoe", "toe", "foe", "hoe", "oboe", "canoe", "floe", "sloe", "roe", "aloe", "throe", "woe"]
)
_ES_AFTER: Final = ("ss", "x", "ch", "sh", "zz", "us")
_KEEP_S: Final = ("ss", "us", "is")


def normalise(text: str) -> str:
    """Case and accents folded (see the module docstring)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[str]:
    """Normalised tokens, unstemmed (what prefixes and author names are matched against)."""
    return TOKEN_RE.findall(normalise(text))


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    # Interned: equal stems are one object, so set look-ups match by identity.
    return sys.intern(_singular(token))


def _singular(word: str) -> str:
    """The rules of the module docstring, in order."""
    if len(word) <= 3:
        return word
    irregular = IRREGULAR_PLURALS.get(word)
    if irregular is not None:
        return irregular
    if not word.endswith("s") or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies"):
        if len(word) == 4 or word[:-1] in _IE_NOUNS:
            return word[:-1]
        return word[:-3] + "y"
    if word.endswith("es"):
        base = word[:-2]
        if base.endswith(_ES_AFTER):
            return word[:-1] if word[:-1] in _CHE_NOUNS else base
        if base.endswith("o") and word[:-1] not in _OE_NOUNS:
            return base
    return word[:-1]


def analyze(text: str) -> list[str]:
    """Stemmed tokens in order (what words and phrases are matched against)."""
    return [stem(t) for t in tokenize(text)]
