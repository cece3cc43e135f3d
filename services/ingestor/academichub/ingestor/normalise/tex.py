"""TeX accents and special letters to Unicode, for names.

arXiv keeps author names as submitted, in TeX: ``Jakob G\\"unther``, ``Michal Hajdu\\v{s}ek``,
``S{\\o}ren Stobbe``. A user following ``author:"Günther"`` must match, and the matcher folds
accents on Unicode letters only, so names are decoded here. Titles and abstracts keep their TeX
(the canonical paper says so); only names go through this module.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Accent command -> combining character.
_COMBINING: Final = {
    "'": "\u0301",  # acute
    "`": "\u0300",  # grave
    "^": "\u0302",  # circumflex
    '"': "\u0308",  # diaeresis
    "~": "\u0303",  # tilde
    "=": "\u0304",  # macron
    ".": "\u0307",  # dot above
    "u": "\u0306",  # breve
    "v": "\u030c",  # caron
    "H": "\u030b",  # double acute
    "r": "\u030a",  # ring above
    "c": "\u0327",  # cedilla
    "k": "\u0328",  # ogonek
    "d": "\u0323",  # dot below
    "b": "\u0331",  # macron below
}
_LETTERS: Final = {
    "ss": "ß",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# The base of an accent: a letter, or \i / \j (dotless i/j, written under accents as in `\'\i`).
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# As in TeX, a control word (`\i`, `\ss`, `\o`) swallows the spaces after it: `Mart\'\i nez`
# is "Martínez", `Bj\o rn` is "Bjørn". `{}` after it is the explicit way to end it.
_EAT = r"(?:(?<=\\[ij])\s*)?"
# `\'e`, `\'{e}`: symbol accents take their letter directly or in braces.
_SYMBOL_ACCENT = rf"\\(?P<sym>['`^\"~=.])\s*(?:\{{\s*(?P<b1>{_BASE})\s*\}}|(?P<l1>{_BASE}){_EAT})"
# `\v{s}`, `\c c`: letter accents need braces or a space (`\vs` would be another macro).
_LETTER_ACCENT = (
    rf"\\(?P<cmd>[uvHrckdb])(?:\s*\{{\s*(?P<b2>{_BASE})\s*\}}|\s+(?P<l2>{_BASE}){_EAT})"
)
_SPECIAL_LETTER = r"\\(?P<letter>ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|\s+)?"
_TEX_RE: Final = re.compile(f"{_SYMBOL_ACCENT}|{_LETTER_ACCENT}|{_SPECIAL_LETTER}")


def _replace(match: re.Match[str]) -> str:
    letter = match.group("letter")
    if letter is not None:
        return _LETTERS[letter]
    accent = _COMBINING[match.group("sym") or match.group("cmd")]
    base = match.group("b1") or match.group("l1") or match.group("b2") or match.group("l2")
    # An accented dotless i is just an accented i once composed (`\'\i` -> í).
    if base.startswith("\\"):
        base = base[1]
    return base + accent


def decode_tex_accents(text: str) -> str:
    """``R\\'emy`` -> ``Rémy``, ``S{\\o}ren`` -> ``Søren``; grouping braces are dropped."""
    if "\\" in text:
        text = _TEX_RE.sub(_replace, text)
    if "{" in text or "}" in text:
        # Braces only group in a name (`{\o}`, `{van der} Berg`); they are never content.
        text = text.replace("{", "").replace("}", "")
    # Compose `e` + U+0301 into `é`, so the name compares equal to one typed with an accent.
    return unicodedata.normalize("NFC", text)
